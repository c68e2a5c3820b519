package io.ratestream.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ratestream.app.Loader;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.MinuteBucket;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.UserBudget;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import io.ratestream.app.cli.SharedOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ratestream bench}: a load generator that checks its own work, against a running system.
 *
 * <p>It loads {@code --subscribers} budgets under {@code --tenant} through the loader path (rating profiles
 * copied from the demo's {@code vdf:rif} ones, plus the demo's destinations and plans), drives the gateway
 * with JSON-RPC over TCP or HTTP ({@code --protocol}) for {@code --warmup} then {@code --duration} seconds
 * with a mix of GetCost, DebitBalance, DebitSeconds and GetMaxSessionTime, then reads back the budgets the
 * run sent a debit to and compares them with the loaded ones. Only the {@code --duration} part is in the
 * reported figures; the check counts the debits of both.
 *
 * <p><b>Why the expected budget is exact.</b> A bench budget has credit {@value #CREDIT}, no tariff plan
 * (so no discount, bonus or refill) and exactly one minute bucket: {@value #FREE_SECONDS} free seconds on
 * {@code retea} (which holds 0723). So a DebitSeconds of 1 s on 0723 always draws that free bucket and
 * never touches the credit, and DebitBalance 0.01 touches only the credit. A budget is read with
 * DebitBalance amount 0 (the answer is the credit) and DebitSeconds 0723 amount 0 (the answer is the
 * seconds available, i.e. the bucket, as the credit buys no priced bucket seconds); neither changes it.
 * Then {@code credit_after = credit_before - 0.01 x acknowledged DebitBalance} and
 * {@code seconds_after = seconds_before - 1 x acknowledged DebitSeconds}, in BigDecimal. A debit answered
 * "timeout" or "unavailable" is sent again with the same RequestId until it gets a real answer (the
 * streams app applies a request id once), so every debit is counted exactly once; a debit still
 * unanswered when the run ends makes its subject inconclusive (reported, not failed). Any other
 * difference fails the run with exit code 1 and a sentence naming the subject and the amount.
 *
 * <p><b>Why the loaded values are the start, and the debited subjects are enough.</b> Reading every
 * budget before and after a run takes minutes at a million subscribers, so neither is done. The load sets
 * each budget to {@value #CREDIT} and {@value #FREE_SECONDS} seconds: its SetUserBudget commands carry the
 * run id, so the streams app applies them even where an earlier run left the same subjects debited (a
 * request id it has already processed would be answered from its idempotency store and change nothing),
 * and the load returns only once each one is answered without error. Those are the values before the run.
 * In the run only DebitBalance and DebitSeconds change a budget (GetCost and GetMaxSessionTime only read
 * it), so a subject the run sent no debit to still holds its loaded values, and only the subjects it sent
 * a debit to (acknowledged, refused or unanswered) are read back. A lost debit leaves its subject above the
 * expected value and a doubled one below it, and that subject is one of those read back; a debit applied
 * to the wrong subject still shows, as a lost debit on the subject it was sent for. What goes unseen is a
 * change to a subject the run never debited, which no debit of the run can have caused.
 *
 * <p><b>What it sends.</b> JSON-RPC 1.0 by default ({@code --jsonrpc-version}), as Go's
 * {@code net/rpc/jsonrpc} client and so the 2012 switches send it; 2.0 on request. Both over TCP and over
 * HTTP ({@code POST /jsonrpc} answers in the request's version too). {@code --mix go} is the Go client of
 * issue 13: half GetCost of the worked example (two spans), half DebitBalance.
 *
 * <p><b>CPU.</b> On Linux it finds the ratestream server JVMs of the stack under load
 * ({@link ServerProcesses}; or {@code --cpu-pids}) and reports, for them and for itself, the CPU of the
 * measured window per completed call, and the JIT compiler threads' share of a core in each progress
 * second ({@link CpuWatch}).
 *
 * <p>Runs on the calling thread plus one sender thread per {@code --connections} and a thread per socket:
 * one reader per TCP connection, or one per HTTP connection ({@code --connections} x {@code --in-flight}),
 * and one thread that reads /proc at the two ends of the measured window.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Drives a running gateway with JSON-RPC over TCP or HTTP (--protocol) with a mix",
            "of calls, prints throughput and latency percentiles (HdrHistogram) after a",
            "warm-up, writes them as JSON, and checks that every acknowledged debit was",
            "applied exactly once (exit 1 when one was lost or doubled).",
            "Sends JSON-RPC 1.0 as Go's net/rpc/jsonrpc client does (--jsonrpc-version).",
            "On Linux it also prints, per ratestream process of the stack under load and for",
            "itself, the CPU of the measured window per completed call (lines 'cpu: ...'),",
            "and after each progress line the cores used by each server's JIT compiler",
            "threads ('jit ROLE PID J of C cores'). The Go client of issue 13 is",
            "--connections 50 --in-flight 4 --mix go (benchmarks/scripts/go-mix.sh)."})
public final class BenchCommand implements Callable<Integer> {

    static final String CREDIT = "1000000";
    static final String FREE_SECONDS = "1000000000";
    private static final int READ_BATCH = 200;
    private static final int READ_ATTEMPTS = 10;

    @Option(names = "--protocol", defaultValue = "jsonrpc", converter = Protocol.Converter.class,
            description = "jsonrpc: JSON-RPC over TCP to --server, each connection's calls in flight pipelined on it; "
                    + "http: the same JSON-RPC requests as POST /jsonrpc to --http-server, on --connections x "
                    + "--in-flight keep-alive HTTP/1.1 connections carrying one call at a time, so as many calls are "
                    + "in flight as with jsonrpc (default: ${DEFAULT-VALUE})")
    Protocol protocol;

    @Option(names = "--server", defaultValue = "${env:RATESTREAM_SERVER:-127.0.0.1:2001}",
            description = "JSON-RPC/TCP address of the gateway, for --protocol jsonrpc (default: ${DEFAULT-VALUE})")
    String server;

    @Option(names = "--http-server", defaultValue = "${env:RATESTREAM_HTTP_SERVER:-127.0.0.1:8000}",
            description = "HTTP address of the gateway, for --protocol http (default: ${DEFAULT-VALUE})")
    String httpServer;

    /** Kafka, for loading the bench budgets and measuring the floor. */
    @Mixin
    SharedOptions.Kafka kafka;

    @Option(names = "--api-key", defaultValue = "${env:RATESTREAM_API_KEY}",
            description = "the API key of a gateway started with --auth (needs the roles rate and charge for the "
                    + "bench tenant): Responder.Authenticate on each TCP connection, a Bearer header over HTTP")
    String apiKey;

    @Option(names = "--connections", defaultValue = "10",
            description = "clients, each with its own sender: with jsonrpc one TCP connection each, with http "
                    + "--in-flight HTTP connections each (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--in-flight", defaultValue = "1",
            description = "closed loop: calls in flight per client; with http also the HTTP connections per client "
                    + "(one call at a time each), in the open loop too, where a call waits for a free connection and "
                    + "that wait counts in its latency (default: ${DEFAULT-VALUE})")
    int inFlight;

    @Option(names = "--rate", defaultValue = "0",
            description = "open loop: calls per second in total, latency counted from the scheduled send time; "
                    + "0 = closed loop (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--subscribers", defaultValue = "1000", description = "bench budgets (default: ${DEFAULT-VALUE})")
    int subscribers;

    @Option(names = "--tenant", defaultValue = "bench", description = "tenant of the bench budgets (default: ${DEFAULT-VALUE})")
    String tenant;

    @Option(names = "--mix", defaultValue = Mix.DEFAULT,
            description = "relative weights of the calls getcost, debitbalance, debitseconds, getmaxsessiontime, "
                    + "or a preset: 'go' = getcost=50,debitbalance=50, the Go client of issue 13 (its GetCost is the "
                    + "worked example, vdf:rif's profile on 0256 from 2012-02-02 17:30 to 18:30 UTC: two spans, cost "
                    + "540); 'default' = the default (default: ${DEFAULT-VALUE})")
    String mix;

    @Option(names = "--jsonrpc-version", defaultValue = "1.0", converter = JsonRpcVersion.Converter.class,
            description = "1.0: requests as Go's net/rpc/jsonrpc client writes them, {\"method\":..,\"params\":[..],"
                    + "\"id\":N}, answered {\"id\":N,\"result\":..,\"error\":..} (what the 2012 switches send); 2.0: "
                    + "with \"jsonrpc\":\"2.0\", answered with 2.0 error objects. Over TCP and HTTP alike "
                    + "(default: ${DEFAULT-VALUE})")
    JsonRpcVersion jsonRpcVersion;

    @Option(names = "--cpu-pids", split = ",", paramLabel = "PID",
            description = "the processes whose CPU per call to report (with bench's own), instead of the ratestream "
                    + "server JVMs (dev, kafka, streams, gateway) found holding a socket on the Kafka bootstrap or "
                    + "gateway port bench uses (Linux /proc; elsewhere no CPU is reported)")
    List<Long> cpuPids;

    @Option(names = "--warmup", defaultValue = "5",
            description = "seconds of the same load before --duration, left out of the reported throughput and "
                    + "latency: the JIT is still compiling the broker, streams app and gateway for the first tens of "
                    + "seconds and that dominates early numbers. Its debits are still checked (budgets are read "
                    + "before the warm-up); 0 = none (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--duration", defaultValue = "10",
            description = "seconds of measured load, after --warmup (default: ${DEFAULT-VALUE})")
    int duration;

    @Option(names = "--json-out", defaultValue = "bench-result.json",
            description = "where to write the results as JSON (default: ${DEFAULT-VALUE})")
    Path jsonOut;

    @Option(names = "--demo-dir", defaultValue = "demo/cgrates-2012",
            description = "the demo data whose vdf:rif profiles, destinations and plans are used (default: ${DEFAULT-VALUE})")
    Path demoDir;

    /** Kafka client properties for every client the bench creates: the loader's, the floor's admin and clients. */
    @Mixin
    SharedOptions.KafkaProperties kafkaProperties;

    @Option(names = "--stall-timeout-seconds", defaultValue = "60",
            description = "loading the bench budgets fails once no record was acknowledged by Kafka or applied by the "
                    + "streams app for this long; a load that keeps progressing waits as long as it needs "
                    + "(default: ${DEFAULT-VALUE})")
    int stallTimeoutSeconds;

    @Option(names = "--load-timeout-seconds", defaultValue = "0",
            description = "the longest loading the bench budgets may take, however it progresses; 0 = no limit, only "
                    + "--stall-timeout-seconds (default: ${DEFAULT-VALUE})")
    int loadTimeoutSeconds;

    @Option(names = "--drain-seconds", defaultValue = "30",
            description = "after the run, the longest to wait for answers to calls in flight (default: ${DEFAULT-VALUE})")
    int drainSeconds;

    @Option(names = "--floor-round-trips", defaultValue = "1000",
            description = "Kafka one-hop round trips measured as the floor; 0 skips it (default: ${DEFAULT-VALUE})")
    int floorRoundTrips;

    private final ObjectMapper mapper = Json.newMapper();

    @Override
    public Integer call() throws Exception {
        if (connections < 1 || inFlight < 1 || subscribers < 1 || duration < 1 || stallTimeoutSeconds < 1 || rate < 0
                || warmup < 0 || loadTimeoutSeconds < 0) {
            throw new IllegalArgumentException("--connections, --in-flight, --subscribers, --duration and "
                    + "--stall-timeout-seconds must be at least 1, --rate, --warmup and --load-timeout-seconds at least 0");
        }
        Mix parsedMix = Mix.parse(mix);
        PrintStream out = System.out;
        CpuWatch cpu = cpuWatch(out);
        String runId = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> subjects = subjects(subscribers);
        load(subjects, runId, out);
        Floor.Result floor = floorRoundTrips > 0
                ? new Floor(kafka.bootstrap, kafkaProperties.values).measure(floorRoundTrips) : null;
        if (floor != null) {
            out.printf("floor: Kafka one-hop p50 %.3f ms, p99 %.3f ms (%d round trips)%n", floor.p50Millis(),
                    floor.p99Millis(), floorRoundTrips);
        }
        List<RpcClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                clients.add(connect());
            }
            LoadDriver.Settings settings = new LoadDriver.Settings(tenant, subjects, parsedMix, protocol, connections,
                    inFlight, rate, Duration.ofSeconds(warmup), Duration.ofSeconds(duration),
                    Duration.ofSeconds(drainSeconds), runId);
            out.println(describe(parsedMix));
            LoadDriver.Outcome outcome = new LoadDriver(settings).run(clients, out,
                    cpu == null ? LoadDriver.Watcher.NONE : cpu);
            List<Integer> debited = debited(outcome);
            Verdict verdict = check(subjects, debited, read(clients, subjects, debited, runId + "-after"), outcome);
            ObjectNode json = Results.json(mapper, settings, outcome, verdict, floor);
            json.put("jsonRpcVersion", jsonRpcVersion.toString());
            Results.print(out, outcome, verdict, floor);
            CpuWatch.Report cpuReport = cpu == null ? null : cpu.report();
            if (cpuReport != null) {
                cpuReport.print(out);
                cpuReport.json(json.putObject("cpu"));
            }
            Files.write(jsonOut, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
            out.println("wrote " + jsonOut);
            return verdict.problems().isEmpty() ? 0 : 1;
        } finally {
            for (RpcClient client : clients) {
                client.close();
            }
        }
    }

    /**
     * Budgets in flight while bench loads: it loads before it measures, so it favours the load's speed over
     * the calls of whatever else the system serves (the fastest of the limits measured in docs/performance.md,
     * "Loading into a live system"; `ratestream load` keeps fewer).
     */
    static final int LOAD_MAX_IN_FLIGHT = 10_000;

    /** Loads the bench budgets, set anew for this run (see the class comment). */
    private void load(List<String> subjects, String runId, PrintStream out) throws Exception {
        long started = System.nanoTime();
        DataSet data = benchData(new CgratesFiles(mapper).readDirectory(demoDir), tenant, subjects);
        // Progress on standard error, as `ratestream load` does: standard output keeps the bench's report.
        Loader loader = new Loader(kafka.bootstrap, kafkaProperties.values, Clock.systemUTC())
                .withProgress(System.err, Loader.DEFAULT_PROGRESS_INTERVAL)
                .withStallTimeout(Duration.ofSeconds(stallTimeoutSeconds))
                .withTimeout(Duration.ofSeconds(loadTimeoutSeconds))
                .withMaxInFlight(LOAD_MAX_IN_FLIGHT);
        Loader.Report report = loader.load(data, tenant, runId);
        if (!report.errors().isEmpty()) {
            throw new IllegalStateException("loading the bench budgets was refused: " + report.errors().get(0));
        }
        out.printf("loaded %d bench budgets under tenant %s in %.1f s%n", subjects.size(), tenant,
                (System.nanoTime() - started) / 1e9);
    }

    private RpcClient connect() throws IOException {
        return protocol == Protocol.HTTP ? new HttpRpcClient(httpServer, inFlight, mapper, jsonRpcVersion, apiKey)
                : new TcpRpcClient(server, mapper, jsonRpcVersion, apiKey);
    }

    /** What to watch, said on {@code out}; null (nothing measured) without /proc. */
    private CpuWatch cpuWatch(PrintStream out) {
        if (!ProcCpu.available()) {
            out.println("cpu: not measured: /proc/self/stat is not readable here (CPU per call needs Linux's /proc)");
            return null;
        }
        ServerProcesses processes = new ServerProcesses();
        List<ServerProcesses.Watched> servers = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (cpuPids != null && !cpuPids.isEmpty()) {
            long self = ProcessHandle.current().pid();
            cpuPids.stream().filter(pid -> pid != self).distinct().map(processes::named).forEach(servers::add);
        } else {
            ServerProcesses.Found found = processes.find(ports());
            servers.addAll(found.servers());
            found.skipped().forEach(skipped -> notes.add("left out " + skipped));
            if (servers.isEmpty()) {
                notes.add("no ratestream server process found on ports " + ServerProcesses.text(ports())
                        + " (is the stack in this JVM or in a container? name its processes with --cpu-pids)");
            }
        }
        ProcCpu progressCpu = new ProcCpu();
        CpuWatch watch = new CpuWatch(servers, notes, progressCpu, new ProcCpu(Path.of("/proc"),
                progressCpu.ticksPerSecond()));
        out.println("cpu: watching " + watch.watched().stream().map(w -> w.role() + " pid " + w.pid()).toList());
        return watch;
    }

    /** The Kafka bootstrap ports and the gateway port this run uses. */
    private Set<Integer> ports() {
        Set<Integer> ports = new TreeSet<>();
        for (String address : kafka.bootstrap.split(",")) {
            ports.add(port(address));
        }
        ports.add(port(protocol == Protocol.HTTP ? httpServer : server));
        ports.remove(-1);
        return ports;
    }

    private static int port(String address) {
        try {
            String trimmed = address.trim();
            return Integer.parseInt(trimmed.substring(trimmed.lastIndexOf(':') + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return -1;
        }
    }

    private String describe(Mix parsedMix) {
        return String.format("running %d s warm-up + %d s over %s: %d clients on %d connections, %s, mix %s, "
                        + "JSON-RPC %s", warmup, duration,
                protocol == Protocol.HTTP ? "HTTP to " + httpServer : "JSON-RPC/TCP to " + server,
                connections, protocol.sockets(connections, inFlight),
                rate > 0 ? "open loop at " + rate + " calls/s" : inFlight + " in flight each", parsedMix,
                jsonRpcVersion);
    }

    static List<String> subjects(int count) {
        List<String> subjects = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            subjects.add(String.format("bench-%06d", i));
        }
        return subjects;
    }

    /** The demo's destinations and plans, its vdf:rif profiles copied to every bench subject, and the budgets. */
    static DataSet benchData(DataSet demo, String tenant, List<String> subjects) {
        List<RatingProfile> rif = demo.ratingProfiles().stream()
                .filter(p -> p.cstmId().equals("vdf") && p.subject().equals("rif")).toList();
        if (rif.isEmpty()) {
            throw new IllegalArgumentException("the demo data has no vdf:rif rating profile: check --demo-dir");
        }
        List<RatingProfile> profiles = new ArrayList<>();
        List<UserBudget> budgets = new ArrayList<>();
        for (String subject : subjects) {
            for (RatingProfile p : rif) {
                profiles.add(new RatingProfile(p.tor(), tenant, subject, p.destinationPrefix(), p.activationPeriods()));
            }
            budgets.add(budget(subject));
        }
        return new DataSet(profiles, demo.destinations(), demo.tariffPlans(), budgets);
    }

    static UserBudget budget(String subject) {
        MinuteBucket retea = new MinuteBucket(new BigDecimal(FREE_SECONDS), 20, BigDecimal.ZERO, "retea");
        return new UserBudget(subject, new BigDecimal(CREDIT), BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                BigDecimal.ZERO, 0, null, List.of(retea), null);
    }

    /** The subjects the run sent a debit to, by index. */
    static List<Integer> debited(LoadDriver.Outcome outcome) {
        List<Integer> debited = new ArrayList<>();
        for (int i = 0; i < outcome.debitsSent().length(); i++) {
            if (outcome.debitsSent().get(i) > 0) {
                debited.add(i);
            }
        }
        return debited;
    }

    /**
     * Reads the credit (DebitBalance 0) and seconds on 0723 (DebitSeconds 0) of the subjects at
     * {@code indexes}, in batches spread over the clients (an HTTP client carries only --in-flight calls at a time).
     */
    private List<BudgetCheck.Snapshot> read(List<RpcClient> clients, List<String> subjects, List<Integer> indexes,
            String prefix) throws Exception {
        List<BudgetCheck.Snapshot> snapshots = new ArrayList<>();
        for (int from = 0; from < indexes.size(); from += READ_BATCH) {
            List<CompletableFuture<BigDecimal>> credits = new ArrayList<>();
            List<CompletableFuture<BigDecimal>> seconds = new ArrayList<>();
            for (int i = from; i < Math.min(indexes.size(), from + READ_BATCH); i++) {
                String subject = subjects.get(indexes.get(i));
                RpcClient client = clients.get(i % clients.size());
                ObjectNode credit = Op.DEBIT_BALANCE.descriptor(tenant, subject, prefix + "-c-" + i).put("Amount", 0);
                ObjectNode secs = Op.DEBIT_SECONDS.descriptor(tenant, subject, prefix + "-s-" + i).put("Amount", 0);
                credits.add(readNumber(client, Op.DEBIT_BALANCE, credit, subject, READ_ATTEMPTS));
                seconds.add(readNumber(client, Op.DEBIT_SECONDS, secs, subject, READ_ATTEMPTS));
            }
            for (int k = 0; k < credits.size(); k++) {
                snapshots.add(new BudgetCheck.Snapshot(credits.get(k).get(60, TimeUnit.SECONDS),
                        seconds.get(k).get(60, TimeUnit.SECONDS)));
            }
        }
        return snapshots;
    }

    private CompletableFuture<BigDecimal> readNumber(RpcClient client, Op op, ObjectNode descriptor, String subject,
            int attempts) {
        return client.call(op.method, descriptor).thenCompose(reply -> {
            if (RpcClient.isRetriable(reply) && attempts > 1) {
                return readNumber(client, op, descriptor, subject, attempts - 1);
            }
            if (RpcClient.isError(reply)) {
                throw new IllegalStateException("cannot read the budget of " + tenant + ":" + subject + " ("
                        + op.method + " amount 0): " + RpcClient.errorText(reply));
            }
            JsonNode result = reply.get("result");
            return CompletableFuture.completedFuture(result.decimalValue());
        });
    }

    /** The self-check's outcome: its failures, the subjects it could not judge, and how many it judged. */
    record Verdict(List<String> problems, List<String> inconclusive, int checked) {
    }

    /**
     * Compares each debited subject (by index into {@code subjects}) as read after the run ({@code after},
     * in the same order) with its loaded values minus its acknowledged debits.
     */
    static Verdict check(List<String> subjects, List<Integer> debited, List<BudgetCheck.Snapshot> after,
            LoadDriver.Outcome outcome) {
        BudgetCheck.Snapshot loaded = new BudgetCheck.Snapshot(new BigDecimal(CREDIT), new BigDecimal(FREE_SECONDS));
        List<String> problems = new ArrayList<>();
        List<String> inconclusive = new ArrayList<>();
        for (int k = 0; k < debited.size(); k++) {
            int i = debited.get(k);
            long unanswered = outcome.unresolved().get(i);
            if (unanswered > 0) {
                inconclusive.add(subjects.get(i) + " (" + unanswered + " debit(s) never answered)");
                continue;
            }
            problems.addAll(BudgetCheck.problems(subjects.get(i), loaded, after.get(k),
                    outcome.debitBalances().get(i), outcome.debitSeconds().get(i)));
        }
        return new Verdict(problems, inconclusive, debited.size() - inconclusive.size());
    }

    static double millis(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }
}
