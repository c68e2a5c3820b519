package io.ratestream.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.command.ReplyTo;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.event.RatedCall;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.CallCost;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Interval;
import io.ratestream.schemas.model.MinuteBucket;
import io.ratestream.schemas.model.MinuteInfo;
import io.ratestream.schemas.model.OpenSession;
import io.ratestream.schemas.model.Timespan;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The published JSON Schema files against real records written by the topic serdes: every record the
 * system writes must pass, and the mistakes a non-Java producer is likely to make must not.
 */
class JsonSchemaTest {

    private static final ObjectMapper MAPPER = Json.newMapper();
    private static final Topics TOPICS = new Topics(MAPPER);
    /** Draft 2020-12 only, with {@code format} asserted (date-time), resolving only from the classpath. */
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDialect(Dialects.getDraft202012(),
            builder -> builder.schemaRegistryConfig(
                    SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";

    private static final OffsetDateTime START = OffsetDateTime.parse("2012-02-02T17:30:00Z");
    private static final OffsetDateTime END = OffsetDateTime.parse("2012-02-02T18:30:00Z");
    private static final Instant ACCEPTED = Instant.parse("2012-02-02T17:29:00Z");

    // ---- every record the system writes passes ----

    @Test
    void shouldAcceptAGetCostCommandWithReplyTo() {
        Command command = new Command("req-1", Method.GET_COST,
                new CallDescriptor(0, "vdf", "rif", "0256", START, END, null, "req-1"), ACCEPTED,
                new ReplyTo(Topics.REPLIES, 3), null);

        assertValid("command", TOPICS.commands().valueSerde().serializer().serialize(Topics.COMMANDS, command));
    }

    @Test
    void shouldAcceptASetUserBudgetCommandCarryingBuckets() {
        Command command = new Command("load-1", Method.SET_USER_BUDGET,
                new CallDescriptor(0, "vdf", "minutosu", null, null, null, null, null), ACCEPTED, null,
                budget("minutosu", "21", YearMonth.of(2012, 2)));

        assertValid("command", TOPICS.commands().valueSerde().serializer().serialize(Topics.COMMANDS, command));
    }

    @Test
    void shouldAcceptEveryMethodWithWhatItNeeds() {
        for (Method method : Method.values()) {
            CallDescriptor descriptor = new CallDescriptor(0, "vdf", "rif", "0256", START, END,
                    new BigDecimal("-12.5"), null, "session-1", new BigDecimal("30.5"));
            UserBudget budget = method == Method.SET_USER_BUDGET ? budget("rif", "0", null) : null;
            Command command = new Command("m-" + method.wireName(), method, descriptor, ACCEPTED, null, budget);

            assertValid("command", TOPICS.commands().valueSerde().serializer().serialize(Topics.COMMANDS, command));
        }
    }

    @Test
    void shouldAcceptACallCostReplyWithAnIntervalSpanAndABucketSpan() {
        Interval interval = new Interval(0, 0, List.of(1, 2, 3, 4, 5), null, LocalTime.of(18, 0), 0,
                BigDecimal.ZERO, new BigDecimal("0.2"), BigDecimal.ONE);
        OffsetDateTime split = START.plusSeconds(100);
        CallCost cost = new CallCost(0, "vdf", "minutosu", "0256", new BigDecimal("700.01"), BigDecimal.ZERO, List.of(
                new Timespan(START, split, new BigDecimal("0.01"), null, null,
                        new MinuteInfo("nationale", new BigDecimal("10"), new BigDecimal("0.001"))),
                new Timespan(split, END, new BigDecimal("700"), interval,
                        OffsetDateTime.parse("2012-01-01T00:00:00Z"), null)));

        assertValid("reply", reply(Reply.of("req-1", Method.GET_COST, cost)));
    }

    @Test
    void shouldAcceptAValueReplyAndErrorReplies() {
        assertValid("reply", reply(Reply.of("req-2", Method.DEBIT_BALANCE, new BigDecimal("-3.25"))));
        assertValid("reply", reply(Reply.error("req-3", Method.DEBIT_SMS, "amount exceeds budget")));
        assertValid("reply", reply(Reply.error("req-4", null, "bad command: Descriptor is required")));
    }

    @Test
    void shouldAcceptBudgetEventsWithAndWithoutABudgetBefore() {
        UserBudget after = budget("rif", "10.5", YearMonth.of(2012, 2));
        BudgetEvent created = new BudgetEvent("load-1", Method.SET_USER_BUDGET, "vdf", "rif", ACCEPTED, null, after);
        BudgetEvent debited = new BudgetEvent("req-2", Method.DEBIT_BALANCE, "vdf", "rif", ACCEPTED, after,
                after.withCredit(new BigDecimal("-89.5")));

        assertValid("budget-event", TOPICS.events().valueSerde().serializer().serialize(Topics.EVENTS, created));
        assertValid("budget-event", TOPICS.events().valueSerde().serializer().serialize(Topics.EVENTS, debited));
    }

    @Test
    void shouldAcceptASessionEndEventWithItsRatedCallAndABudgetWithOpenSessions() {
        OpenSession open = new OpenSession("call-7", "0256308200", 0, START, new BigDecimal("30"), new BigDecimal("90"),
                new BigDecimal("60"), ACCEPTED, 2, new BigDecimal("18"));
        UserBudget before = budget("rif", "30", null).withSessions(List.of(open));
        UserBudget after = budget("rif", "12", null);
        Timespan span = new Timespan(START, START.plusSeconds(90), new BigDecimal("18"), null, null,
                new MinuteInfo("nationale", new BigDecimal("90"), new BigDecimal("0.2")));
        RatedCall call = new RatedCall("call-7", "vdf", "rif", "0256308200", "0256", 0, START, ACCEPTED,
                new BigDecimal("90"), new BigDecimal("90"), BigDecimal.ZERO, new BigDecimal("18"), BigDecimal.ZERO,
                List.of(span), new BigDecimal("12"), RatedCall.EndedBy.EXPIRY);
        BudgetEvent ended = new BudgetEvent("expire-1", Method.SESSION_EXPIRY, "vdf", "rif", ACCEPTED, before, after,
                call);

        assertValid("budget-event", TOPICS.events().valueSerde().serializer().serialize(Topics.EVENTS, ended));
        assertInvalid("user-budget", "{\"Id\":\"rif\",\"Sessions\":[{\"SessionId\":\"x\"}]}");
        assertInvalid("rated-call", "{\"SessionId\":\"x\",\"EndedBy\":\"nobody\"}");
    }

    @Test
    void shouldAcceptDeadLetters() {
        byte[] bad = "{\"RequestId\":\"x\"".getBytes(StandardCharsets.UTF_8);
        DeadLetter letter = new DeadLetter("not a valid Command: unexpected end of input", Topics.COMMANDS, 2, 41,
                "vdf:rif", new String(bad, StandardCharsets.UTF_8), Base64.getEncoder().encodeToString(bad), false,
                7, bad.length);
        DeadLetter cut = new DeadLetter("the record is 600000 bytes, more than the 262144 a command may have",
                Topics.COMMANDS, 0, 7, "vdf:rif", "{\"Req", Base64.getEncoder().encodeToString("{\"Req".getBytes(
                StandardCharsets.UTF_8)), true, 7, 600_000);
        DeadLetter unknown = new DeadLetter("internal error", "?", -1, -1, null, null, null, false, null, null);

        Serializer<DeadLetter> serializer = TOPICS.deadLetters().valueSerde().serializer();

        assertValid("dead-letter", serializer.serialize(Topics.DEAD_LETTERS, letter));
        assertValid("dead-letter", serializer.serialize(Topics.DEAD_LETTERS, cut));
        assertValid("dead-letter", serializer.serialize(Topics.DEAD_LETTERS, cut.withoutPayload()));
        assertValid("dead-letter", serializer.serialize(Topics.DEAD_LETTERS, unknown));
    }

    @Test
    void shouldAcceptEveryRecordOfTheSampleFiles() {
        DataSet data = new CgratesFiles(MAPPER).readDirectory(Path.of("..", "demo", "cgrates-2012"));
        assertThat(data.ratingProfiles()).isNotEmpty();

        data.ratingProfiles().forEach(p -> assertValid("rating-profile",
                TOPICS.ratingProfiles().valueSerde().serializer().serialize(Topics.RATING_PROFILES, p)));
        data.destinations().forEach(d -> assertValid("destination",
                TOPICS.destinations().valueSerde().serializer().serialize(Topics.DESTINATIONS, d)));
        data.tariffPlans().forEach(t -> assertValid("tariff-plan",
                TOPICS.tariffPlans().valueSerde().serializer().serialize(Topics.TARIFF_PLANS, t)));
        data.userBudgets().forEach(b -> assertValid("user-budget", json(b)));
    }

    @Test
    void shouldAcceptTheKcatExamplesOfTheTopicsDoc() {
        assertValid("destination", "{\"Id\":\"nationale\",\"Prefixes\":[\"0256\",\"0257\",\"0723\",\"0740\"]}");
        assertValid("tariff-plan", """
                {"Id":"seara","SmsCredit":100,"ReceivedCallSecondsLimit":100,"ReceivedCallBonus":{"Credit":100},\
                "MinuteBuckets":[{"Seconds":10,"Priority":10,"Price":0.01,"DestinationId":"nationale"},\
                {"Seconds":100,"Priority":20,"Price":0,"DestinationId":"retea"}],"VolumeDiscountThresholds":\
                [{"Volume":100,"Discount":10},{"Volume":500,"Discount":15},{"Volume":1000,"Discount":20}]}""");
        assertValid("rating-profile", """
                {"TOR":0,"CstmId":"vdf","Subject":"rif","DestinationPrefix":"0256","ActivationPeriods":\
                [{"ActivationTime":"2012-01-01T00:00:00Z","Intervals":[{"WeekDays":[1,2,3,4,5],"StartTime":"",\
                "EndTime":"18:00:00","Price":0.2,"BillingUnit":1},{"WeekDays":[1,2,3,4,5],"StartTime":"18:00:00",\
                "EndTime":"","Price":0.1,"BillingUnit":1},{"WeekDays":[6,0],"StartTime":"","EndTime":"",\
                "Price":0.1,"BillingUnit":1}]}]}""");
        assertValid("command", """
                {"RequestId":"load-vdf-minutosu-1","Method":"SetUserBudget","Descriptor":{"CstmId":"vdf",\
                "Subject":"minutosu"},"AcceptedAt":"2026-11-26T10:00:00Z","Budget":{"Id":"minutosu","Credit":21,\
                "ResetDayOfTheMonth":10,"TariffPlanId":"seara","MinuteBuckets":[{"Seconds":10,"Priority":10,\
                "Price":0.01,"DestinationId":"nationale"},{"Seconds":100,"Priority":20,"Price":0,\
                "DestinationId":"retea"}]}}""");
        assertValid("command", """
                {"RequestId":"kcat-1","Method":"GetCost","Descriptor":{"CstmId":"vdf","Subject":"rif",\
                "DestinationPrefix":"0256","TimeStart":"2012-02-02T17:30:00Z","TimeEnd":"2012-02-02T18:30:00Z"},\
                "AcceptedAt":"2026-11-26T10:00:00Z"}""");
        assertValid("command", """
                {"RequestId":"kcat-1b","Method":"GetCost","Descriptor":{"CstmId":"vdf","Subject":"rif",\
                "DestinationPrefix":"0256308200","TimeStart":"2012-02-02T17:30:00Z",\
                "TimeEnd":"2012-02-02T18:30:00Z"},"AcceptedAt":"2026-11-26T10:00:00Z",\
                "ReplyTo":{"Topic":"ratestream.replies","Partition":2}}""");
        assertValid("command", """
                {"RequestId":"kcat-2","Method":"DebitBalance","Descriptor":{"CstmId":"vdf","Subject":"minutosu",\
                "Amount":2.5},"AcceptedAt":"2026-11-26T10:00:00Z"}""");
        assertValid("reply", "{\"RequestId\":\"kcat-2\",\"Method\":\"DebitBalance\",\"Value\":18.5}");
        assertInvalid("command", """
                {"RequestId":"kcat-bad","Method":"GetCosts","Descriptor":{"CstmId":"vdf","Subject":"rif"},\
                "AcceptedAt":"2026-11-26T10:00:00Z"}""");
    }

    // ---- the schemas are strict enough ----

    static Stream<Arguments> badCommands() {
        return Stream.of(
                bad("no RequestId", "'RequestId'", c -> c.remove("RequestId")),
                bad("a blank RequestId", "/RequestId", c -> c.put("RequestId", "  ")),
                bad("a RequestId of 129 characters", "/RequestId", c -> c.put("RequestId", "r".repeat(129))),
                bad("no Method", "'Method'", c -> c.remove("Method")),
                bad("an unknown Method", "/Method", c -> c.put("Method", "GetCosts")),
                bad("no AcceptedAt", "'AcceptedAt'", c -> c.remove("AcceptedAt")),
                bad("an AcceptedAt that is not a time", "/AcceptedAt", c -> c.put("AcceptedAt", "yesterday")),
                bad("no Descriptor", "'Descriptor'", c -> c.remove("Descriptor")),
                bad("no Subject", "'Subject'", c -> descriptor(c).remove("Subject")),
                bad("a tenant with ':'", "/Descriptor/CstmId", c -> descriptor(c).put("CstmId", "vdf:x")),
                bad("a subject of 257 characters", "/Descriptor/Subject",
                        c -> descriptor(c).put("Subject", "s".repeat(257))),
                bad("a decimal written as a string", "/Descriptor/Amount", c -> descriptor(c).put("Amount", "2.5")),
                bad("a GetCost without TimeEnd", "'TimeEnd'", c -> {
                    c.put("Method", "GetCost");
                    descriptor(c).remove("TimeEnd");
                }),
                bad("a DebitBalance without Amount", "'Amount'", c -> descriptor(c).remove("Amount")),
                bad("a SetUserBudget without Budget", "'Budget'", c -> c.put("Method", "SetUserBudget")),
                bad("a ReplyTo without Topic", "'Topic'", c -> c.putObject("ReplyTo").put("Partition", 1)),
                bad("a ReplyTo naming another topic", "/ReplyTo/Topic",
                        c -> c.putObject("ReplyTo").put("Topic", Topics.COMMANDS).put("Partition", 0)));
    }

    @ParameterizedTest(name = "a command with {0}")
    @MethodSource("badCommands")
    void shouldRefuseABadCommand(String what, String blamed, Consumer<ObjectNode> change) throws IOException {
        ObjectNode command = (ObjectNode) MAPPER.readTree(json(new Command("kcat-2", Method.DEBIT_BALANCE,
                new CallDescriptor(0, "vdf", "rif", "0256", START, END, new BigDecimal("2.5"), null), ACCEPTED,
                null, null)));
        change.accept(command);

        assertThat(errors("command", command.toString())).as(command.toString())
                .anySatisfy(error -> assertThat(error.toString()).contains(blamed));
    }

    @Test
    void shouldRefuseAReplyWithTwoResultsOrNone() {
        assertInvalid("reply", "{\"RequestId\":\"r\",\"Method\":\"DebitBalance\",\"Value\":1,\"Error\":\"no\"}");
        assertInvalid("reply", "{\"RequestId\":\"r\",\"Method\":\"DebitBalance\"}");
        assertInvalid("reply", "{\"RequestId\":\"r\",\"Method\":\"DebitBalance\",\"Value\":\"1\"}");
    }

    @Test
    void shouldRefuseATimespanPricedTwiceAndAnIntervalOutOfRange() {
        String both = "{\"RequestId\":\"r\",\"CallCost\":{\"TOR\":0,\"CstmId\":\"vdf\",\"Subject\":\"rif\","
                + "\"DestinationPrefix\":\"0256\",\"Cost\":1,\"ConnectFee\":0,\"Timespans\":[{"
                + "\"TimeStart\":\"2012-02-02T17:30:00Z\",\"TimeEnd\":\"2012-02-02T17:30:10Z\",\"Cost\":1,"
                + "\"Interval\":{\"Price\":0.1},\"ActivationTime\":\"2012-01-01T00:00:00Z\","
                + "\"MinuteInfo\":{\"DestinationId\":\"retea\",\"Quantity\":10,\"Price\":0}}]}}";

        assertInvalid("reply", both);
        assertInvalid("interval", "{\"WeekDays\":[7],\"StartTime\":\"\",\"EndTime\":\"\"}");
        assertInvalid("interval", "{\"StartTime\":\"18:00\",\"EndTime\":\"\"}");
        assertInvalid("interval", "{\"Price\":-0.1}");
    }

    @Test
    void shouldRefuseReferenceDataWithoutItsKeyFields() {
        assertInvalid("rating-profile", "{\"CstmId\":\"vdf\",\"Subject\":\"rif\",\"ActivationPeriods\":[]}");
        assertInvalid("destination", "{\"Prefixes\":[\"0256\"]}");
        assertInvalid("tariff-plan", "{\"SmsCredit\":100}");
        assertInvalid("tariff-plan", "{\"Id\":\"p\",\"VolumeDiscountThresholds\":[{\"Volume\":1,\"Discount\":101}]}");
        assertInvalid("user-budget", "{\"Credit\":1}");
    }

    @Test
    void shouldAllowUnknownFieldsAsTheReadersIgnoreThem() {
        assertValid("destination", "{\"Id\":\"radu\",\"Prefixes\":[\"0723045326\"],\"Comment\":\"kept by nobody\"}");
    }

    // ---- the files themselves ----

    @Test
    void shouldListTheWireNameOfEveryMethodAndNothingElse() throws IOException {
        JsonNode common;
        try (InputStream in = JsonSchemas.open("common")) {
            common = MAPPER.readTree(in);
        }
        List<String> names = new ArrayList<>();
        common.at("/$defs/Method/enum").forEach(name -> names.add(name.asText()));

        assertThat(names).containsExactlyElementsOf(Arrays.stream(Method.values()).map(Method::wireName).toList());
    }

    @Test
    void shouldShipEverySchemaAsValidDraft202012WithItsFileNameAsId() throws IOException {
        Schema meta = REGISTRY.getSchema(SchemaLocation.of(META_SCHEMA));
        for (String name : JsonSchemas.NAMES) {
            String text;
            try (InputStream in = JsonSchemas.open(name)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }

            assertThat(meta.validate(text, InputFormat.JSON)).as(name).isEmpty();
            assertThat(MAPPER.readTree(text).path("$id").asText()).isEqualTo(name + ".schema.json");
            assertThat(MAPPER.readTree(text).path("description").asText()).as(name).isNotBlank();
        }
    }

    @Test
    void shouldNameTheValueSchemaOfEveryTopic() {
        for (Topic<String, ?> topic : TOPICS.all()) {
            assertThat(JsonSchemas.NAMES).contains(JsonSchemas.ofTopic(topic.name()));
        }
        assertThatThrownBy(() -> JsonSchemas.resourcePath("../secret"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonSchemas.ofTopic("ratestream.budgets"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- helpers ----

    /** A broken command: what is wrong, a part of the error that must blame it, how to break it. */
    private static Arguments bad(String what, String blamed, Consumer<ObjectNode> change) {
        return Arguments.of(what, blamed, change);
    }

    private static ObjectNode descriptor(ObjectNode command) {
        return (ObjectNode) command.get("Descriptor");
    }

    private static UserBudget budget(String id, String credit, YearMonth lastRefill) {
        return new UserBudget(id, new BigDecimal(credit), BigDecimal.ZERO, BigDecimal.ZERO, new BigDecimal("120"),
                BigDecimal.ZERO, 10, "seara", List.of(
                        new MinuteBucket(new BigDecimal("10"), 10, new BigDecimal("0.01"), "nationale"),
                        new MinuteBucket(new BigDecimal("99.5"), 20, BigDecimal.ZERO, "retea")),
                lastRefill);
    }

    private static byte[] reply(Reply reply) {
        return TOPICS.replies().valueSerde().serializer().serialize(Topics.REPLIES, reply);
    }

    private static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Error> errors(String schemaName, String json) {
        Schema schema = REGISTRY.getSchema(SchemaLocation.of("classpath:" + JsonSchemas.resourcePath(schemaName)));
        return schema.validate(json, InputFormat.JSON);
    }

    private static void assertValid(String schemaName, byte[] json) {
        assertValid(schemaName, new String(json, StandardCharsets.UTF_8));
    }

    private static void assertValid(String schemaName, String json) {
        assertThat(errors(schemaName, json)).as("%s against %s", json, schemaName).isEmpty();
    }

    private static void assertInvalid(String schemaName, String json) {
        assertThat(errors(schemaName, json)).as("%s against %s", json, schemaName).isNotEmpty();
    }
}
