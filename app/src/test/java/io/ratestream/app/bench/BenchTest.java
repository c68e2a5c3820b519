package io.ratestream.app.bench;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.app.DevStack;
import io.ratestream.app.cli.RatestreamCli;
import io.ratestream.gateway.GatewayApp;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.json.Json;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BiFunction;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaBrokerExtension.class)
class BenchTest {

    private static final Path DEMO = Path.of("..", "demo", "cgrates-2012");
    private static final ObjectMapper MAPPER = Json.newMapper();

    /** One stack for the tests that need one, started on first use: each such test uses its own tenant. */
    @TempDir
    static Path stackDir;
    private static DevStack stack;

    private static synchronized DevStack stack(KafkaBroker broker) throws InterruptedException {
        if (stack == null) {
            stack = DevStack.start(StreamsAppConfig.defaults(broker.bootstrapServers(), stackDir.resolve("state"))
                            .withApplicationId("bench-" + UUID.randomUUID().toString().substring(0, 8)),
                    GatewayConfig.defaults(broker.bootstrapServers()).withPorts(0, 0), Duration.ofSeconds(90));
        }
        return stack;
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldParseTheMixAndPickInProportion() {
        Mix mix = Mix.parse("getcost=40, DebitBalance=30,debitseconds=20,getmaxsessiontime=10");

        assertThat(mix.total()).isEqualTo(100);
        assertThat(mix.pick(0)).isEqualTo(Op.GET_COST);
        assertThat(mix.pick(39)).isEqualTo(Op.GET_COST);
        assertThat(mix.pick(40)).isEqualTo(Op.DEBIT_BALANCE);
        assertThat(mix.pick(70)).isEqualTo(Op.DEBIT_SECONDS);
        assertThat(mix.pick(99)).isEqualTo(Op.GET_MAX_SESSION_TIME);
    }

    @Test
    void shouldGiveLeftOutCallsNoWeight() {
        Mix mix = Mix.parse("debitbalance=1");

        assertThat(mix.total()).isEqualTo(1);
        assertThat(mix.pick(0)).isEqualTo(Op.DEBIT_BALANCE);
        assertThat(mix.weight(Op.GET_COST)).isZero();
    }

    @Test
    void shouldRefuseABadMix() {
        assertThatThrownBy(() -> Mix.parse("getcost=40,sms=3")).hasMessageContaining("unknown call 'sms'");
        assertThatThrownBy(() -> Mix.parse("getcost")).hasMessageContaining("name=weight");
        assertThatThrownBy(() -> Mix.parse("getcost=-1")).hasMessageContaining("negative");
        assertThatThrownBy(() -> Mix.parse("getcost=x")).hasMessageContaining("whole number");
        assertThatThrownBy(() -> Mix.parse("getcost=0")).hasMessageContaining("positive");
    }

    @Test
    void shouldExpectTheStartMinusTheAcknowledgedDebitsExactly() {
        assertThat(BudgetCheck.expectedCredit(new BigDecimal("1000000"), 3)).isEqualByComparingTo("999999.97");
        assertThat(BudgetCheck.expectedCredit(new BigDecimal("0.1"), 10)).isEqualByComparingTo("0");
        assertThat(BudgetCheck.expectedSeconds(new BigDecimal("1000000000"), 7)).isEqualByComparingTo("999999993");
    }

    @Test
    void shouldPassWhenTheBudgetAddsUp() {
        var before = new BudgetCheck.Snapshot(new BigDecimal("1000000"), new BigDecimal("1000000000"));
        var after = new BudgetCheck.Snapshot(new BigDecimal("999999.98"), new BigDecimal("999999995"));

        assertThat(BudgetCheck.problems("s1", before, after, 2, 5)).isEmpty();
    }

    @Test
    void shouldNameTheSubjectAndAmountOfALostOrDoubledDebit() {
        var before = new BudgetCheck.Snapshot(new BigDecimal("1000000"), new BigDecimal("100"));
        var doubled = new BudgetCheck.Snapshot(new BigDecimal("999999.97"), new BigDecimal("100"));
        var lost = new BudgetCheck.Snapshot(new BigDecimal("1000000"), new BigDecimal("99"));

        assertThat(BudgetCheck.problems("s1", before, doubled, 2, 0)).singleElement().asString()
                .contains("subject s1", "off by -0.01", "1 debit(s) too many");
        assertThat(BudgetCheck.problems("s2", before, lost, 0, 2)).singleElement().asString()
                .contains("subject s2", "seconds on 0723", "off by 1", "1 acknowledged debit(s) lost");
    }

    @Test
    void shouldCheckOnlyTheSubjectsSentADebitAgainstTheLoadedValues() {
        List<String> subjects = List.of("s0", "s1", "s2", "s3");
        // s0: two DebitBalance acknowledged; s1: nothing; s2: one DebitSeconds acknowledged; s3: one refused
        LoadDriver.Outcome outcome = outcome(new long[] {2, 0, 1, 1}, new long[] {2, 0, 0, 0},
                new long[] {0, 0, 1, 0});
        List<Integer> debited = BenchCommand.debited(outcome);
        BigDecimal credit = new BigDecimal(BenchCommand.CREDIT);
        BigDecimal seconds = new BigDecimal(BenchCommand.FREE_SECONDS);
        var s0 = new BudgetCheck.Snapshot(credit.subtract(new BigDecimal("0.02")), seconds);
        var s2Doubled = new BudgetCheck.Snapshot(credit, seconds.subtract(new BigDecimal("2")));
        var s3 = new BudgetCheck.Snapshot(credit, seconds);

        BenchCommand.Verdict verdict = BenchCommand.check(subjects, debited, List.of(s0, s2Doubled, s3), outcome);

        assertThat(debited).containsExactly(0, 2, 3);
        assertThat(verdict.checked()).isEqualTo(3);
        assertThat(verdict.problems()).singleElement().asString()
                .contains("subject s2", "seconds on 0723", "1 debit(s) too many");
        var s3Applied = new BudgetCheck.Snapshot(credit.subtract(new BigDecimal("0.01")), seconds);
        assertThat(BenchCommand.check(subjects, debited, List.of(s0, s3, s3Applied), outcome).problems())
                .as("s2 lost its debit, s3's refused debit was applied").hasSize(2);
    }

    private static LoadDriver.Outcome outcome(long[] sent, long[] balances, long[] seconds) {
        return new LoadDriver.Outcome(new Histogram(3), new LoadDriver.Counts(0, 0, 0),
                new LoadDriver.Counts(0, 0, 0), 1, new AtomicLongArray(sent), new AtomicLongArray(balances),
                new AtomicLongArray(seconds), new AtomicLongArray(sent.length), Map.of());
    }

    @Test
    void shouldRunAgainstTheStackAndCheckItsOwnWork(KafkaBroker broker, @TempDir Path temp) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Path json = temp.resolve("bench-result.json");
        DevStack stack = stack(broker);
        int code = RatestreamCli.execute("bench", "--server", "127.0.0.1:" + stack.gateway().jsonRpcPort(),
                "--bootstrap", broker.bootstrapServers(), "--tenant", "bench" + run, "--subscribers", "20",
                "--connections", "4", "--in-flight", "2", "--warmup", "0", "--duration", "3",
                "--floor-round-trips", "200", "--demo-dir", DEMO.toString(), "--json-out", json.toString());

        assertThat(code).isZero();
        // The open loop on the same subjects, debited by the first run: its load sets them anew (the check
        // starts from the loaded values), and the check passes only if it did.
        int openLoop = RatestreamCli.execute("bench", "--server", "127.0.0.1:" + stack.gateway().jsonRpcPort(),
                "--bootstrap", broker.bootstrapServers(), "--tenant", "bench" + run, "--subscribers", "20",
                "--connections", "2", "--rate", "100", "--warmup", "0", "--duration", "2", "--floor-round-trips", "0",
                "--demo-dir", DEMO.toString(), "--json-out", temp.resolve("open-loop.json").toString());

        assertThat(openLoop).isZero();
        assertThat(MAPPER.readTree(Files.readAllBytes(temp.resolve("open-loop.json"))).get("rate").asDouble())
                .isEqualTo(100.0);
        JsonNode result = MAPPER.readTree(Files.readAllBytes(json));
        JsonNode latency = result.get("latencyMs");
        assertThat(result.get("protocol").asText()).isEqualTo("jsonrpc");
        assertThat(result.get("warmupRequests").asLong()).isZero();
        assertThat(result.get("throughput").asDouble()).isPositive();
        assertThat(latency.get("p50").asDouble()).isLessThanOrEqualTo(latency.get("p99").asDouble());
        assertThat(latency.get("p99").asDouble()).isLessThanOrEqualTo(latency.get("max").asDouble());
        assertThat(result.at("/check/passed").asBoolean()).isTrue();
        assertThat(result.at("/check/inconclusive")).isEmpty();
        assertThat(result.at("/check/acknowledgedDebitBalance").asLong()).isPositive();
        assertThat(result.at("/check/checkedSubjects").asInt()).isBetween(1, 20);
        assertThat(result.get("errors").asLong()).isZero();
    }

    @Test
    void shouldRunOverHttpWithAWarmUpAndCheckItsOwnWork(KafkaBroker broker, @TempDir Path temp) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Path json = temp.resolve("http.json");
        DevStack stack = stack(broker);

        // Nothing listens on --server's port 1: the run can only succeed over HTTP.
        int code = RatestreamCli.execute("bench", "--protocol", "http",
                "--http-server", "127.0.0.1:" + stack.gateway().httpPort(), "--server", "127.0.0.1:1",
                "--bootstrap", broker.bootstrapServers(), "--tenant", "benchhttp" + run, "--subscribers", "20",
                "--connections", "2", "--in-flight", "2", "--warmup", "1", "--duration", "2",
                "--floor-round-trips", "0", "--demo-dir", DEMO.toString(), "--json-out", json.toString());

        assertThat(code).isZero();
        JsonNode result = MAPPER.readTree(Files.readAllBytes(json));
        assertThat(result.get("protocol").asText()).isEqualTo("http");
        assertThat(result.get("sockets").asInt()).isEqualTo(4);
        assertThat(result.get("warmupSeconds").asInt()).isEqualTo(1);
        assertThat(result.get("warmupRequests").asLong()).isPositive();
        assertThat(result.get("warmupErrors").asLong()).isZero();
        assertThat(result.get("requests").asLong()).isPositive();
        assertThat(result.get("errors").asLong()).isZero();
        assertThat(result.at("/check/passed").asBoolean()).isTrue();
        assertThat(result.at("/check/inconclusive")).isEmpty();
        assertThat(result.at("/check/acknowledgedDebitBalance").asLong()).isPositive();
    }

    @Test
    void shouldRunTheGoMixOverJsonRpc10AndPrintTheCpuPerCallAndTheJit(KafkaBroker broker, @TempDir Path temp)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Path json = temp.resolve("go.json");
        DevStack stack = stack(broker);
        CliRun bench;
        // The stack runs in this JVM, so bench finds no server process of its own: a stand-in named with
        // --cpu-pids shows the table and the JIT lines.
        try (CpuBurner.Running server = CpuBurner.start("gateway")) {
            bench = cli("bench", "--server", "127.0.0.1:" + stack.gateway().jsonRpcPort(),
                    "--bootstrap", broker.bootstrapServers(), "--tenant", "benchgo" + run, "--subscribers", "20",
                    "--connections", "4", "--in-flight", "4", "--mix", "go", "--jsonrpc-version", "1.0",
                    "--warmup", "2", "--duration", "2", "--floor-round-trips", "0", "--cpu-pids",
                    Long.toString(server.pid()), "--demo-dir", DEMO.toString(), "--json-out", json.toString());

            assertThat(bench.code()).as(bench.out() + bench.err()).isZero();
            String pid = Long.toString(server.pid());
            String self = Long.toString(ProcessHandle.current().pid());
            List<String> lines = bench.out().lines().toList();
            assertThat(lines).anyMatch(l -> l.matches("\\[ *\\d+ s warm-up\\] jit  process " + pid
                    + " \\d+\\.\\d\\d of \\d+\\.\\d\\d cores"));
            assertThat(lines).anyMatch(l -> l.matches("\\[ *\\d+ s\\] jit  process " + pid
                    + " \\d+\\.\\d\\d of \\d+\\.\\d\\d cores"));
            // benchmarks/scripts/processes.sh's progress_lines still reads the progress lines.
            assertThat(lines).anyMatch(l -> l.matches("\\[ *[0-9]+ s\\] +[0-9.]+ req/s +errors [0-9]+ +retries [0-9]+ "
                    + "+p50 [0-9.]+ ms +p99 [0-9.]+ ms +max [0-9.]+ ms"));
            assertThat(lines).anyMatch(l -> l.matches("cpu: process pid " + pid + ": \\d+\\.\\d\\d s, "
                    + "\\d+\\.\\d\\d cores, \\d+ us/call"));
            assertThat(lines).anyMatch(l -> l.startsWith("cpu: bench pid " + self + ": "));
            assertThat(lines).anyMatch(l -> l.startsWith("cpu: servers total: "));
            assertThat(lines).anyMatch(l -> l.startsWith("requests ") && l.contains(" req/s, errors 0,"));
        }
        JsonNode result = MAPPER.readTree(Files.readAllBytes(json));
        assertThat(result.get("jsonRpcVersion").asText()).isEqualTo("1.0");
        assertThat(result.get("mix").asText()).isEqualTo("getcost=50,debitbalance=50,debitseconds=0,getmaxsessiontime=0");
        assertThat(result.get("errors").asLong()).isZero();
        assertThat(result.at("/check/passed").asBoolean()).isTrue();
        assertThat(result.at("/check/acknowledgedDebitBalance").asLong()).isPositive();
        assertThat(result.at("/check/acknowledgedDebitSeconds").asLong()).isZero();
        JsonNode cpu = result.get("cpu");
        assertThat(cpu.get("calls").asLong()).isPositive();
        assertThat(cpu.get("processes")).extracting(p -> p.get("role").asText()).containsExactly("process", "bench");
        JsonNode benchRow = cpu.get("processes").get(1);
        assertThat(benchRow.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(benchRow.get("microsPerCall").asDouble())
                .isEqualTo(benchRow.get("cpuSeconds").asDouble() * 1e6 / cpu.get("calls").asLong());
        assertThat(cpu.at("/servers/cpuSeconds").asDouble()).as("the stand-in burns a core")
                .isEqualTo(cpu.get("processes").get(0).get("cpuSeconds").asDouble()).isPositive();
    }

    @Test
    void shouldSpeakJsonRpc10And20OverTcpAndHttpToTheRealGateway(KafkaBroker broker) throws Exception {
        String tenant = "benchrpc" + UUID.randomUUID().toString().substring(0, 8);
        DevStack stack = stack(broker);
        String subject = loadBench(stack, tenant);
        String tcp = "127.0.0.1:" + stack.gateway().jsonRpcPort();
        String http = "127.0.0.1:" + stack.gateway().httpPort();
        for (JsonRpcVersion version : JsonRpcVersion.values()) {
            try (TcpRpcClient overTcp = new TcpRpcClient(tcp, MAPPER, version, null);
                    HttpRpcClient overHttp = new HttpRpcClient(http, 1, MAPPER, version, null)) {
                for (RpcClient client : List.of(overTcp, overHttp)) {
                    String what = version + " over " + client.getClass().getSimpleName();
                    JsonNode cost = client.call(Op.GET_COST.method, Op.GET_COST.descriptor(tenant, subject, null))
                            .get(30, TimeUnit.SECONDS);
                    JsonNode refused = client.call(Op.DEBIT_BALANCE.method,
                            Op.DEBIT_BALANCE.descriptor(tenant, "nobody", "refused-" + UUID.randomUUID()))
                            .get(30, TimeUnit.SECONDS);

                    // The worked example: two spans, 540. The gateway answers in the version it was asked in.
                    assertThat(cost.at("/result/Cost").decimalValue()).as(what).isEqualByComparingTo("540");
                    assertThat(cost.at("/result/Timespans")).as(what).hasSize(2);
                    assertThat(RpcClient.isError(cost)).as(what).isFalse();
                    assertThat(RpcClient.isError(refused) && !RpcClient.isRetriable(refused)).as(what).isTrue();
                    assertThat(RpcClient.errorText(refused)).as(what).isNotBlank();
                    if (version == JsonRpcVersion.V1_0) {
                        assertThat(cost.has("jsonrpc")).as(what).isFalse();
                        assertThat(cost.get("error").isNull()).as(what + ": 1.0 writes error null").isTrue();
                        assertThat(refused.get("error").isTextual()).as(what).isTrue();
                        assertThat(refused.get("result").isNull()).as(what).isTrue();
                    } else {
                        assertThat(cost.get("jsonrpc").asText()).as(what).isEqualTo("2.0");
                        assertThat(cost.has("error")).as(what).isFalse();
                        assertThat(refused.at("/error/code").asInt()).as(what).isNegative();
                    }
                }
            }
        }
    }

    @Test
    void shouldSendAgainA10DebitWhoseOutcomeIsUnknownAsTheGatewayWordsIt(KafkaBroker broker) throws Exception {
        String tenant = "benchlate" + UUID.randomUUID().toString().substring(0, 8);
        DevStack stack = stack(broker);
        String subject = loadBench(stack, tenant);
        // A gateway that gives up on a reply after 1 ms: a debit's answer is "outcome unknown", as in 1.0 a
        // sentence, which only its words tell from a refusal.
        JsonNode late = null;
        try (GatewayApp hasty = GatewayApp.start(GatewayConfig.defaults(broker.bootstrapServers()).withPorts(0, 0)
                .withReplyTimeout(Duration.ofMillis(1)))) {
            assertThat(hasty.awaitReady(Duration.ofSeconds(60))).isTrue();
            try (TcpRpcClient client = new TcpRpcClient("127.0.0.1:" + hasty.jsonRpcPort(), MAPPER,
                    JsonRpcVersion.V1_0, null)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (late == null && System.nanoTime() < deadline) {
                    // amount 0 changes nothing; a reply that makes it in time is a result, not an error
                    JsonNode reply = client.call(Op.DEBIT_BALANCE.method, Op.DEBIT_BALANCE.descriptor(tenant, subject,
                            "late-" + UUID.randomUUID()).put("Amount", 0)).get(30, TimeUnit.SECONDS);
                    late = RpcClient.isError(reply) ? reply : null;
                }
            }
        }

        assertThat(late).as("an error within 60 s").isNotNull();
        assertThat(late.get("error").isTextual()).isTrue();
        assertThat(RpcClient.errorText(late)).startsWith("outcome unknown");
        assertThat(RpcClient.isRetriable(late)).isTrue();
    }

    @Test
    void shouldWriteTheEnvelopeOfEachVersion() {
        var descriptor = MAPPER.createObjectNode().put("Amount", 1);

        assertThat(JsonRpcVersion.V1_0.request(MAPPER, 7, "Responder.DebitBalance", descriptor).toString())
                .isEqualTo("{\"id\":7,\"method\":\"Responder.DebitBalance\",\"params\":[{\"Amount\":1}]}");
        assertThat(JsonRpcVersion.V2_0.request(MAPPER, 7, "Responder.DebitBalance", descriptor).toString())
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"Responder.DebitBalance\",\"params\":[{\"Amount\":1}]}");
        assertThat(JsonRpcVersion.parse("2.0")).isEqualTo(JsonRpcVersion.V2_0);
        assertThat(JsonRpcVersion.DEFAULT).isEqualTo(JsonRpcVersion.V1_0);
        assertThatThrownBy(() -> JsonRpcVersion.parse("3")).hasMessageContaining("--jsonrpc-version must be 1.0 or 2.0");
        assertThat(RatestreamCli.execute("bench", "--jsonrpc-version", "1")).isEqualTo(2);
        // 1.0 errors are sentences: retried only when they say the outcome is unknown or nothing was sent
        assertThat(RpcClient.isRetriable(MAPPER.createObjectNode().put("error", "Kafka is unavailable (x): try "
                + "again shortly"))).isTrue();
        assertThat(RpcClient.isRetriable(MAPPER.createObjectNode().put("error", "insufficient credit"))).isFalse();
    }

    @Test
    void shouldWrite10RequestsAsGosClientOneALineAndMatchRepliesByNumericId() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                TcpRpcClient client = new TcpRpcClient("127.0.0.1:" + listener.getLocalPort(), MAPPER,
                        JsonRpcVersion.V1_0, null);
                Socket accepted = listener.accept()) {
            CompletableFuture<JsonNode> first = client.call("Responder.GetCost", MAPPER.createObjectNode());
            CompletableFuture<JsonNode> second = client.call("Responder.DebitBalance",
                    MAPPER.createObjectNode().put("Amount", 1));
            BufferedReader in = new BufferedReader(new InputStreamReader(accepted.getInputStream(), UTF_8));

            assertThat(in.readLine()).isEqualTo("{\"id\":1,\"method\":\"Responder.GetCost\",\"params\":[{}]}");
            assertThat(in.readLine())
                    .isEqualTo("{\"id\":2,\"method\":\"Responder.DebitBalance\",\"params\":[{\"Amount\":1}]}");
            // answered out of order, as the gateway may, in 1.0's form
            accepted.getOutputStream().write(("{\"id\":2,\"result\":null,\"error\":\"insufficient credit\"}\n"
                    + "{\"id\":1,\"result\":540,\"error\":null}").getBytes(UTF_8));
            accepted.getOutputStream().flush();
            assertThat(first.get(10, TimeUnit.SECONDS).get("result").asInt()).isEqualTo(540);
            JsonNode refused = second.get(10, TimeUnit.SECONDS);
            assertThat(RpcClient.isError(refused) && !RpcClient.isRetriable(refused)).isTrue();
            assertThat(RpcClient.errorText(refused)).isEqualTo("insufficient credit");
        }
    }

    @Test
    void shouldTakeTheGoPresetAndTheDefaultByName() {
        Mix go = Mix.parse(" Go ");

        assertThat(go.total()).isEqualTo(100);
        assertThat(go.weight(Op.GET_COST)).isEqualTo(50);
        assertThat(go.weight(Op.DEBIT_BALANCE)).isEqualTo(50);
        assertThat(go.weight(Op.DEBIT_SECONDS) + go.weight(Op.GET_MAX_SESSION_TIME)).isZero();
        assertThat(Mix.parse("default").toString()).isEqualTo(Mix.parse(Mix.DEFAULT).toString());
        assertThatThrownBy(() -> Mix.parse("rust")).hasMessageContaining("preset (default, go)");
        // The GetCost both mixes send is the worked example of two spans (the engine's figure: 540).
        assertThat(Op.GET_COST.descriptor("t", "s", null).toString()).contains("\"DestinationPrefix\":\"0256\"",
                "\"TimeStart\":\"2012-02-02T17:30:00Z\"", "\"TimeEnd\":\"2012-02-02T18:30:00Z\"");
    }

    /** Loads one bench subject (the bench's budget and vdf:rif's profiles) under {@code tenant}; returns it. */
    private static String loadBench(DevStack stack, String tenant) throws Exception {
        List<String> subjects = BenchCommand.subjects(1);
        stack.load(BenchCommand.benchData(new CgratesFiles(MAPPER).readDirectory(DEMO), tenant, subjects), tenant,
                Duration.ofSeconds(60));
        return subjects.get(0);
    }

    private record CliRun(int code, String out, String err) {
    }

    /** Runs the CLI in this JVM with its standard output and error captured. */
    private static CliRun cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, UTF_8));
            System.setErr(new PrintStream(errBytes, true, UTF_8));
            int code = RatestreamCli.execute(args);
            return new CliRun(code, outBytes.toString(UTF_8), errBytes.toString(UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void shouldLeaveTheWarmUpOutOfTheFiguresButCountItsDebits() throws Exception {
        List<String> subjects = List.of("s1", "s2", "s3");
        var settings = new LoadDriver.Settings("t", subjects, Mix.parse("debitbalance=1"), Protocol.HTTP, 2, 2, 0,
                Duration.ofSeconds(1), Duration.ofMillis(1500), Duration.ofSeconds(10), "warm");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        LoadDriver.Outcome outcome;
        try (TinyHttpServer server = new TinyHttpServer((request, n) -> pause(1, ok(request)));
                HttpRpcClient first = new HttpRpcClient(server.address(), 2, MAPPER);
                HttpRpcClient second = new HttpRpcClient(server.address(), 2, MAPPER)) {
            outcome = new LoadDriver(settings).run(List.of(first, second), new PrintStream(progress, true, UTF_8));
        }

        long acknowledged = 0;
        for (int i = 0; i < subjects.size(); i++) {
            acknowledged += outcome.debitBalances().get(i);
            assertThat(outcome.unresolved().get(i)).isZero();
        }
        assertThat(outcome.warmup().requests()).isPositive();
        assertThat(outcome.measured().requests()).isPositive();
        assertThat(outcome.warmup().errors() + outcome.measured().errors()).isZero();
        // Every call was a debit: the self-check counts those of both phases, the histogram only the measured ones.
        assertThat(acknowledged).isEqualTo(outcome.warmup().requests() + outcome.measured().requests());
        assertThat(outcome.latencyMicros().getTotalCount()).isEqualTo(outcome.measured().requests());
        List<String> lines = progress.toString(UTF_8).lines().toList();
        assertThat(lines.get(0)).contains("warm-up");
        assertThat(lines).anyMatch(line -> !line.contains("warm-up"));
    }

    @Test
    void shouldCountTheWaitForAFreeHttpConnectionInTheOpenLoop() throws Exception {
        // 100 calls/s on one connection to a server that takes 20 ms a call: calls queue in the client.
        var settings = new LoadDriver.Settings("t", List.of("s1"), Mix.parse("getcost=1"), Protocol.HTTP, 1, 1, 100,
                Duration.ZERO, Duration.ofMillis(500), Duration.ofSeconds(10), "open");
        LoadDriver.Outcome outcome;
        try (TinyHttpServer server = new TinyHttpServer((request, n) -> pause(20, ok(request)));
                HttpRpcClient client = new HttpRpcClient(server.address(), 1, MAPPER)) {
            outcome = new LoadDriver(settings).run(List.of(client), new PrintStream(new ByteArrayOutputStream(), true,
                    UTF_8));
        }

        long calls = outcome.measured().requests();
        assertThat(calls).isBetween(1L, 50L);
        assertThat(outcome.measured().errors()).isZero();
        // Call k is due at 10k ms and cannot be answered before 20(k+1) ms: the last one waited at least
        // 10 ms per call, which only shows when latency counts from the due time, not from the write.
        assertThat(outcome.latencyMicros().getMaxValue()).isGreaterThanOrEqualTo(calls * 10_000);
    }

    @Test
    void shouldOpenExactlyItsConnectionsAndKeepThemAlive() throws Exception {
        try (TinyHttpServer server = new TinyHttpServer((request, n) -> ok(request));
                HttpRpcClient client = new HttpRpcClient(server.address(), 3, MAPPER)) {
            for (int round = 0; round < 5; round++) {
                List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    calls.add(client.call("Responder.GetCost", MAPPER.createObjectNode()));
                }
                for (CompletableFuture<JsonNode> call : calls) {
                    assertThat(call.get(5, TimeUnit.SECONDS).get("result").asText()).isEqualTo("Responder.GetCost");
                }
            }

            assertThat(server.requests.get()).isEqualTo(15);
            assertThat(server.accepted.get()).isEqualTo(3);
        }
    }

    @Test
    void shouldTakeTheProtocolByNameInAnyCase() {
        assertThat(Protocol.parse("http")).isEqualTo(Protocol.HTTP);
        assertThat(Protocol.parse("JsonRpc")).isEqualTo(Protocol.JSONRPC);
        assertThatThrownBy(() -> Protocol.parse("grpc")).hasMessageContaining("--protocol must be jsonrpc or http");
        assertThat(RatestreamCli.execute("bench", "--protocol", "grpc")).isEqualTo(2);
    }

    @Test
    void shouldOpenANewConnectionAfterConnectionClose() throws Exception {
        try (TinyHttpServer server = new TinyHttpServer((request, n) -> request.get("method").asText().equals("last")
                        ? ok(request).replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n") : ok(request));
                HttpRpcClient client = new HttpRpcClient(server.address(), 1, MAPPER)) {
            assertThat(call(client, "first").get("result").asText()).isEqualTo("first");
            assertThat(call(client, "last").get("result").asText()).isEqualTo("last");
            assertThat(server.accepted.get()).isEqualTo(1);

            assertThat(call(client, "again").get("result").asText()).isEqualTo("again");
            assertThat(server.accepted.get()).isEqualTo(2);
        }
    }

    @Test
    void shouldSendOnceMoreWhenTheServerClosedAKeptAliveConnection() throws Exception {
        // The second request on a connection finds it closed, as after the server's idle timeout.
        try (TinyHttpServer server = new TinyHttpServer((request, n) -> n == 2 ? null : ok(request));
                HttpRpcClient client = new HttpRpcClient(server.address(), 1, MAPPER)) {
            assertThat(call(client, "first").get("result").asText()).isEqualTo("first");
            assertThat(call(client, "second").get("result").asText()).isEqualTo("second");
            assertThat(server.accepted.get()).isEqualTo(2);
        }
        // A server that never answers: one more try, not a loop.
        try (TinyHttpServer server = new TinyHttpServer((request, n) -> null);
                HttpRpcClient client = new HttpRpcClient(server.address(), 1, MAPPER)) {
            assertThatThrownBy(() -> call(client, "lost")).hasRootCauseInstanceOf(Http11.ClosedBeforeAnswer.class);
            assertThat(server.requests.get()).isEqualTo(2);
        }
    }

    @Test
    void shouldTurnHttpFailuresIntoJsonRpcErrorsAndRetryOnlyTimeoutAndUnavailable() throws Exception {
        try (TinyHttpServer server = new TinyHttpServer((request, n) -> switch (request.get("method").asText()) {
            case "503" -> http("503 Service Unavailable", "{\"Error\":\"Kafka is unreachable\"}");
            case "504" -> http("504 Gateway Timeout", "{\"Error\":\"no reply within 5 s\"}");
            case "500" -> http("500 Server Error", "{\"Error\":\"internal error\"}");
            case "400" -> http("400 Bad Request", "{\"id\":null,\"result\":null,\"error\":\"malformed JSON: x\"}");
            case "timeout" -> http("200 OK", "{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id")
                    + ",\"error\":{\"code\":-32001,\"message\":\"timeout\"}}");
            default -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "a\r\n{\"result\":\r\n9\r\n\"chunks\"}\r\n0\r\n\r\n";
        }); HttpRpcClient client = new HttpRpcClient(server.address(), 1, MAPPER)) {
            JsonNode unavailable = call(client, "503");
            JsonNode timeout = call(client, "504");

            assertThat(RpcClient.isRetriable(unavailable)).isTrue();
            assertThat(unavailable.at("/error/code").asInt()).isEqualTo(RpcClient.UNAVAILABLE);
            assertThat(RpcClient.errorText(unavailable)).contains("503", "Kafka is unreachable");
            assertThat(RpcClient.isRetriable(timeout)).isTrue();
            assertThat(timeout.at("/error/code").asInt()).isEqualTo(RpcClient.TIMEOUT);
            assertThat(RpcClient.isRetriable(call(client, "timeout"))).isTrue();
            JsonNode internal = call(client, "500");
            assertThat(RpcClient.isError(internal) && !RpcClient.isRetriable(internal)).isTrue();
            assertThat(RpcClient.errorText(internal)).contains("HTTP 500", "internal error");
            JsonNode malformed = call(client, "400");
            assertThat(RpcClient.isRetriable(malformed)).isFalse();
            assertThat(RpcClient.errorText(malformed)).isEqualTo("malformed JSON: x");
            assertThat(call(client, "chunked").get("result").asText()).isEqualTo("chunks");
        }
    }

    private static JsonNode call(RpcClient client, String method) throws Exception {
        return client.call(method, MAPPER.createObjectNode()).get(5, TimeUnit.SECONDS);
    }

    /** A JSON-RPC 2.0 response whose result is the request's method. */
    private static String ok(JsonNode request) {
        return http("200 OK", "{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + ",\"result\":"
                + request.get("method") + "}");
    }

    private static String http(String status, String body) {
        return "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(UTF_8).length + "\r\n\r\n" + body;
    }

    private static String pause(long millis, String response) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return response;
    }

    /**
     * A real HTTP/1.1 server on a loopback port: reads each request (head and Content-Length body) and
     * writes what {@code answer} makes of the JSON request and its number on the connection (1 for the
     * first); null closes the connection without answering. It keeps a connection open after a
     * response with Connection: close, so a client that ignored the header would go on using it.
     */
    private static final class TinyHttpServer implements AutoCloseable {
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final BiFunction<JsonNode, Integer, String> answer;
        private final List<Socket> connections = new CopyOnWriteArrayList<>();

        TinyHttpServer(BiFunction<JsonNode, Integer, String> answer) throws IOException {
            this.answer = answer;
            Thread acceptor = new Thread(this::accept, "tiny-http-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String address() {
            return "127.0.0.1:" + socket.getLocalPort();
        }

        private void accept() {
            try {
                while (true) {
                    Socket connection = socket.accept();
                    accepted.incrementAndGet();
                    connections.add(connection);
                    Thread thread = new Thread(() -> serve(connection), "tiny-http-" + accepted.get());
                    thread.setDaemon(true);
                    thread.start();
                }
            } catch (IOException e) {
                // closed by close()
            }
        }

        private void serve(Socket connection) {
            try (connection) {
                BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(), ISO_8859_1));
                OutputStream out = connection.getOutputStream();
                for (int n = 1; ; n++) {
                    int length = -1;
                    for (String line = in.readLine(); line == null || !line.isEmpty(); line = in.readLine()) {
                        if (line == null) {
                            return;
                        }
                        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring("content-length:".length()).trim());
                        }
                    }
                    char[] body = new char[length];
                    for (int read = 0; read < length; ) {
                        read += in.read(body, read, length - read);
                    }
                    requests.incrementAndGet();
                    String response = answer.apply(MAPPER.readTree(new String(body)), n);
                    if (response == null) {
                        return;
                    }
                    out.write(response.getBytes(UTF_8));
                    out.flush();
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket connection : connections) {
                connection.close();
            }
        }
    }
}
