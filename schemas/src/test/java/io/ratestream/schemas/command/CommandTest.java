package io.ratestream.schemas.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.CallCost;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandTest {

    private final ObjectMapper mapper = Json.newMapper();
    private static final CallDescriptor RIF = new CallDescriptor(0, "vdf", "rif", "0256",
            OffsetDateTime.parse("2012-02-02T17:30:00Z"), OffsetDateTime.parse("2012-02-02T18:30:00Z"), null, null);

    @ParameterizedTest
    @CsvSource({"Responder.GetCost,GET_COST", "Responder.Get,GET_COST", "getcost,GET_COST",
        "Responder.DebitCents,DEBIT_BALANCE", "DebitBalance,DEBIT_BALANCE", "RESPONDER.DEBITSMS,DEBIT_SMS",
        "Responder.AddRecievedCallSeconds,ADD_RECEIVED_CALL_SECONDS",
        "Responder.AddReceivedCallSeconds,ADD_RECEIVED_CALL_SECONDS",
        "Responder.GetExactMaxSessionTime,GET_EXACT_MAX_SESSION_TIME"})
    void shouldKnowEveryMethodByItsNamesAndAliases(String name, Method expected) {
        assertThat(Method.fromName(name)).isEqualTo(expected);
    }

    @Test
    void shouldNameTheKnownMethodsWhenOneIsUnknown() {
        assertThatThrownBy(() -> Method.fromName("Responder.Steal"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown method 'Responder.Steal'")
                .hasMessageContaining("Responder.GetCost, Responder.DebitBalance");
        assertThat(Method.lookup("Status")).isNull();
    }

    @Test
    void shouldRoundTripACommandThroughJson() throws Exception {
        Command command = new Command("r-1", Method.GET_COST, RIF, Instant.parse("2012-02-02T17:29:59.5Z"),
                new ReplyTo("ratestream.replies", 3), null);

        String json = mapper.writeValueAsString(command);

        assertThat(json).contains("\"Method\":\"GetCost\"").contains("\"AcceptedAt\":\"2012-02-02T17:29:59.500Z\"");
        assertThat(mapper.readValue(json, Command.class)).isEqualTo(command);
        assertThat(command.key()).isEqualTo("vdf:rif");
    }

    @Test
    void shouldRefuseACommandThatCannotBeKeyedOrAnswered() {
        Instant now = Instant.parse("2012-02-02T17:00:00Z");
        CallDescriptor noTenant = new CallDescriptor(0, null, "rif", null, null, null, null, null);
        CallDescriptor colonTenant = new CallDescriptor(0, "a:b", "rif", null, null, null, null, null);

        assertThatThrownBy(() -> new Command("", Method.GET_COST, RIF, now, null, null)).hasMessageContaining("RequestId");
        assertThatThrownBy(() -> new Command("x".repeat(129), Method.GET_COST, RIF, now, null, null))
                .hasMessageContaining("longer than 128");
        assertThatThrownBy(() -> new Command("r\n1", Method.GET_COST, RIF, now, null, null))
                .hasMessageContaining("control characters");
        assertThatThrownBy(() -> new Command("r", null, RIF, now, null, null)).hasMessageContaining("Method");
        assertThatThrownBy(() -> new Command("r", Method.GET_COST, noTenant, now, null, null)).hasMessageContaining("CstmId");
        assertThatThrownBy(() -> new Command("r", Method.GET_COST, colonTenant, now, null, null)).hasMessageContaining("':'");
        assertThatThrownBy(() -> new Command("r", Method.GET_COST, RIF, null, null, null)).hasMessageContaining("AcceptedAt");
        assertThatThrownBy(() -> new Command("r", Method.GET_COST, RIF, Instant.parse("2300-01-01T00:00:00Z"), null, null))
                .hasMessageContaining("AcceptedAt must be between");
    }

    @Test
    void shouldRouteRepliesOnlyToTheRepliesTopicAndByKeyWhenNoPartitionIsGiven() throws Exception {
        assertThatThrownBy(() -> new ReplyTo("ratestream.commands", 0)).hasMessageContaining("must be ratestream.replies");
        assertThat(mapper.readValue("{\"Topic\":\"ratestream.replies\"}", ReplyTo.class).partition()).isEqualTo(-1);
        assertThat(mapper.readValue("{\"topic\":\"ratestream.replies\",\"partition\":2}", ReplyTo.class).partition())
                .isEqualTo(2);
    }

    @Test
    void shouldTurnAnInvalidCommandOnTheWireIntoAReadError() {
        String json = "{\"RequestId\":\"r\",\"Method\":\"Steal\",\"Descriptor\":{\"CstmId\":\"vdf\",\"Subject\":\"rif\"},"
                + "\"AcceptedAt\":\"2012-02-02T17:00:00Z\"}";

        assertThatThrownBy(() -> mapper.readValue(json, Command.class))
                .isInstanceOf(JsonProcessingException.class).hasMessageContaining("unknown method");
    }

    @Test
    void shouldCarryExactlyOneOfResultAndError() throws Exception {
        CallCost cost = new CallCost(0, "vdf", "rif", "0256", BigDecimal.TEN, BigDecimal.ZERO, List.of());

        assertThat(Reply.of("r", Method.GET_COST, cost).result()).isSameAs(cost);
        assertThat(Reply.of("r", Method.DEBIT_SMS, BigDecimal.ONE).result()).isEqualTo(BigDecimal.ONE);
        assertThat(Reply.error("r", Method.DEBIT_SMS, "no").result()).isNull();
        assertThatThrownBy(() -> new Reply("r", Method.GET_COST, cost, BigDecimal.ONE, null, null, null))
                .hasMessageContaining("exactly one");
        assertThatThrownBy(() -> new Reply("r", Method.GET_COST, null, BigDecimal.ONE, "no", null, null))
                .hasMessageContaining("exactly one");
        assertThatThrownBy(() -> new Reply("r", Method.GET_COST, null, null, null, null, null))
                .hasMessageContaining("exactly one");
        assertThat(mapper.writeValueAsString(Reply.error("r", Method.DEBIT_SMS, ErrorKind.INSUFFICIENT_FUNDS,
                "amount exceeds budget").withSubscriber("vdf:rif")))
                .isEqualTo("{\"RequestId\":\"r\",\"Method\":\"DebitSMS\",\"Error\":\"amount exceeds budget\","
                        + "\"ErrorKind\":\"insufficient_funds\",\"Subscriber\":\"vdf:rif\"}");
        assertThat(Reply.error("r", Method.DEBIT_SMS, "no").errorKind()).as("default kind").isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(Reply.of("r", Method.DEBIT_SMS, BigDecimal.ONE).errorKind()).isNull();
        assertThat(mapper.readValue("{\"RequestId\":\"r\",\"Error\":\"x\",\"ErrorKind\":\"from_the_future\"}",
                Reply.class).errorKind()).as("unknown kind").isEqualTo(ErrorKind.INTERNAL);
        assertThat(mapper.readValue("{\"RequestId\":\"r\",\"Error\":\"x\"}", Reply.class).errorKind())
                .as("written before kinds existed").isEqualTo(ErrorKind.BAD_REQUEST);
    }
}
