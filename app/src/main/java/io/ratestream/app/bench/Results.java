package io.ratestream.app.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import org.HdrHistogram.Histogram;

/** The summary, printed for a person and as JSON: the same figures in both. */
final class Results {

    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final String[] NAMES = {"p50", "p90", "p99", "p99.9"};

    private Results() {
    }

    static void print(PrintStream out, LoadDriver.Outcome outcome, BenchCommand.Verdict verdict, Floor.Result floor) {
        Histogram h = outcome.latencyMicros();
        LoadDriver.Counts warmup = outcome.warmup();
        if (warmup.requests() > 0) {
            out.printf("warm-up (not counted below): requests %d, errors %d, debits retried after a timeout %d%n",
                    warmup.requests(), warmup.errors(), warmup.retries());
        }
        LoadDriver.Counts measured = outcome.measured();
        out.printf("requests %d in %.1f s: %.0f req/s, errors %d, debits retried after a timeout %d%n",
                measured.requests(), outcome.seconds(), measured.requests() / outcome.seconds(), measured.errors(),
                measured.retries());
        StringBuilder line = new StringBuilder("latency ms:");
        for (int i = 0; i < PERCENTILES.length; i++) {
            line.append(String.format(" %s %.2f", NAMES[i], BenchCommand.millis(h, PERCENTILES[i])));
        }
        line.append(String.format(" max %.2f", h.getMaxValue() / 1000.0));
        out.println(line);
        if (floor != null) {
            double base = floor.p50Millis();
            StringBuilder ratios = new StringBuilder(String.format("x Kafka one-hop p50 (%.3f ms):", base));
            for (int i = 0; i < PERCENTILES.length; i++) {
                ratios.append(String.format(" %s %.1f", NAMES[i], BenchCommand.millis(h, PERCENTILES[i]) / base));
            }
            ratios.append(String.format(" max %.1f", h.getMaxValue() / 1000.0 / base));
            out.println(ratios);
        }
        outcome.errorKinds().forEach((kind, count) -> out.println("  error x" + count.sum() + ": " + kind));
        verdict.inconclusive().forEach(subject -> out.println("inconclusive: " + subject));
        verdict.problems().forEach(problem -> out.println("FAILED: " + problem));
        out.println(verdict.problems().isEmpty() ? "self-check passed: every budget equals its start minus the "
                + "acknowledged debits (" + verdict.checked() + " subjects sent a debit checked; the other "
                + (outcome.debitsSent().length() - verdict.checked() - verdict.inconclusive().size())
                + " got none)" : "self-check FAILED: " + verdict.problems().size() + " difference(s)");
    }

    static ObjectNode json(ObjectMapper mapper, LoadDriver.Settings settings, LoadDriver.Outcome outcome,
            BenchCommand.Verdict verdict, Floor.Result floor) {
        Histogram h = outcome.latencyMicros();
        ObjectNode json = mapper.createObjectNode();
        LoadDriver.Counts measured = outcome.measured();
        json.put("tenant", settings.tenant()).put("subscribers", settings.subjects().size())
                .put("protocol", settings.protocol().optionValue()).put("connections", settings.connections())
                .put("inFlight", settings.rate() > 0 ? 0 : settings.inFlight())
                .put("sockets", settings.protocol().sockets(settings.connections(), settings.inFlight()))
                .put("rate", settings.rate()).put("mix", settings.mix().toString())
                .put("warmupSeconds", settings.warmup().toSeconds())
                .put("warmupRequests", outcome.warmup().requests()).put("warmupErrors", outcome.warmup().errors())
                .put("durationSeconds", settings.duration().toSeconds()).put("elapsedSeconds", outcome.seconds())
                .put("requests", measured.requests()).put("errors", measured.errors())
                .put("retries", measured.retries())
                .put("throughput", measured.requests() / outcome.seconds());
        ObjectNode latency = json.putObject("latencyMs");
        for (int i = 0; i < PERCENTILES.length; i++) {
            latency.put(NAMES[i], BenchCommand.millis(h, PERCENTILES[i]));
        }
        latency.put("max", h.getMaxValue() / 1000.0);
        if (floor != null) {
            double base = floor.p50Millis();
            json.putObject("floorMs").put("p50", base).put("p99", floor.p99Millis())
                    .put("roundTrips", floor.micros().getTotalCount());
            ObjectNode ratios = json.putObject("ratioToFloorP50");
            latency.fields().forEachRemaining(e -> ratios.put(e.getKey(), e.getValue().asDouble() / base));
        }
        ObjectNode check = json.putObject("check");
        check.put("passed", verdict.problems().isEmpty()).put("checkedSubjects", verdict.checked());
        check.putPOJO("problems", verdict.problems());
        check.putPOJO("inconclusive", verdict.inconclusive());
        long balances = 0;
        long seconds = 0;
        for (int i = 0; i < outcome.debitBalances().length(); i++) {
            balances += outcome.debitBalances().get(i);
            seconds += outcome.debitSeconds().get(i);
        }
        check.put("acknowledgedDebitBalance", balances).put("acknowledgedDebitSeconds", seconds);
        ObjectNode errorKinds = json.putObject("errorKinds");
        outcome.errorKinds().forEach((kind, count) -> errorKinds.put(kind, count.sum()));
        return json;
    }
}
