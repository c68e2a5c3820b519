package io.ratestream.streams.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.streams.StreamsApp;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.TopicSetup;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two streams instances share a 4-partition commands topic; one, a separate process, is killed
 * (SIGKILL) in the middle of a debit load. The survivor takes its partitions over; clients retry
 * timed-out debits with the same request id. No acknowledged debit may be lost and none doubled.
 */
@ExtendWith(KafkaBrokerExtension.class)
class FailoverTest {

    private static final Instant T0 = Instant.parse("2012-02-02T17:00:00Z");
    private static final int SUBJECTS = 8;
    private static final int DEBITS_PER_SUBJECT = 40;
    private static final BigDecimal DEBIT = new BigDecimal("0.25");
    private static final BigDecimal START = new BigDecimal("1000");

    @Test
    void shouldLoseAndDoubleNoDebitWhenAnInstanceIsKilledMidLoad(KafkaBroker broker, @TempDir Path dir) throws Exception {
        String bootstrap = broker.bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String appId = "it-failover-" + run;
        TopicSetup.ensure(bootstrap, 4, (short) 1);
        List<String> subjects = new ArrayList<>();
        for (int i = 0; i < SUBJECTS; i++) {
            subjects.add("fo-" + run + "-" + i);
        }

        Process other = startOtherInstance(bootstrap, appId, dir.resolve("b"));
        try (TestClient client = new TestClient(bootstrap);
                StreamsApp survivor = StreamsApp.start(StreamsAppConfig.defaults(bootstrap, dir.resolve("a"))
                        .withApplicationId(appId).withRefillCheck(null))) {
            assertThat(survivor.awaitRunning(Duration.ofSeconds(60))).isTrue();
            awaitMembers(bootstrap, appId, 2);
            for (String subject : subjects) {
                UserBudget budget = new UserBudget(subject, START, null, null, null, null, 0, null, null, null);
                Reply set = client.call(new Command("set-" + subject, Method.SET_USER_BUDGET, descriptor(subject, null),
                        T0, null, budget), Duration.ofSeconds(30));
                assertThat(set.error()).isNull();
            }

            AtomicInteger acknowledged = new AtomicInteger();
            Map<String, AtomicInteger> perSubject = new ConcurrentHashMap<>();
            subjects.forEach(s -> perSubject.put(s, new AtomicInteger()));
            ExecutorService senders = Executors.newFixedThreadPool(16);
            List<Future<?>> work = new ArrayList<>();
            for (int n = 0; n < DEBITS_PER_SUBJECT; n++) {
                for (String subject : subjects) {
                    String requestId = "debit-" + subject + "-" + n;
                    work.add(senders.submit(() -> {
                        debitUntilAcknowledged(client, subject, requestId);
                        perSubject.get(subject).incrementAndGet();
                        acknowledged.incrementAndGet();
                        return null;
                    }));
                }
            }
            int total = SUBJECTS * DEBITS_PER_SUBJECT;
            while (acknowledged.get() < total / 3) {
                Thread.sleep(10);
            }
            other.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            int atKill = acknowledged.get();
            for (Future<?> each : work) {
                each.get(180, TimeUnit.SECONDS);
            }
            senders.shutdown();

            assertThat(atKill).isLessThan(total);
            for (String subject : subjects) {
                Reply balance = client.call(new Command("balance-" + subject, Method.DEBIT_BALANCE,
                        descriptor(subject, "0"), T0, null, null), Duration.ofSeconds(30));
                BigDecimal expected = START.subtract(DEBIT.multiply(BigDecimal.valueOf(perSubject.get(subject).get())));
                assertThat(balance.value()).as(subject).isEqualByComparingTo(expected);
            }
        } finally {
            other.destroyForcibly();
        }
    }

    private static CallDescriptor descriptor(String subject, String amount) {
        return new CallDescriptor(0, "vdf", subject, null, null, null, amount == null ? null : new BigDecimal(amount),
                null);
    }

    /** Sends a debit and retries it, with the same request id, until it is acknowledged. */
    private static void debitUntilAcknowledged(TestClient client, String subject, String requestId) throws Exception {
        Command debit = new Command(requestId, Method.DEBIT_BALANCE, descriptor(subject, DEBIT.toPlainString()), T0,
                null, null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (true) {
            try {
                Reply reply = client.call(debit, Duration.ofSeconds(5));
                assertThat(reply.error()).isNull();
                return;
            } catch (TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("debit " + requestId + " never acknowledged", e);
                }
            }
        }
    }

    private static Process startOtherInstance(String bootstrap, String appId, Path stateDir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                InstanceMain.class.getName(), bootstrap, stateDir.toString(), appId);
        builder.redirectErrorStream(true);
        builder.redirectOutput(Path.of("target", "failover-other-instance.log").toFile());
        return builder.start();
    }

    private static void awaitMembers(String bootstrap, String appId, int members) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline) {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(appId)).all().get().get(appId);
                if (group.members().size() == members && group.members().stream()
                        .allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the group " + appId + " never had " + members + " members with partitions");
    }
}
