package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.model.Keys;
import io.ratestream.schemas.model.UserBudget;
import io.ratestream.schemas.topics.Topics;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.utils.Utils;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's proof: a three-node KRaft cluster ({@code ratestream kafka}, three processes), two streams
 * instances ({@code ratestream streams}, same application id, own state dirs, 4 partitions, their default
 * standby replica and 1.5 s session) and a gateway, each a process of its own on loopback. Ledger clients
 * debit a few hundred subscribers with request ids through the gateway's JSON-RPC/TCP listener and send
 * every unanswered call again with the same request id; during the load one broker is SIGKILLed (the
 * leader of partition 0 of ratestream.commands; in the second run the active controller), and once every
 * partition answers again, one streams instance. Proven: every call was answered, every answer was the
 * exact expected credit, and every subscriber's credit read back at the end is its start less its
 * acknowledged debits (each request id applied once: none lost, none doubled).
 *
 * <p>Measured, printed and appended to target/cluster-failover-report.txt, never asserted: per kill, the
 * time until every command partition answers again (one probe per partition, calling all the time), the
 * debits that timed out (the gateway's outcome unknown or the client's read timeout) and the latency
 * percentiles of the debits begun in the 10 s after the kill. Run alone:
 * {@code mvn -B -o -pl app -am verify -Dit.test=ClusterFailoverIT -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ClusterFailoverIT {

    private static final int PARTITIONS = 4;
    private static final int LEDGER_THREADS = 8;
    private static final int SUBSCRIBERS_PER_THREAD = 25;
    private static final BigDecimal CREDIT = new BigDecimal("1000000");
    /** Load before the first kill, and the quiet time after each recovery. */
    private static final Duration STEADY = Duration.ofSeconds(6);
    /** The window after a kill whose debits' latency and timeouts are reported. */
    private static final Duration EVENT_WINDOW = Duration.ofSeconds(10);
    /** The most a kill's recovery is waited for (bounds the test when the product does not recover). */
    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(90);
    private static final Path REPORT = Path.of("target", "cluster-failover-report.txt");

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String tenant = "fo" + run;
    private ClusterProcesses processes;
    private FailoverLedger ledger;
    private final int[] kafkaPorts = new int[3];
    private String bootstrap;
    private int tcp;
    private int http;
    private final StringBuilder report = new StringBuilder();

    @AfterEach
    void stop() throws InterruptedException {
        if (ledger != null) {
            ledger.stop();
        }
        if (processes != null) {
            processes.close();
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void shouldLoseAndDoubleNoDebitWhenTheCommandLeaderBrokerAndAStreamsInstanceAreKilled(@TempDir Path dir)
            throws Exception {
        scenario(dir, "partition-leader", admin -> {
            TopicDescription commands = admin.describeTopics(List.of(Topics.COMMANDS)).allTopicNames().get()
                    .get(Topics.COMMANDS);
            return commands.partitions().get(0).leader().id();
        });
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void shouldLoseAndDoubleNoDebitWhenTheActiveControllerAndAStreamsInstanceAreKilled(@TempDir Path dir)
            throws Exception {
        scenario(dir, "controller", admin -> admin.describeMetadataQuorum().quorumInfo().get().leaderId());
    }

    /** Which node to kill, asked of the cluster. */
    private interface Victim {
        int nodeId(Admin admin) throws Exception;
    }

    private void scenario(Path dir, String what, Victim victim) throws Exception {
        Assumptions.assumeFalse(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).startsWith("windows"),
                "SIGKILL is POSIX");
        processes = new ClusterProcesses(Path.of("target", "cluster-failover-logs", what));
        long startup = System.nanoTime();
        startCluster(dir);
        List<String> probes = probeSubjects();
        List<List<String>> byThread = IntStream.range(0, LEDGER_THREADS).mapToObj(t -> IntStream
                .range(0, SUBSCRIBERS_PER_THREAD).mapToObj(i -> "s" + t + "-" + i).toList()).toList();
        load(byThread, probes);
        double startupSeconds = (System.nanoTime() - startup) / 1e9;

        ledger = new FailoverLedger(tcp, tenant, run);
        ledger.startLedger(byThread, CREDIT);
        ledger.startProbes(probes);
        TimeUnit.MILLISECONDS.sleep(STEADY.toMillis());
        long baselineFrom = System.nanoTime() - STEADY.toNanos() / 2;

        int node;
        try (Admin admin = admin()) {
            node = victim.nodeId(admin);
        }
        long brokerKill = kill("kafka" + node);
        awaitRecovery(brokerKill, "kafka" + node);
        TimeUnit.MILLISECONDS.sleep(STEADY.toMillis());
        long streamsKill = kill("streams2");
        awaitRecovery(streamsKill, "streams2");
        TimeUnit.MILLISECONDS.sleep(STEADY.toMillis());
        ledger.stop();

        // Compared as numbers: 999997.87654321 and 999997.876543210 are the same credit.
        Map<String, BigDecimal> expected = new TreeMap<>();
        ledger.expectedCredits().forEach((subject, credit) -> expected.put(subject, credit.stripTrailingZeros()));
        Map<String, BigDecimal> read = new TreeMap<>();
        for (String subject : expected.keySet()) {
            read.put(subject, ledger.credit(subject).stripTrailingZeros());
        }

        report.append(String.format("%nratestream cluster failover (ClusterFailoverIT), %s, run %s: kill the %s "
                        + "(node %d), then a streams instance%n", Instant.now(), run, what, node));
        report.append(String.format("machine: %d cores, 1-minute load average %s; start-up of 3 brokers, 2 streams "
                        + "instances, the gateway and %d budgets took %.1f s%n",
                Runtime.getRuntime().availableProcessors(), loadAverage(), expected.size() + probes.size(),
                startupSeconds));
        report.append(String.format("ledger: %d threads x %d subscribers, sequential DebitBalance with request ids; "
                + "%d probes (one per partition)%n", LEDGER_THREADS, SUBSCRIBERS_PER_THREAD, probes.size()));
        report.append("  before the kills: ").append(ledger.window(baselineFrom, brokerKill).line()).append('\n');
        section("SIGKILL broker node " + node + " (the " + what.replace('-', ' ') + ")", brokerKill);
        section("SIGKILL streams instance 2 of 2", streamsKill);
        long debits = ledger.debits.size();
        report.append(String.format("  in all: %d debits, retries by kind %s%n", debits,
                new TreeMap<>(ledger.retriesByKind.entrySet().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum())))));
        synchronized (ledger.problems) {
            ledger.problems.stream().limit(20).forEach(p -> report.append("  problem: ").append(p).append('\n'));
        }
        System.out.print(report);
        Files.writeString(REPORT, report, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);

        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(ledger.problems).as("wrong credits, errors and unanswered debits").isEmpty();
        softly.assertThat(ledger.debits).as("every debit answered").allMatch(FailoverLedger.Debit::answered);
        softly.assertThat(ledger.debits.size()).as("debits made").isGreaterThan(LEDGER_THREADS * 10);
        softly.assertThat(read).as("each subscriber's credit read back: the start less its acknowledged debits")
                .isEqualTo(expected);
        for (long killed : List.of(brokerKill, streamsKill)) {
            softly.assertThat(ledger.underWay(killed, killed + EVENT_WINDOW.toNanos()))
                    .as("debits under way in the %d s after a kill", EVENT_WINDOW.toSeconds()).isPositive();
        }
        softly.assertAll();
    }

    /** Three brokers at once (each waits for a majority), two streams instances, the gateway. */
    private void startCluster(Path dir) throws Exception {
        int[] controllerPorts = new int[3];
        for (int i = 0; i < 3; i++) {
            kafkaPorts[i] = ClusterProcesses.freePort();
            controllerPorts[i] = ClusterProcesses.freePort();
        }
        String voters = IntStream.range(0, 3).mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts[i])
                .collect(Collectors.joining(","));
        bootstrap = Arrays.stream(kafkaPorts).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        for (int i = 0; i < 3; i++) {
            processes.start("kafka" + (i + 1), "512m", "kafka", "--node-id", String.valueOf(i + 1), "--kafka-port",
                    String.valueOf(kafkaPorts[i]), "--controller-port", String.valueOf(controllerPorts[i]), "--voters",
                    voters, "--data-dir", dir.resolve("kafka" + (i + 1)).toString());
        }
        for (int i = 1; i <= 3; i++) {
            processes.await("kafka" + i, "^ready in ", 180);
        }
        for (int i = 1; i <= 2; i++) {
            processes.start("streams" + i, "512m", "streams", "--bootstrap", bootstrap, "--state-dir",
                    dir.resolve("streams" + i).toString(), "--partitions", String.valueOf(PARTITIONS));
        }
        tcp = ClusterProcesses.freePort();
        http = ClusterProcesses.freePort();
        processes.start("gateway", "384m", "gateway", "--bootstrap", bootstrap, "--jsonrpc-port", String.valueOf(tcp),
                "--http-port", String.valueOf(http));
        for (int i = 1; i <= 2; i++) {
            // Anywhere in a line: a log line written at the same moment can split the ready line (CI saw
            // "streams app " and "ratestream running against ..." on two lines), as processes.sh learned too.
            processes.await("streams" + i, "running against", 240);
        }
        awaitStatus("the gateway ready", () -> Wire.get(http, "/health/ready").statusCode() == 200);
        awaitStatus("both streams instances sharing the " + PARTITIONS + " command partitions", this::shared);
    }

    /** Whether the gateway's /status shows two instances that together own every command partition. */
    private boolean shared() throws Exception {
        HttpResponse<String> status = Wire.get(http, "/status");
        JsonNode instances = RpcConnection.MAPPER.readTree(status.body()).path("StreamsInstances");
        List<Integer> owned = new ArrayList<>();
        int active = 0;
        for (JsonNode instance : instances) {
            int before = owned.size();
            instance.path("CommandPartitions").forEach(p -> owned.add(p.asInt()));
            active += owned.size() > before ? 1 : 0;
        }
        return active == 2 && owned.stream().sorted().toList().equals(IntStream.range(0, PARTITIONS).boxed().toList());
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitStatus(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + what + " within 180 s");
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    /** A subscriber of this tenant on each command partition (the producers' partitioner: murmur2 of the key). */
    private List<String> probeSubjects() {
        String[] found = new String[PARTITIONS];
        for (int i = 0; Arrays.stream(found).anyMatch(s -> s == null); i++) {
            String subject = "probe" + i;
            byte[] key = Keys.budget(tenant, subject).getBytes(StandardCharsets.UTF_8);
            int partition = Utils.toPositive(Utils.murmur2(key)) % PARTITIONS;
            if (found[partition] == null) {
                found[partition] = subject;
            }
        }
        return List.of(found);
    }

    /** The budgets, through the loader as `ratestream load` writes them (it waits for every budget's reply). */
    private void load(List<List<String>> byThread, List<String> probes) throws Exception {
        List<UserBudget> budgets = new ArrayList<>();
        byThread.forEach(subjects -> subjects.forEach(s -> budgets.add(budget(s))));
        probes.forEach(s -> budgets.add(budget(s)));
        Loader.Report loaded = new Loader(bootstrap, Clock.systemUTC())
                .load(new DataSet(List.of(), List.of(), List.of(), budgets), tenant, Duration.ofSeconds(120));
        assertThat(loaded.errors()).as("budgets loaded").isEmpty();
        assertThat(loaded.budgets()).isEqualTo(budgets.size());
    }

    /** A budget with only money, never refilled (no reset day), so that only debits change it. */
    private static UserBudget budget(String subject) {
        return new UserBudget(subject, CREDIT, null, null, null, null, 0, null, List.of(), null);
    }

    private Admin admin() {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return Admin.create(properties);
    }

    /** SIGKILLs {@code name}; returns when it was killed ({@link System#nanoTime()}, just before the signal). */
    private long kill(String name) throws InterruptedException {
        long at = System.nanoTime();
        processes.kill(name);
        return at;
    }

    /** Waits until every partition's probe answered a call begun after the kill. */
    private void awaitRecovery(long killed, String name) throws InterruptedException {
        long deadline = killed + RECOVERY_LIMIT.toNanos();
        while (!ledger.recovered(killed, PARTITIONS)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not every partition answered within " + RECOVERY_LIMIT.toSeconds()
                        + " s of the SIGKILL of " + name + ": " + Arrays.toString(ledger.recoveryMillis(killed,
                        PARTITIONS)));
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private void section(String title, long killed) {
        long[] recovery = ledger.recoveryMillis(killed, PARTITIONS);
        report.append("  ").append(title).append(":\n");
        report.append(String.format("    every partition answering again after %d ms (per partition %s ms)%n",
                Arrays.stream(recovery).max().orElse(-1), Arrays.toString(recovery)));
        report.append("    in the ").append(EVENT_WINDOW.toSeconds()).append(" s after the kill: ")
                .append(ledger.window(killed, killed + EVENT_WINDOW.toNanos()).line()).append('\n');
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
