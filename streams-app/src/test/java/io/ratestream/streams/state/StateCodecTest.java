package io.ratestream.streams.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.model.CallCost;
import io.ratestream.schemas.model.Interval;
import io.ratestream.schemas.model.MinuteBucket;
import io.ratestream.schemas.model.MinuteInfo;
import io.ratestream.schemas.model.OpenSession;
import io.ratestream.schemas.model.Timespan;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.streams.topology.ProcessedReply;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * The binary state formats: every value reads back equal to what was written (many random budgets and
 * processed entries, extreme decimals included), values written as JSON by earlier releases still read,
 * and anything else fails as a {@link SerializationException} that says why.
 */
class StateCodecTest {

    private static final ObjectMapper MAPPER = Json.newMapper();
    private static final BudgetCodec BUDGETS = new BudgetCodec(MAPPER);
    private static final ProcessedReplyCodec PROCESSED = new ProcessedReplyCodec(MAPPER);
    private static final JsonSerde<UserBudget> BUDGETS_JSON = new JsonSerde<>(MAPPER, UserBudget.class);
    private static final JsonSerde<ProcessedReply> PROCESSED_JSON = new JsonSerde<>(MAPPER, ProcessedReply.class);
    private static final List<UserBudget> DEMO = new CgratesFiles(MAPPER)
            .readDirectory(Path.of("..", "demo", "cgrates-2012")).userBudgets();
    private static final int CASES = 5_000;

    // --- round trips ---

    @Test
    void shouldReadBackEveryRandomBudgetEqual() {
        Random random = new Random(13);
        for (int i = 0; i < CASES; i++) {
            UserBudget budget = budget(random);
            assertThat(BUDGETS.decode(BUDGETS.encode(budget))).as("case %d: %s", i, budget).isEqualTo(budget);
        }
    }

    @Test
    void shouldWriteVersion1ForABudgetWithoutSessionsAndVersion2ForOneWithSessions() {
        UserBudget plain = DEMO.get(0);
        OpenSession open = new OpenSession("s1", "0723", 0, OffsetDateTime.parse("2012-02-02T17:58:00+02:00"),
                BigDecimal.ZERO, new BigDecimal("105"), new BigDecimal("105"), Instant.parse("2012-02-02T15:58:00Z"), 1,
                new BigDecimal("0.05"));
        UserBudget withSession = plain.withSessions(List.of(open));

        assertThat(BUDGETS.encode(plain)[0]).isEqualTo((byte) StateFormat.VERSION_1);
        byte[] encoded = BUDGETS.encode(withSession);
        assertThat(encoded[0]).isEqualTo((byte) StateFormat.VERSION_2);
        assertThat(BUDGETS.decode(encoded)).isEqualTo(withSession);
        // A version-1 value with the sessions' bytes after it has bytes left over: refused, not misread.
        byte[] mislabelled = encoded.clone();
        mislabelled[0] = StateFormat.VERSION_1;
        assertThatThrownBy(() -> BUDGETS.decode(mislabelled)).isInstanceOf(SerializationException.class);
        byte[] future = encoded.clone();
        future[0] = 3;
        assertThatThrownBy(() -> BUDGETS.decode(future)).hasMessageContaining("unknown state format version 3");
    }

    @Test
    void shouldReadBackEveryRandomProcessedEntryEqual() {
        Random random = new Random(31);
        for (int i = 0; i < CASES; i++) {
            ProcessedReply entry = processed(random);
            assertThat(PROCESSED.decode(PROCESSED.encode(entry))).as("case %d: %s", i, entry).isEqualTo(entry);
        }
    }

    @Test
    void shouldKeepDecimalsExactlyScaleAndDigitsIncluded() {
        List<BigDecimal> extremes = new ArrayList<>(List.of(new BigDecimal("1.50"), new BigDecimal("1.5"),
                new BigDecimal("0E-12"), new BigDecimal("0E+7"), new BigDecimal("-0.000000000001"),
                new BigDecimal("1E+3"), new BigDecimal("-12345678901234567890.123456789012345678901234567890"),
                BigDecimal.valueOf(Long.MAX_VALUE, 3), BigDecimal.valueOf(Long.MIN_VALUE, -3),
                new BigDecimal(BigInteger.ONE.shiftLeft(63), 2), new BigDecimal(BigInteger.ONE.shiftLeft(63).negate(), 2),
                new BigDecimal(BigInteger.ONE.shiftLeft(63).negate().subtract(BigInteger.ONE), 0),
                new BigDecimal(BigInteger.TWO.pow(8 * StateFormat.MAX_DECIMAL_BYTES - 1).subtract(BigInteger.ONE),
                        StateFormat.MAX_DECIMAL_SCALE),
                new BigDecimal(BigInteger.TWO.pow(8 * StateFormat.MAX_DECIMAL_BYTES - 1).negate(),
                        -StateFormat.MAX_DECIMAL_SCALE)));
        for (BigDecimal value : extremes) {
            UserBudget budget = DEMO.get(0).withCredit(value);
            UserBudget read = BUDGETS.decode(BUDGETS.encode(budget));
            assertThat(read.credit()).as("%s", value).isEqualTo(value); // equals: scale included
            assertThat(read.credit().scale()).isEqualTo(value.scale());
        }
    }

    @Test
    void shouldGiveEveryMethodAndErrorKindACode() {
        for (Method method : Method.values()) {
            for (ErrorKind kind : ErrorKind.values()) {
                ProcessedReply entry = new ProcessedReply(Reply.error("r", method, kind, "no"), Instant.EPOCH, 1L);
                assertThat(PROCESSED.decode(PROCESSED.encode(entry))).isEqualTo(entry);
            }
        }
        assertThat(ProcessedReplyCodec.METHODS).doesNotHaveDuplicates().hasSize(Method.values().length);
        assertThat(ProcessedReplyCodec.ERROR_KINDS).doesNotHaveDuplicates().hasSize(ErrorKind.values().length);
    }

    /**
     * The codecs write these records' fields by position: a field added to one of them must be added to
     * its codec, as a new format version (StateFormat). This test fails first, to say so.
     */
    @Test
    void shouldWriteEveryFieldOfTheStoredRecords() {
        assertThat(fields(UserBudget.class)).containsExactly("id", "credit", "smsCredit", "traffic",
                "volumeDiscountSeconds", "receivedCallSeconds", "resetDayOfTheMonth", "tariffPlanId", "minuteBuckets",
                "lastRefill", "sessions");
        assertThat(fields(OpenSession.class)).containsExactly("sessionId", "destination", "tor", "timeStart", "used",
                "reserved", "granted", "grantedAt", "grants", "reservedCost");
        assertThat(fields(MinuteBucket.class)).containsExactly("seconds", "priority", "price", "destinationId");
        assertThat(fields(ProcessedReply.class)).containsExactly("reply", "acceptedAt", "fingerprint");
        assertThat(fields(Reply.class)).containsExactly("requestId", "method", "callCost", "value", "error",
                "errorKind", "subscriber");
        assertThat(fields(CallCost.class)).containsExactly("tor", "cstmId", "subject", "destinationPrefix", "cost",
                "connectFee", "timespans");
        assertThat(fields(Timespan.class)).containsExactly("timeStart", "timeEnd", "cost", "interval",
                "activationTime", "minuteInfo");
        assertThat(fields(Interval.class)).containsExactly("month", "monthDay", "weekDays", "startTime", "endTime",
                "ponder", "connectFee", "price", "billingUnit");
        assertThat(fields(MinuteInfo.class)).containsExactly("destinationId", "quantity", "price");
    }

    private static List<String> fields(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(c -> c.getName()).toList();
    }

    /** Version 1 as it is on disk: a change here is a new version, never an edit of this one. */
    @Test
    void shouldWriteVersionOneByteForByte() {
        UserBudget minutosu = DEMO.stream().filter(b -> b.id().equals("minutosu")).findFirst().orElseThrow();
        assertThat(HexFormat.of().formatHex(BUDGETS.encode(minutosu.withLastRefill(YearMonth.of(2012, 1)))))
                .isEqualTo(MINUTOSU_V1);
        ProcessedReply debit = new ProcessedReply(Reply.of("r-1", Method.DEBIT_BALANCE, new BigDecimal("20.99"))
                .withSubscriber("vdf:minutosu"), Instant.parse("2012-02-02T17:00:00.5Z"), 0x0102030405060708L);
        assertThat(HexFormat.of().formatHex(PROCESSED.encode(debit))).isEqualTo(DEBIT_V1);
        assertThat(BUDGETS.decode(HexFormat.of().parseHex(MINUTOSU_V1))).isEqualTo(minutosu.withLastRefill(
                YearMonth.of(2012, 1)));
        assertThat(PROCESSED.decode(HexFormat.of().parseHex(DEBIT_V1))).isEqualTo(debit);
    }

    private static final String MINUTOSU_V1 = "01096d696e75746f7375012a000100000100000100000100001406736561726102011400140102040a6e6174696f6e616c6501c801002801000006726574656101b81f01";
    private static final String DEBIT_V1 = "0101a084d6f20980cab5ee010101020304050607080104722d31020001e6200400000d7664663a6d696e75746f7375";

    // --- JSON of earlier releases ---

    @Test
    void shouldStillReadBudgetsStoredAsJson() {
        Random random = new Random(7);
        List<UserBudget> budgets = new ArrayList<>(DEMO);
        for (int i = 0; i < 300; i++) {
            budgets.add(budget(random));
        }
        for (UserBudget budget : budgets) {
            byte[] json = BUDGETS_JSON.serialize("budgets", budget);
            assertThat(json[0]).isEqualTo((byte) '{');
            readsAsJson(BUDGETS::decode, BUDGETS_JSON::deserialize, json);
        }
        byte[] stored = ("{\"Id\":\"minutosu\",\"Credit\":21,\"SmsCredit\":0,\"Traffic\":0,\"VolumeDiscountSeconds\":0,"
                + "\"ReceivedCallSeconds\":0,\"ResetDayOfTheMonth\":10,\"TariffPlanId\":\"seara\",\"MinuteBuckets\":["
                + "{\"Seconds\":10,\"Priority\":10,\"Price\":0.01,\"DestinationId\":\"nationale\"},"
                + "{\"Seconds\":100,\"Priority\":20,\"Price\":0,\"DestinationId\":\"retea\"}],\"LastRefill\":\"2012-01\"}")
                .getBytes(StandardCharsets.UTF_8);
        UserBudget read = BUDGETS.decode(stored);
        assertThat(read.credit()).isEqualByComparingTo("21");
        assertThat(read.minuteBuckets()).hasSize(2);
        assertThat(read.lastRefill()).isEqualTo(YearMonth.of(2012, 1));
    }

    @Test
    void shouldStillReadProcessedEntriesStoredAsJson() {
        byte[] stored = ("{\"Reply\":{\"RequestId\":\"r-1\",\"Method\":\"DebitBalance\",\"Value\":20.99,"
                + "\"Subscriber\":\"vdf:minutosu\"},\"AcceptedAt\":\"2012-02-02T17:00:00.5Z\",\"Fingerprint\":42}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(PROCESSED.decode(stored)).isEqualTo(new ProcessedReply(Reply.of("r-1", Method.DEBIT_BALANCE,
                new BigDecimal("20.99")).withSubscriber("vdf:minutosu"), Instant.parse("2012-02-02T17:00:00.5Z"), 42L));
        Random random = new Random(11);
        for (int i = 0; i < 300; i++) {
            readsAsJson(PROCESSED::decode, PROCESSED_JSON::deserialize, PROCESSED_JSON.serialize("processed",
                    processed(random)));
        }
    }

    /**
     * What the JSON keeps (1.50 is written 1.5) reads as the JSON serde reads it, and what the JSON serde
     * refuses (a random decimal longer than JSON numbers may be) is refused alike.
     */
    private static <T> void readsAsJson(Function<byte[], T> codec, BiFunction<String, byte[], T> json, byte[] bytes) {
        T expected;
        try {
            expected = json.apply("state", bytes);
        } catch (SerializationException e) {
            assertThatThrownBy(() -> codec.apply(bytes)).isInstanceOf(SerializationException.class)
                    .hasMessage(e.getMessage());
            return;
        }
        assertThat(codec.apply(bytes)).isEqualTo(expected);
    }

    // --- what cannot be read ---

    @Test
    void shouldRefuseAnUnknownVersionByName() {
        for (int version : new int[] {0, 3, 0x5B, 0x7A, 0x7C, 0xFF}) {
            byte[] value = BUDGETS.encode(DEMO.get(0));
            value[0] = (byte) version;
            assertThatThrownBy(() -> BUDGETS.decode(value)).isInstanceOf(SerializationException.class)
                    .hasMessage("not a valid UserBudget: unknown state format version " + version
                            + " (this release reads JSON and versions 1 to 2)");
            assertThatThrownBy(() -> PROCESSED.decode(value)).isInstanceOf(SerializationException.class)
                    .hasMessageContaining("not a valid ProcessedReply: unknown state format version " + version);
        }
        assertThatThrownBy(() -> BUDGETS.decode(new byte[0])).isInstanceOf(SerializationException.class)
                .hasMessage("not a valid UserBudget: an empty value");
        assertThatThrownBy(() -> BUDGETS.decode("{\"Credit\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class).hasMessageStartingWith("not a valid UserBudget");
    }

    @Test
    void shouldRefuseEveryTruncatedValueAndTrailingBytes() {
        Random random = new Random(5);
        for (int i = 0; i < 60; i++) {
            byte[] budget = BUDGETS.encode(budget(random));
            byte[] entry = PROCESSED.encode(processed(random));
            for (int length = 1; length < budget.length; length++) {
                byte[] cut = Arrays.copyOf(budget, length);
                assertThatThrownBy(() -> BUDGETS.decode(cut)).isInstanceOf(SerializationException.class)
                        .hasMessageStartingWith("not a valid UserBudget (state format " + budget[0] + "): ");
            }
            for (int length = 1; length < entry.length; length++) {
                byte[] cut = Arrays.copyOf(entry, length);
                assertThatThrownBy(() -> PROCESSED.decode(cut)).isInstanceOf(SerializationException.class);
            }
            byte[] longer = Arrays.copyOf(budget, budget.length + 1);
            assertThatThrownBy(() -> BUDGETS.decode(longer)).isInstanceOf(SerializationException.class)
                    .hasMessageContaining("1 bytes after the end of the value");
        }
    }

    /** Whatever the bytes, decoding returns a value or throws a SerializationException: nothing else. */
    @Test
    void shouldFailOnlyWithASerializationExceptionOnArbitraryBytes() {
        Random random = new Random(99);
        byte[] valid = PROCESSED.encode(processed(new Random(1)));
        for (int i = 0; i < 5_000; i++) {
            byte[] bytes;
            if (random.nextBoolean()) {
                bytes = new byte[1 + random.nextInt(40)];
                random.nextBytes(bytes);
                bytes[0] = 1;
            } else {
                bytes = valid.clone();
                bytes[1 + random.nextInt(bytes.length - 1)] = (byte) random.nextInt(256);
            }
            decodesOrRefuses(BUDGETS::decode, bytes);
            decodesOrRefuses(PROCESSED::decode, bytes);
        }
    }

    private static void decodesOrRefuses(Function<byte[], ?> decode, byte[] bytes) {
        try {
            decode.apply(bytes);
        } catch (SerializationException expected) {
            // refused, as a corrupt value must be
        }
    }

    @Test
    void shouldHoldDecimalsToTheScaleAndSizeLimitsBothWays() {
        UserBudget base = DEMO.get(0);
        BigDecimal tooFine = BigDecimal.valueOf(1, StateFormat.MAX_DECIMAL_SCALE + 1);
        BigDecimal tooCoarse = BigDecimal.valueOf(1, -StateFormat.MAX_DECIMAL_SCALE - 1);
        BigDecimal tooLong = new BigDecimal(BigInteger.TWO.pow(8 * StateFormat.MAX_DECIMAL_BYTES - 1));
        for (BigDecimal value : List.of(tooFine, tooCoarse)) {
            assertThatThrownBy(() -> BUDGETS.encode(base.withCredit(value))).isInstanceOf(SerializationException.class)
                    .hasMessageContaining("scale").hasMessageContaining("at most 1000");
        }
        assertThatThrownBy(() -> BUDGETS.encode(base.withCredit(tooLong))).isInstanceOf(SerializationException.class)
                .hasMessageContaining("at most 128 bytes");

        // The same limits when reading: the credit of a stored value rewritten with scale 1001, then 129 bytes.
        byte[] fine = BUDGETS.encode(base.withCredit(BigDecimal.valueOf(1, StateFormat.MAX_DECIMAL_SCALE)));
        int creditAt = 1 + 1 + base.id().length(); // version, id length + 1, id
        assertThat(fine[creditAt]).isEqualTo((byte) 1); // an unscaled long
        assertThat(BUDGETS.decode(fine).credit().scale()).isEqualTo(StateFormat.MAX_DECIMAL_SCALE);
        byte[] corrupt = fine.clone();
        // scale 1000 is zig-zag 2000 = 0xD0 0x0F; 1001 is 2002 = 0xD2 0x0F
        assertThat(corrupt[creditAt + 2]).isEqualTo((byte) 0xD0);
        corrupt[creditAt + 2] = (byte) 0xD2;
        assertThatThrownBy(() -> BUDGETS.decode(corrupt)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("a decimal with scale 1001 (at most 1000 either way)");
        StateOutput out = new StateOutput(256);
        out.writeByte(StateFormat.VERSION_1);
        out.writeString(base.id());
        out.writeVarInt(2 + StateFormat.MAX_DECIMAL_BYTES + 1); // an unscaled value of 129 bytes
        for (int i = 0; i <= StateFormat.MAX_DECIMAL_BYTES; i++) {
            out.writeByte(0x11);
        }
        byte[] huge = out.toByteArray();
        assertThatThrownBy(() -> BUDGETS.decode(huge)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("a decimal of 129 bytes (at most 128)");
    }

    @Test
    void shouldBeSmallerThanJson() {
        for (UserBudget budget : DEMO) {
            assertThat(BUDGETS.encode(budget).length).isLessThan(BUDGETS_JSON.serialize("b", budget).length / 3);
        }
    }

    // --- random values ---

    private static UserBudget budget(Random random) {
        int buckets = random.nextInt(4) == 0 ? 0 : random.nextInt(6);
        List<MinuteBucket> list = new ArrayList<>();
        for (int i = 0; i < buckets; i++) {
            list.add(new MinuteBucket(decimal(random), random.nextInt(), decimal(random).abs(), name(random)));
        }
        UserBudget budget = new UserBudget(name(random), decimal(random), decimal(random), decimal(random),
                decimal(random), decimal(random), random.nextInt(32), random.nextInt(3) == 0 ? null : text(random),
                list, random.nextInt(3) == 0 ? null : yearMonth(random));
        int sessions = random.nextInt(3) == 0 ? random.nextInt(5) : 0;
        List<OpenSession> open = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            open.add(new OpenSession(name(random), name(random), random.nextInt(), time(random), decimal(random).abs(),
                    decimal(random).abs(), decimal(random).abs(),
                    Instant.ofEpochSecond(random.nextLong() % 100_000_000_000L, random.nextInt(1_000_000_000)),
                    1 + random.nextInt(Integer.MAX_VALUE), decimal(random)));
        }
        return budget.withSessions(open);
    }

    private static ProcessedReply processed(Random random) {
        Instant acceptedAt = switch (random.nextInt(6)) {
            case 0 -> null;
            case 1 -> random.nextBoolean() ? Instant.MIN : Instant.MAX;
            default -> Instant.ofEpochSecond(random.nextLong() % 100_000_000_000L, random.nextInt(1_000_000_000));
        };
        Long fingerprint = random.nextInt(4) == 0 ? null : random.nextLong();
        return new ProcessedReply(random.nextInt(20) == 0 ? null : reply(random), acceptedAt, fingerprint);
    }

    private static Reply reply(Random random) {
        Method method = random.nextInt(10) == 0 ? null : pick(random, Method.values());
        String subscriber = random.nextInt(5) == 0 ? null : text(random);
        return switch (random.nextInt(3)) {
            case 0 -> new Reply(name(random), method, null, decimal(random), null, null, subscriber);
            case 1 -> new Reply(name(random), method, null, null, text(random),
                    random.nextInt(5) == 0 ? null : pick(random, ErrorKind.values()), subscriber);
            default -> new Reply(name(random), method, callCost(random), null, null, null, subscriber);
        };
    }

    private static CallCost callCost(Random random) {
        List<Timespan> spans = new ArrayList<>();
        int count = random.nextInt(5);
        for (int i = 0; i < count; i++) {
            boolean byInterval = random.nextBoolean();
            spans.add(new Timespan(time(random), time(random), random.nextInt(8) == 0 ? null : decimal(random),
                    byInterval ? interval(random) : null, byInterval && random.nextBoolean() ? time(random) : null,
                    byInterval ? null : new MinuteInfo(random.nextInt(6) == 0 ? null : text(random),
                            random.nextInt(6) == 0 ? null : decimal(random),
                            random.nextInt(6) == 0 ? null : decimal(random))));
        }
        return new CallCost(random.nextInt(), random.nextInt(6) == 0 ? null : text(random), text(random),
                random.nextInt(6) == 0 ? null : text(random), random.nextInt(8) == 0 ? null : decimal(random),
                random.nextInt(8) == 0 ? null : decimal(random), spans);
    }

    private static Interval interval(Random random) {
        List<Integer> days = new ArrayList<>();
        for (int day = 0; day < 7; day++) {
            if (random.nextBoolean()) {
                days.add(day);
            }
        }
        LocalTime start = random.nextInt(3) == 0 ? null : LocalTime.ofNanoOfDay(random.nextLong(0, 43_200_000_000_000L));
        LocalTime end = random.nextInt(3) == 0 ? null
                : LocalTime.ofNanoOfDay(random.nextLong(43_200_000_000_001L, 86_399_999_999_999L));
        return new Interval(random.nextInt(13), random.nextInt(32), days, start, end, random.nextInt(),
                price(random), price(random), random.nextInt(4) == 0 ? null : price(random).add(BigDecimal.ONE));
    }

    /** A decimal the records accept as a price: 0 to 1e12, at most 12 decimals. */
    private static BigDecimal price(Random random) {
        return BigDecimal.valueOf(random.nextLong(0, 1_000_000_000_000L), random.nextInt(13));
    }

    private static OffsetDateTime time(Random random) {
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(random.nextInt(-18 * 3600, 18 * 3600 + 1));
        long seconds = random.nextInt(4) == 0 ? random.nextLong(-31_000_000_000_000L, 31_000_000_000_000L)
                : random.nextLong(0, 4_000_000_000L);
        return OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds, random.nextInt(1_000_000_000)), offset);
    }

    private static YearMonth yearMonth(Random random) {
        int year = switch (random.nextInt(4)) {
            case 0 -> Year.MIN_VALUE;
            case 1 -> Year.MAX_VALUE;
            default -> random.nextInt(1900, 2200);
        };
        return YearMonth.of(year, 1 + random.nextInt(12));
    }

    /** Everyday money most of the time; zeros with scales, negative scales, longs' edges and huge values too. */
    private static BigDecimal decimal(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> BigDecimal.valueOf(0, random.nextInt(-20, 21));
            case 1 -> BigDecimal.valueOf(random.nextLong(), random.nextInt(-StateFormat.MAX_DECIMAL_SCALE,
                    StateFormat.MAX_DECIMAL_SCALE + 1));
            case 2 -> new BigDecimal(new BigInteger(random.nextInt(1, 8 * StateFormat.MAX_DECIMAL_BYTES), random)
                    .multiply(BigInteger.valueOf(random.nextBoolean() ? 1 : -1)),
                    random.nextInt(-StateFormat.MAX_DECIMAL_SCALE, StateFormat.MAX_DECIMAL_SCALE + 1));
            case 3 -> BigDecimal.valueOf(random.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE, random.nextInt(40));
            case 4 -> BigDecimal.valueOf(random.nextInt(-1000, 1000), random.nextInt(-3, 0));
            default -> BigDecimal.valueOf(random.nextLong(-100_000_000_000L, 100_000_000_000L), random.nextInt(13));
        };
    }

    /** A subject or request id: never blank, no control characters, valid Unicode. */
    private static String name(Random random) {
        String text = text(random);
        return text.isBlank() ? "s" + text : text;
    }

    /** Text of ASCII, accents, CJK and astral characters (surrogate pairs), possibly empty. */
    private static String text(Random random) {
        int[][] ranges = {{'a', 'z'}, {'0', ':'}, {0xE0, 0xFF}, {0x4E00, 0x4E20}, {0x1F600, 0x1F620}};
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(5) == 0 ? 0 : random.nextInt(1, 40);
        for (int i = 0; i < length; i++) {
            int[] range = ranges[random.nextInt(4) == 0 ? random.nextInt(ranges.length) : 0];
            text.appendCodePoint(random.nextInt(range[0], range[1] + 1));
        }
        return text.toString();
    }

    private static <T> T pick(Random random, T[] values) {
        return values[random.nextInt(values.length)];
    }
}
