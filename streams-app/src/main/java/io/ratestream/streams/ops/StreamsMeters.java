package io.ratestream.streams.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ratestream.streams.topology.CommandMetrics;
import io.ratestream.streams.topology.DeadLetterReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The streams app's meters, in one Prometheus registry (names as the gateway's: {@code ratestream.*},
 * which Prometheus writes with underscores, counters ending in {@code _total}):
 *
 * <ul>
 *   <li>{@code ratestream.streams.commands{method,outcome}}: command records handled ({@link CommandMetrics});
 *   <li>{@code ratestream.streams.dead.letters{reason}}: records the command processor dead-lettered, by
 *       {@link DeadLetterReason} (every reason is there from the start, at 0);
 *   <li>{@code ratestream.streams.refills}: monthly refill commands the refill check wrote;
 *   <li>{@code ratestream.streams.session.expiries}: session expiry commands the expiry check wrote;
 *   <li>{@code ratestream.streams.thread.replacements}: failed stream threads replaced;
 *   <li>{@code ratestream.streams.restore.partitions}, {@code ratestream.streams.restore.remaining.records}
 *       (gauges) and {@code ratestream.streams.restored.records} (counter): state restoration;
 *   <li>{@code ratestream.streams.ready} (gauge, 1 or 0): what {@code /health/ready} answers;
 *   <li>Kafka Streams' own metrics and those of its consumers, producers and admin client
 *       ({@code kafka_stream_*}, {@code kafka_consumer_*}, {@code kafka_producer_*}, ...), and the JVM's
 *       ({@code jvm_*}, {@code process_*}, {@code system_*}).
 * </ul>
 *
 * <p>The counters are side effects of processing: nothing decided depends on them. Thread-safe.
 */
public final class StreamsMeters implements CommandMetrics, AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Method, then outcome, to its counter: looked up per record without building a key. */
    private final Map<String, Map<String, Counter>> commands = new ConcurrentHashMap<>();
    private final Map<DeadLetterReason, Counter> letters = new EnumMap<>(DeadLetterReason.class);
    private final Counter refills;
    private final Counter expiries;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private KafkaStreamsMetrics kafka;
    private volatile IntSupplier replacements = () -> 0;

    /** The registry with the JVM's meters and ratestream's counters; see {@link #bind} for the rest. */
    public StreamsMeters() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            letters.put(reason, Counter.builder("ratestream.streams.dead.letters").tag("reason", reason.wireName())
                    .description("records the command processor sent to the dead-letter topic").register(registry));
        }
        refills = Counter.builder("ratestream.streams.refills")
                .description("monthly refill commands written by the refill check").register(registry);
        expiries = Counter.builder("ratestream.streams.session.expiries")
                .description("session expiry commands written by the expiry check (sessions with no update or end "
                        + "within their grant plus the grace)").register(registry);
    }

    /**
     * Adds the meters of a started client: Kafka Streams' and its clients' metrics, thread replacements,
     * restoration and readiness.
     */
    public synchronized void bind(KafkaStreams streams, IntSupplier threadReplacements, RestoreTracker restore,
            BooleanSupplier ready) {
        kafka = new KafkaStreamsMetrics(streams);
        kafka.bindTo(registry);
        // Micrometer holds a meter's object weakly: these meters hold this (which the app holds) or their
        // supplier strongly, never a lambda that nothing else holds.
        replacements = threadReplacements;
        FunctionCounter.builder("ratestream.streams.thread.replacements", this, meters -> meters.replacements.getAsInt())
                .description("failed stream threads replaced since start").register(registry);
        Gauge.builder("ratestream.streams.restore.partitions", restore, r -> r.snapshot().partitions())
                .description("state store partitions restoring now").strongReference(true).register(registry);
        Gauge.builder("ratestream.streams.restore.remaining.records", restore, r -> r.snapshot().remainingRecords())
                .description("records the restoring partitions have left (at most)").strongReference(true)
                .register(registry);
        FunctionCounter.builder("ratestream.streams.restored.records", restore, RestoreTracker::restoredRecords)
                .description("state store records restored since start").register(registry);
        Gauge.builder("ratestream.streams.ready", ready, r -> r.getAsBoolean() ? 1 : 0)
                .description("1 when RUNNING with every store restored (what /health/ready answers), else 0")
                .strongReference(true).register(registry);
    }

    /** The registry, for {@code /metrics}. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void commandHandled(String method, String outcome) {
        // method and outcome come from closed sets (methods, error kinds, dead-letter reasons)
        commands.computeIfAbsent(method, key -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome, key -> Counter.builder("ratestream.streams.commands")
                        .tag("method", method).tag("outcome", outcome)
                        .description("command records handled, by method and outcome").register(registry))
                .increment();
    }

    @Override
    public void deadLettered(DeadLetterReason reason) {
        letters.get(reason).increment();
    }

    @Override
    public void refillIssued() {
        refills.increment();
    }

    @Override
    public void expiryIssued() {
        expiries.increment();
    }

    /** Stops the Kafka metrics' refresh and the GC listener; the registry can still be scraped. */
    @Override
    public synchronized void close() {
        if (kafka != null) {
            kafka.close();
        }
        gc.close();
    }
}
