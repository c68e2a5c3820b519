package io.ratestream.streams.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.CallCost;
import io.ratestream.schemas.model.Interval;
import io.ratestream.schemas.model.MinuteInfo;
import io.ratestream.schemas.model.Timespan;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.streams.topology.ProcessedReply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The values of the {@code processed-requests} store. Version 1: AcceptedAt, Fingerprint (presence byte
 * and 8 bytes), then the Reply: RequestId, Method, CallCost, Value, Error, ErrorKind, Subscriber
 * ({@link StateFormat}). The reply is stored whole, in binary (a GetCost's CallCost with its timespans,
 * intervals and minute infos too), so that it reads back equal, trailing zeros and UTC offsets
 * included. A DebitBalance's entry is 47-74 bytes (JSON: 167-197), mostly its request id and subscriber.
 *
 * <p>Methods and error kinds are written as their code in {@link #METHODS} and {@link #ERROR_KINDS},
 * never as ordinals: a new constant gets the next code, an existing one keeps its code for ever.
 */
public final class ProcessedReplyCodec extends VersionedCodec<ProcessedReply> {

    /** Code i + 1 is METHODS[i]; 0 is null. Append only. */
    static final List<Method> METHODS = List.of(Method.GET_COST, Method.DEBIT_BALANCE, Method.DEBIT_SMS,
            Method.DEBIT_SECONDS, Method.GET_MAX_SESSION_TIME, Method.GET_EXACT_MAX_SESSION_TIME,
            Method.ADD_VOLUME_DISCOUNT_SECONDS, Method.RESET_VOLUME_DISCOUNT_SECONDS,
            Method.ADD_RECEIVED_CALL_SECONDS, Method.RESET_USER_BUDGET, Method.SET_USER_BUDGET,
            Method.MONTHLY_REFILL, Method.SESSION_START, Method.SESSION_UPDATE, Method.SESSION_END,
            Method.SESSION_EXPIRY);
    /** Code i + 1 is ERROR_KINDS[i]; 0 is null. Append only. */
    static final List<ErrorKind> ERROR_KINDS = List.of(ErrorKind.BAD_REQUEST, ErrorKind.METHOD_NOT_FOUND,
            ErrorKind.NOT_FOUND, ErrorKind.INSUFFICIENT_FUNDS, ErrorKind.REQUEST_ID_CONFLICT, ErrorKind.BUSY,
            ErrorKind.OUTCOME_UNKNOWN, ErrorKind.UNAVAILABLE, ErrorKind.UNAUTHENTICATED, ErrorKind.FORBIDDEN,
            ErrorKind.INTERNAL);

    private static final int[] METHOD_CODES = codes(METHODS, Method.values().length);
    private static final int[] ERROR_KIND_CODES = codes(ERROR_KINDS, ErrorKind.values().length);

    /** @param mapper reads entries stored as JSON by earlier releases ({@code Json.newMapper()}) */
    public ProcessedReplyCodec(ObjectMapper mapper) {
        super(mapper, ProcessedReply.class, 64);
    }

    @Override
    void write(StateOutput out, ProcessedReply entry) {
        out.writeInstant(entry.acceptedAt());
        Long fingerprint = entry.fingerprint();
        out.writeBoolean(fingerprint != null);
        if (fingerprint != null) {
            out.writeFixedLong(fingerprint);
        }
        Reply reply = entry.reply();
        out.writeBoolean(reply != null);
        if (reply != null) {
            writeReply(out, reply);
        }
    }

    @Override
    ProcessedReply read(StateInput in) {
        Instant acceptedAt = in.readInstant();
        Long fingerprint = in.readBoolean() ? in.readFixedLong() : null;
        Reply reply = in.readBoolean() ? readReply(in) : null;
        return new ProcessedReply(reply, acceptedAt, fingerprint);
    }

    private static void writeReply(StateOutput out, Reply reply) {
        out.writeString(reply.requestId());
        writeCode(out, METHOD_CODES, reply.method());
        CallCost cost = reply.callCost();
        out.writeBoolean(cost != null);
        if (cost != null) {
            writeCallCost(out, cost);
        }
        out.writeDecimal(reply.value());
        out.writeString(reply.error());
        writeCode(out, ERROR_KIND_CODES, reply.errorKind());
        out.writeString(reply.subscriber());
    }

    private static Reply readReply(StateInput in) {
        String requestId = in.readString();
        Method method = readCode(in, METHODS);
        CallCost cost = in.readBoolean() ? readCallCost(in) : null;
        var value = in.readDecimal();
        String error = in.readString();
        ErrorKind kind = readCode(in, ERROR_KINDS);
        return new Reply(requestId, method, cost, value, error, kind, in.readString());
    }

    private static void writeCallCost(StateOutput out, CallCost cost) {
        out.writeSignedInt(cost.tor());
        out.writeString(cost.cstmId());
        out.writeString(cost.subject());
        out.writeString(cost.destinationPrefix());
        out.writeDecimal(cost.cost());
        out.writeDecimal(cost.connectFee());
        out.writeVarInt(cost.timespans().size());
        for (Timespan span : cost.timespans()) {
            out.writeOffsetDateTime(span.timeStart());
            out.writeOffsetDateTime(span.timeEnd());
            out.writeDecimal(span.cost());
            Interval interval = span.interval();
            out.writeBoolean(interval != null);
            if (interval != null) {
                writeInterval(out, interval);
            }
            out.writeOffsetDateTime(span.activationTime());
            MinuteInfo info = span.minuteInfo();
            out.writeBoolean(info != null);
            if (info != null) {
                out.writeString(info.destinationId());
                out.writeDecimal(info.quantity());
                out.writeDecimal(info.price());
            }
        }
    }

    private static CallCost readCallCost(StateInput in) {
        int tor = in.readSignedInt();
        String tenant = in.readString();
        String subject = in.readString();
        String prefix = in.readString();
        var cost = in.readDecimal();
        var connectFee = in.readDecimal();
        int count = in.readCount();
        List<Timespan> spans = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            var start = in.readOffsetDateTime();
            var end = in.readOffsetDateTime();
            var spanCost = in.readDecimal();
            Interval interval = in.readBoolean() ? readInterval(in) : null;
            var activation = in.readOffsetDateTime();
            MinuteInfo info = in.readBoolean()
                    ? new MinuteInfo(in.readString(), in.readDecimal(), in.readDecimal()) : null;
            spans.add(new Timespan(start, end, spanCost, interval, activation, info));
        }
        return new CallCost(tor, tenant, subject, prefix, cost, connectFee, spans);
    }

    private static void writeInterval(StateOutput out, Interval interval) {
        out.writeSignedInt(interval.month());
        out.writeSignedInt(interval.monthDay());
        out.writeVarInt(interval.weekDays().size());
        for (int day : interval.weekDays()) {
            out.writeSignedInt(day);
        }
        out.writeLocalTime(interval.startTime());
        out.writeLocalTime(interval.endTime());
        out.writeSignedInt(interval.ponder());
        out.writeDecimal(interval.connectFee());
        out.writeDecimal(interval.price());
        out.writeDecimal(interval.billingUnit());
    }

    private static Interval readInterval(StateInput in) {
        int month = in.readSignedInt();
        int monthDay = in.readSignedInt();
        int count = in.readCount();
        List<Integer> weekDays = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            weekDays.add(in.readSignedInt());
        }
        var start = in.readLocalTime();
        var end = in.readLocalTime();
        int ponder = in.readSignedInt();
        return new Interval(month, monthDay, weekDays, start, end, ponder, in.readDecimal(), in.readDecimal(),
                in.readDecimal());
    }

    /** The code of each constant by ordinal; 0 for a constant missing from the table (a test keeps none missing). */
    private static <E extends Enum<E>> int[] codes(List<E> table, int constants) {
        int[] codes = new int[constants];
        for (int i = 0; i < table.size(); i++) {
            codes[table.get(i).ordinal()] = i + 1;
        }
        return codes;
    }

    private static <E extends Enum<E>> void writeCode(StateOutput out, int[] codes, E value) {
        int code = value == null ? 0 : codes[value.ordinal()];
        if (value != null && code == 0) {
            throw new IllegalStateException(value + " has no code in the state format: add it to the table");
        }
        out.writeVarInt(code);
    }

    private static <E extends Enum<E>> E readCode(StateInput in, List<E> table) {
        int code = in.readVarInt();
        if (code < 0 || code > table.size()) {
            throw new IllegalArgumentException("unknown code " + code);
        }
        return code == 0 ? null : table.get(code - 1);
    }
}
