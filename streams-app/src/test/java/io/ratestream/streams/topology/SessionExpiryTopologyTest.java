package io.ratestream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.event.RatedCall;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Names;
import io.ratestream.schemas.model.OpenSession;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.ErrorKind;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.Topics;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Abandoned sessions (docs/sessions.md): the expiry check ends a session with no update or end within its grant
 * plus the grace, through an ordinary SessionExpiry command in the log. Subject rif to 0256 costs 0.2 a second
 * before 18:00 on a weekday (no connect fee): every session here starts at 17:58 on a Thursday.
 */
class SessionExpiryTopologyTest {

    /** The wall clock when each pipeline starts, and the accepted-at of the first commands. */
    private static final Instant W0 = Instant.parse("2012-02-02T17:58:00Z");
    private static final Duration GRACE = Duration.ofSeconds(60);

    @TempDir
    Path stateDir;

    private final AtomicInteger expiriesWritten = new AtomicInteger();
    private final CommandMetrics metrics = new CommandMetrics() {
        @Override
        public void expiryIssued() {
            expiriesWritten.incrementAndGet();
        }
    };
    private Pipeline pipeline;
    /** Where the pipeline's wall clock is. */
    private Instant now = W0;
    /** Every command sent, in order: a log to replay. */
    private final List<Command> log = new ArrayList<>();

    @BeforeEach
    void start() {
        pipeline = new Pipeline(stateDir, W0, config -> config.withRefillCheck(null), metrics);
        set(budget("rif", "30"));
    }

    @AfterEach
    void stop() {
        pipeline.close();
    }

    private static UserBudget budget(String subject, String credit) {
        return new UserBudget(subject, new BigDecimal(credit), BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                BigDecimal.ZERO, 0, null, List.of(), null);
    }

    private void set(UserBudget budget) {
        Command set = pipeline.setBudget(budget, now);
        log.add(set);
        assertThat(pipeline.send(set).error()).isNull();
        drain();
    }

    /** Forgets what the pipeline wrote so far. */
    private void drain() {
        pipeline.events.readValuesToList();
        pipeline.commandsOut.readRecordsToList();
        pipeline.adminCommandsOut.readRecordsToList();
        pipeline.replies.readValuesToList();
    }

    private Reply session(Method method, String subject, String sessionId, String used, String amount) {
        CallDescriptor descriptor = new CallDescriptor(0, "vdf", subject, method == Method.SESSION_START ? "0256" : null,
                null, null, amount == null ? null : new BigDecimal(amount), null, sessionId,
                used == null ? null : new BigDecimal(used));
        Command command = pipeline.command(method, descriptor, now);
        log.add(command);
        Reply reply = pipeline.send(command);
        pipeline.events.readValuesToList();
        return reply;
    }

    private void advance(Duration by) {
        now = now.plus(by);
        pipeline.advanceWallClock(by);
    }

    /** The expiry commands the check wrote since the last call, in order; they are in the log too. */
    private List<Command> expiriesWritten() {
        List<Command> written = pipeline.adminCommandsOut.readValuesToList();
        log.addAll(written);
        return written;
    }

    private KeyValueStore<Bytes, byte[]> deadlines() {
        return pipeline.driver.getKeyValueStore(RatestreamTopology.SESSION_DEADLINES_STORE);
    }

    private static int count(KeyValueStore<Bytes, byte[]> store) {
        int n = 0;
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            for (; all.hasNext(); all.next()) {
                n++;
            }
        }
        return n;
    }

    private UserBudget rif() {
        return pipeline.budgets().get("vdf:rif");
    }

    @Test
    void shouldExpireASessionWhoseDeadlineIsBelowWhatTheChecksHaveAlreadyPassed() {
        session(Method.SESSION_START, "rif", "call-1", null, "60");
        advance(Duration.ofSeconds(125)); // the checks have passed W0 + 60 s
        assertThat(expiriesWritten()).extracting(c -> c.descriptor().sessionId()).containsExactly("call-1");
        drain();

        // a grant accepted earlier than that (a switch's late record, a clock behind): its deadline is W0 + 30 s
        Instant wallClock = now;
        now = W0;
        session(Method.SESSION_START, "rif", "call-2", null, "30");
        now = wallClock;
        advance(Duration.ofSeconds(5));

        assertThat(expiriesWritten()).extracting(c -> c.descriptor().sessionId()).containsExactly("call-2");
        assertThat(count(deadlines())).isZero();
    }

    @Test
    void shouldChargeEveryGrantedSecondOfAnAbandonedSessionOnceItsGrantAndTheGraceHaveRunOut() {
        assertThat(session(Method.SESSION_START, "rif", "call-1", null, "60").value()).isEqualByComparingTo("60");
        assertThat(count(deadlines())).isEqualTo(1);

        advance(Duration.ofSeconds(115)); // 60 s granted + 55 s: within the grace
        assertThat(expiriesWritten()).isEmpty();
        assertThat(rif().session("call-1")).isNotNull();

        advance(Duration.ofSeconds(5)); // 60 + 60: the check after it writes the expiry
        List<Command> written = expiriesWritten();

        assertThat(written).singleElement().satisfies(expiry -> {
            assertThat(expiry.method()).isEqualTo(Method.SESSION_EXPIRY);
            assertThat(expiry.key()).isEqualTo("vdf:rif");
            assertThat(expiry.descriptor().sessionId()).isEqualTo("call-1");
            assertThat(expiry.descriptor().amount()).isEqualByComparingTo("1"); // the first grant
            assertThat(expiry.acceptedAt()).isEqualTo(W0.plusSeconds(120)); // the check's wall-clock time
            assertThat(expiry.requestId()).isEqualTo("expiry:1:" + W0.plusSeconds(60).toEpochMilli() + ":vdf:rif:call-1");
        });
        assertThat(expiriesWritten.get()).isEqualTo(1);
        // admitted, then applied as its copy: the whole grant charged, 60 s at 0.2
        Reply applied = pipeline.replies.readValue();
        assertThat(applied.requestId()).isEqualTo(written.get(0).requestId());
        assertThat(applied.value()).isEqualByComparingTo("12");
        BudgetEvent event = pipeline.events.readValue();
        RatedCall call = event.ratedCall();
        assertThat(call.endedBy()).isEqualTo(RatedCall.EndedBy.EXPIRY);
        assertThat(call.sessionId()).isEqualTo("call-1");
        assertThat(call.used()).isEqualByComparingTo("60");
        assertThat(call.granted()).isEqualByComparingTo("60");
        assertThat(call.cost()).isEqualByComparingTo("12");
        assertThat(rif().credit()).isEqualByComparingTo("18");
        assertThat(rif().sessions()).isEmpty();
        assertThat(count(deadlines())).isZero();

        // the switch's late End: the session is gone, the call stays charged at its grant
        Reply late = session(Method.SESSION_END, "rif", "call-1", "200", null);
        assertThat(late.errorKind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(rif().credit()).isEqualByComparingTo("18");
        advance(Duration.ofMinutes(5));
        assertThat(expiriesWritten()).as("written once").isEmpty();
    }

    @Test
    void shouldExpireAnUpdatedSessionAtItsNewDeadlineNotItsOldOne() {
        session(Method.SESSION_START, "rif", "call-2", null, "60");
        advance(Duration.ofSeconds(50));
        assertThat(session(Method.SESSION_UPDATE, "rif", "call-2", "50", "60").value()).isEqualByComparingTo("60");
        assertThat(count(deadlines())).as("the old grant's deadline gone, the new one's there").isEqualTo(1);

        advance(Duration.ofSeconds(70)); // W0 + 120: the first grant's deadline plus the grace
        assertThat(expiriesWritten()).isEmpty();
        advance(Duration.ofSeconds(45)); // W0 + 165: the update's grant ends at W0 + 110, + 60 is W0 + 170
        assertThat(expiriesWritten()).isEmpty();
        assertThat(rif().session("call-2").reserved()).isEqualByComparingTo("110");

        advance(Duration.ofSeconds(5));
        List<Command> written = expiriesWritten();

        assertThat(written).singleElement().satisfies(expiry ->
                assertThat(expiry.descriptor().amount()).isEqualByComparingTo("2"));
        // 50 s used + 60 s granted, every second charged: 110 s at 0.2
        assertThat(pipeline.replies.readValue().value()).isEqualByComparingTo("22");
        assertThat(pipeline.events.readValue().ratedCall().used()).isEqualByComparingTo("110");
        assertThat(rif().credit()).isEqualByComparingTo("8");
        assertThat(count(deadlines())).isZero();
    }

    @Test
    void shouldNeverExpireAnEndedSession() {
        session(Method.SESSION_START, "rif", "call-3", null, "60");
        advance(Duration.ofSeconds(30));
        assertThat(session(Method.SESSION_END, "rif", "call-3", "30", null).value()).isEqualByComparingTo("6");
        assertThat(count(deadlines())).isZero();

        advance(Duration.ofMinutes(10));

        assertThat(expiriesWritten()).isEmpty();
        assertThat(expiriesWritten.get()).isZero();
        assertThat(rif().credit()).isEqualByComparingTo("24");
    }

    @Test
    void shouldLeaveASessionGrantedAgainSinceTheExpiryItWasWrittenFor() {
        session(Method.SESSION_START, "rif", "call-4", null, "60");
        session(Method.SESSION_UPDATE, "rif", "call-4", "10", "60");
        // an expiry of the first grant, as if written just before the update was applied
        Command stale = new Command("stale-expiry", Method.SESSION_EXPIRY, new CallDescriptor(0, "vdf", "rif", null,
                null, null, BigDecimal.ONE, null, "call-4", null), now, null, null);

        assertThat(pipeline.send(stale).value()).isEqualByComparingTo("0");
        assertThat(rif().session("call-4").grants()).isEqualTo(2);
        assertThat(count(deadlines())).isEqualTo(1);
        // the update's grant (accepted at W0 too) ends where the first did: its entry took the first one's place
        advance(Duration.ofSeconds(120));
        assertThat(expiriesWritten()).singleElement().satisfies(expiry ->
                assertThat(expiry.descriptor().amount()).isEqualByComparingTo("2"));
        assertThat(rif().sessions()).isEmpty();
        assertThat(rif().credit()).isEqualByComparingTo("16"); // 10 + 60 s at 0.2
    }

    @Test
    void shouldApplyAChangedGraceToSessionsAlreadyOpen() {
        session(Method.SESSION_START, "rif", "call-5", null, "60");
        pipeline.close();
        // The state an instance restarted with --session-grace 10 restores: the deadlines are stored without
        // the grace, byte for byte the same whatever it is.
        Pipeline withDefault = new Pipeline(stateDir.resolve("default"), W0, config -> config.withRefillCheck(null),
                CommandMetrics.NONE);
        pipeline = new Pipeline(stateDir.resolve("short"), W0, config -> config.withRefillCheck(null)
                .withSessionGrace(Duration.ofSeconds(10)), metrics);
        try (withDefault) {
            log.forEach(withDefault::send);
            log.forEach(pipeline::send);
            assertThat(entries(deadlines())).hasSize(1).isEqualTo(entries(
                    withDefault.driver.getKeyValueStore(RatestreamTopology.SESSION_DEADLINES_STORE)));
        }
        drain();

        advance(Duration.ofSeconds(65));
        assertThat(expiriesWritten()).isEmpty();
        advance(Duration.ofSeconds(5)); // 60 + 10

        assertThat(expiriesWritten()).hasSize(1);
        assertThat(rif().sessions()).isEmpty();
    }

    private static List<String> entries(KeyValueStore<Bytes, byte[]> store) {
        List<String> entries = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            all.forEachRemaining(entry -> entries.add(entry.key + "=" + Bytes.wrap(entry.value)));
        }
        return entries;
    }

    @Test
    void shouldWriteAtMostTheBoundPerCheckAndTheRestAtTheNextChecks() {
        // 32 subscribers with 32 sessions each, all abandoned at once: more than one check may write
        int subscribers = 32;
        int each = 32;
        assertThat(subscribers * each).isGreaterThan(SessionDeadlines.MAX_EXPIRIES_PER_CHECK);
        RatingProfile rif = Pipeline.DEMO.ratingProfiles().stream()
                .filter(p -> p.subject().equals("rif") && p.destinationPrefix().equals("0256")).findFirst().orElseThrow();
        var profiles = pipeline.driver.createInputTopic(Topics.RATING_PROFILES, new StringSerializer(),
                pipeline.topics.ratingProfiles().valueSerde().serializer());
        for (int s = 0; s < subscribers; s++) {
            RatingProfile copy = new RatingProfile(rif.tor(), "vdf", "bulk" + s, "0256", rif.activationPeriods());
            profiles.pipeInput(copy.key(), copy);
            set(budget("bulk" + s, "1000000"));
            for (int i = 0; i < each; i++) {
                assertThat(session(Method.SESSION_START, "bulk" + s, "c" + i, null, "10").error()).isNull();
            }
        }
        pipeline.replies.readValuesToList();
        assertThat(count(deadlines())).isEqualTo(subscribers * each);

        advance(Duration.ofSeconds(70)); // every session due

        assertThat(expiriesWritten()).hasSize(SessionDeadlines.MAX_EXPIRIES_PER_CHECK);
        assertThat(openSessions(subscribers)).isEqualTo(subscribers * each - SessionDeadlines.MAX_EXPIRIES_PER_CHECK);
        advance(SessionDeadlines.CHECK_INTERVAL);
        assertThat(expiriesWritten()).hasSize(subscribers * each - SessionDeadlines.MAX_EXPIRIES_PER_CHECK);
        assertThat(openSessions(subscribers)).isZero();
        assertThat(count(deadlines())).isZero();
        assertThat(expiriesWritten.get()).isEqualTo(subscribers * each);
        // 10 s at 0.2 for each
        assertThat(pipeline.budgets().get("vdf:bulk0").credit()).isEqualByComparingTo(
                BigDecimal.valueOf(1_000_000 - 2 * each));
    }

    private int openSessions(int subscribers) {
        int open = 0;
        for (int s = 0; s < subscribers; s++) {
            open += pipeline.budgets().get("vdf:bulk" + s).sessions().size();
        }
        return open;
    }

    @Test
    void shouldRebuildTheSameBudgetFromALogWithExpiries() {
        session(Method.SESSION_START, "rif", "a", null, "30");
        session(Method.SESSION_START, "rif", "b", null, "20");
        advance(Duration.ofSeconds(10));
        session(Method.SESSION_UPDATE, "rif", "b", "10", "20");
        session(Method.SESSION_START, "rif", "c", null, "5");
        advance(Duration.ofSeconds(2));
        session(Method.SESSION_END, "rif", "c", "2", null);
        advance(Duration.ofSeconds(100)); // a (deadline W0 + 30) due at W0 + 90; b (W0 + 30) too
        assertThat(expiriesWritten()).hasSize(2);
        UserBudget live = rif();
        assertThat(live.sessions()).isEmpty();
        // 30 s of a (6), 30 s of b (6), 2 s of c (0.4)
        assertThat(live.credit()).isEqualByComparingTo("17.6");

        try (Pipeline replay = new Pipeline(stateDir.resolve("replay"), W0, config -> config.withRefillCheck(null),
                CommandMetrics.NONE)) {
            log.forEach(replay::send);

            assertThat(replay.budgets().get("vdf:rif")).isEqualTo(live);
            KeyValueStore<Bytes, byte[]> replayed = replay.driver.getKeyValueStore(
                    RatestreamTopology.SESSION_DEADLINES_STORE);
            assertThat(count(replayed)).isZero();
        }
    }

    @Test
    void shouldRemoveADeadlineEntryItCannotReadAndGoOn() {
        session(Method.SESSION_START, "rif", "call-6", null, "60");
        byte[] early = new byte[Long.BYTES]; // 1970 with the sign bit flipped: before every real deadline
        early[0] = (byte) 0x80;
        deadlines().put(Bytes.wrap(concat(early, "no separator".getBytes(StandardCharsets.UTF_8))),
                new byte[] {0, 0, 0, 1});
        deadlines().put(Bytes.wrap(concat(early, "vdf:rif\u001fx".getBytes(StandardCharsets.UTF_8))),
                new byte[] {1}); // a value that is not a grant number

        advance(Duration.ofSeconds(120));

        assertThat(expiriesWritten()).singleElement().satisfies(expiry ->
                assertThat(expiry.descriptor().sessionId()).isEqualTo("call-6"));
        assertThat(count(deadlines())).isZero();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void shouldHashTheRequestIdOfAnExpiryThatWouldBeTooLong() {
        String longSession = "s".repeat(Names.MAX_SESSION_ID);
        OpenSession session = new OpenSession(longSession, "0256", 0, W0.atOffset(java.time.ZoneOffset.UTC),
                BigDecimal.ZERO, BigDecimal.TEN, BigDecimal.TEN, W0, 3, BigDecimal.ONE);
        SessionDeadlines.Due due = new SessionDeadlines.Due(SessionDeadlines.key("vdf:rif", session), "vdf", "rif",
                longSession, 3, session.grantRunsOut());

        Command expiry = SessionDeadlines.command(due, W0.plusSeconds(100));

        assertThat(expiry.requestId()).hasSizeLessThanOrEqualTo(Names.MAX_REQUEST_ID)
                .startsWith("expiry:3:" + W0.plusSeconds(10).toEpochMilli() + ":").doesNotContain(longSession);
        assertThat(SessionDeadlines.command(due, W0.plusSeconds(200)).requestId()).isEqualTo(expiry.requestId());
    }

    @Test
    void shouldRoundADeadlineUpToTheMillisecondAndOrderKeysByIt() {
        OpenSession early = new OpenSession("x", "0256", 0, W0.atOffset(java.time.ZoneOffset.UTC), BigDecimal.ZERO,
                new BigDecimal("1.0001"), new BigDecimal("1.0001"), W0, 1, BigDecimal.ONE);
        OpenSession late = new OpenSession("a", "0256", 0, W0.atOffset(java.time.ZoneOffset.UTC), BigDecimal.ZERO,
                new BigDecimal("1.002"), new BigDecimal("1.002"), W0, 1, BigDecimal.ONE);

        assertThat(early.grantRunsOut()).isEqualTo(W0.plusMillis(1001));
        assertThat(SessionDeadlines.key("vdf:zz", early).compareTo(SessionDeadlines.key("vdf:aa", late))).isNegative();
    }
}
