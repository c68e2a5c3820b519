package io.ratestream.gateway.replies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallCost;
import io.ratestream.schemas.model.Interval;
import io.ratestream.schemas.model.MinuteInfo;
import io.ratestream.schemas.model.Timespan;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.Topics;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A reply read as {@link RawReply} must answer the client with exactly what the typed path (bind the
 * reply to {@link Reply}, write its result with the gateway's mapper) wrote before, for replies as the
 * streams app writes them onto ratestream.replies.
 */
class RawReplyTest {

    private static final ObjectMapper MAPPER = Json.newMapper();
    private static final Serializer<Reply> TOPIC = new Topics(MAPPER).replies().valueSerde().serializer();
    private static final Deserializer<Reply> TOPIC_READ = new Topics(MAPPER).replies().valueSerde().deserializer();
    private static final OffsetDateTime START = OffsetDateTime.parse("2012-02-02T17:30:00Z");

    @Test
    void shouldPassACallCostOnAsTheTypedPathWouldWriteIt() throws Exception {
        Interval interval = new Interval(0, 0, List.of(1, 2, 3, 4, 5), null, LocalTime.of(18, 0), 0,
                new BigDecimal("0.50"), new BigDecimal("0.2"), BigDecimal.ONE);
        OffsetDateTime split = START.plusSeconds(1800);
        CallCost cost = new CallCost(0, "vdf", "rif", "0256", new BigDecimal("540.000000"), new BigDecimal("0.50"),
                List.of(new Timespan(START, split, new BigDecimal("360.00"), interval,
                                OffsetDateTime.parse("2012-01-01T00:00:00+02:00"), null),
                        new Timespan(split, START.plusSeconds(3600), new BigDecimal("180.0"), null, null,
                                new MinuteInfo("nationale", new BigDecimal("10"), new BigDecimal("0.001")))));
        Reply reply = Reply.of("req-1", Method.GET_COST, cost).withSubscriber("vdf:rif");

        RawReply raw = RawReply.parse(TOPIC.serialize(Topics.REPLIES, reply));

        assertThat(raw.requestId()).isEqualTo("req-1");
        assertThat(raw.subscriber()).isEqualTo("vdf:rif");
        assertThat(raw.isError()).isFalse();
        assertThat(MAPPER.writeValueAsString(raw.result())).isEqualTo(typedPath(reply));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "-3.25", "0.000000000001", "1.50", "1E+3", "123456789012.123456789012"})
    void shouldPassANumberOnDigitForDigit(String number) throws Exception {
        BigDecimal value = new BigDecimal(number);
        Reply reply = Reply.of("r", Method.DEBIT_BALANCE, value).withSubscriber("vdf:rif");

        RawReply raw = RawReply.parse(TOPIC.serialize(Topics.REPLIES, reply));

        assertThat(MAPPER.writeValueAsString(raw.result())).isEqualTo(typedPath(reply));
    }

    @Test
    void shouldReadErrorsWithTheirKindAndWithoutOneAsABadRequest() {
        RawReply refused = RawReply.parse(TOPIC.serialize(Topics.REPLIES,
                Reply.error("r", Method.DEBIT_BALANCE, ErrorKind.INSUFFICIENT_FUNDS, "no money").withSubscriber("a:b")));
        RawReply old = RawReply.parse(bytes("{\"RequestId\":\"r\",\"Error\":\"bad\"}"));

        assertThat(refused.isError()).isTrue();
        assertThat(refused.error()).isEqualTo("no money");
        assertThat(refused.errorKind()).isEqualTo(ErrorKind.INSUFFICIENT_FUNDS);
        assertThat(refused.result()).isNull();
        assertThat(old.errorKind()).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(old.subscriber()).isNull();
    }

    @Test
    void shouldReadMemberNamesInAnyCaseAndIgnoreUnknownMembers() throws Exception {
        RawReply raw = RawReply.parse(bytes(
                "{\"requestid\":\"r\",\"Later\":{\"x\":[1,2]},\"SUBSCRIBER\":\"a:b\",\"value\":2.50,\"Error\":null}"));

        assertThat(raw.requestId()).isEqualTo("r");
        assertThat(raw.subscriber()).isEqualTo("a:b");
        assertThat(MAPPER.writeValueAsString(raw.result())).isEqualTo("2.50");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "[]", "\"r\"", "{", "{\"RequestId\":\"r\",\"Value\":1} {}", "{\"RequestId\":\"r\"}",
        "{\"Value\":1}", "{\"RequestId\":\"r\",\"Value\":1,\"Error\":\"x\"}",
        "{\"RequestId\":\"r\",\"Value\":1,\"CallCost\":{}}", "{\"RequestId\":\"r\",\"Value\":\"1\"}",
        "{\"RequestId\":\"r\",\"CallCost\":[1]}", "{\"RequestId\":7,\"Value\":1}",
        "{\"RequestId\":\"r\",\"Error\":{\"a\":1}}", "{\"RequestId\":\"r\",\"CallCost\":{\"Cost\":1"})
    void shouldRefuseWhatIsNotOneReply(String json) {
        assertThatThrownBy(() -> RawReply.parse(bytes(json))).isInstanceOf(SerializationException.class);
    }

    /** What the gateway wrote before: the reply bound to {@link Reply} from the topic, its result written. */
    private static String typedPath(Reply reply) throws Exception {
        Reply read = TOPIC_READ.deserialize(Topics.REPLIES, TOPIC.serialize(Topics.REPLIES, reply));
        return MAPPER.writeValueAsString(read.result());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
