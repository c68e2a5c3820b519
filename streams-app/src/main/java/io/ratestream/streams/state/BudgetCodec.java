package io.ratestream.streams.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.model.MinuteBucket;
import io.ratestream.schemas.model.OpenSession;
import io.ratestream.schemas.model.UserBudget;
import java.util.ArrayList;
import java.util.List;

/**
 * The values of the {@code budgets} store. Version 1: Id, Credit, SmsCredit, Traffic,
 * VolumeDiscountSeconds, ReceivedCallSeconds, ResetDayOfTheMonth, TariffPlanId, MinuteBuckets (each:
 * Seconds, Priority, Price, DestinationId), LastRefill, in that order ({@link StateFormat}). The demo's
 * budget {@code minutosu} is 65 bytes (JSON: 304). Version 2, for a budget with open sessions only: version 1,
 * then the sessions (each: SessionId, Destination, TOR, TimeStart, Used, Reserved, Granted, GrantedAt, Grants,
 * ReservedCost).
 */
public final class BudgetCodec extends VersionedCodec<UserBudget> {

    /** @param mapper reads budgets stored as JSON by earlier releases ({@code Json.newMapper()}) */
    public BudgetCodec(ObjectMapper mapper) {
        super(mapper, UserBudget.class, 64);
    }

    @Override
    void write(StateOutput out, UserBudget budget) {
        out.writeString(budget.id());
        out.writeDecimal(budget.credit());
        out.writeDecimal(budget.smsCredit());
        out.writeDecimal(budget.traffic());
        out.writeDecimal(budget.volumeDiscountSeconds());
        out.writeDecimal(budget.receivedCallSeconds());
        out.writeSignedInt(budget.resetDayOfTheMonth());
        out.writeString(budget.tariffPlanId());
        List<MinuteBucket> buckets = budget.minuteBuckets();
        out.writeVarInt(buckets.size());
        for (MinuteBucket bucket : buckets) {
            out.writeDecimal(bucket.seconds());
            out.writeSignedInt(bucket.priority());
            out.writeDecimal(bucket.price());
            out.writeString(bucket.destinationId());
        }
        out.writeYearMonth(budget.lastRefill());
        if (!budget.sessions().isEmpty()) {
            out.writeVarInt(budget.sessions().size());
            for (OpenSession session : budget.sessions()) {
                out.writeString(session.sessionId());
                out.writeString(session.destination());
                out.writeSignedInt(session.tor());
                out.writeOffsetDateTime(session.timeStart());
                out.writeDecimal(session.used());
                out.writeDecimal(session.reserved());
                out.writeDecimal(session.granted());
                out.writeInstant(session.grantedAt());
                out.writeVarInt(session.grants());
                out.writeDecimal(session.reservedCost());
            }
        }
    }

    @Override
    int version(UserBudget budget) {
        return budget.sessions().isEmpty() ? StateFormat.VERSION_1 : StateFormat.VERSION_2;
    }

    @Override
    int newestVersion() {
        return StateFormat.VERSION_2;
    }

    @Override
    UserBudget read(StateInput in, int version) {
        UserBudget budget = read(in);
        int count = in.readCount();
        List<OpenSession> sessions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = in.readString();
            String destination = in.readString();
            int tor = in.readSignedInt();
            var start = in.readOffsetDateTime();
            var used = in.readDecimal();
            var reserved = in.readDecimal();
            var granted = in.readDecimal();
            var grantedAt = in.readInstant();
            int grants = in.readVarInt();
            sessions.add(new OpenSession(id, destination, tor, start, used, reserved, granted, grantedAt, grants,
                    in.readDecimal()));
        }
        return budget.withSessions(sessions);
    }

    @Override
    UserBudget read(StateInput in) {
        String id = in.readString();
        var credit = in.readDecimal();
        var sms = in.readDecimal();
        var traffic = in.readDecimal();
        var volume = in.readDecimal();
        var received = in.readDecimal();
        int resetDay = in.readSignedInt();
        String plan = in.readString();
        int count = in.readCount();
        List<MinuteBucket> buckets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            var seconds = in.readDecimal();
            int priority = in.readSignedInt();
            var price = in.readDecimal();
            buckets.add(new MinuteBucket(seconds, priority, price, in.readString()));
        }
        return new UserBudget(id, credit, sms, traffic, volume, received, resetDay, plan, buckets, in.readYearMonth());
    }
}
