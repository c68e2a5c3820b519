package io.ratestream.app;

import io.ratestream.gateway.GatewayApp;
import io.ratestream.gateway.GatewayConfig;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.streams.StreamsApp;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.TopicSetup;
import java.time.Clock;
import java.time.Duration;

/**
 * The streams app and a gateway against one cluster, in one process: what {@code ratestream dev} runs
 * over its embedded broker, and what the end-to-end tests run.
 */
public final class DevStack implements AutoCloseable {

    private final StreamsApp streams;
    private final GatewayApp gateway;

    private DevStack(StreamsApp streams, GatewayApp gateway) {
        this.streams = streams;
        this.gateway = gateway;
    }

    /** Creates the topics, starts the streams app and the gateway, and waits until both are ready. */
    public static DevStack start(StreamsAppConfig streamsConfig, GatewayConfig gatewayConfig, Duration timeout)
            throws InterruptedException {
        try {
            return start(streamsConfig, gatewayConfig, timeout, null);
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // only loading throws checked exceptions, and nothing is loaded
        }
    }

    /**
     * Creates the topics, starts the streams app, loads {@code preload} (when not null) and only then
     * starts the gateway, so that no client can connect before the data is there; waits until both are
     * ready. A failure on the way closes what was started.
     */
    public static DevStack start(StreamsAppConfig streamsConfig, GatewayConfig gatewayConfig, Duration timeout,
            Preload preload) throws Exception {
        return start(streamsConfig, gatewayConfig, timeout, preload, true);
    }

    /**
     * As {@link #start(StreamsAppConfig, GatewayConfig, Duration, Preload)}; with {@code listen} false the
     * gateway opens no port until {@code gateway().listen()} (see {@link GatewayApp#startWithoutListeners}).
     */
    public static DevStack start(StreamsAppConfig streamsConfig, GatewayConfig gatewayConfig, Duration timeout,
            Preload preload, boolean listen) throws Exception {
        TopicSetup.ensure(streamsConfig.bootstrapServers(), streamsConfig.kafkaProperties(), streamsConfig.partitions(),
                streamsConfig.replication());
        StreamsApp streams = StreamsApp.start(streamsConfig);
        try {
            if (!streams.awaitRunning(timeout)) {
                throw new IllegalStateException("the streams app was not running within " + timeout + ": "
                        + streams.state());
            }
            if (preload != null) {
                preload.report = load(streams, preload.data(), preload.tenant(), timeout);
            }
            GatewayApp gateway = listen ? GatewayApp.start(gatewayConfig)
                    : GatewayApp.startWithoutListeners(gatewayConfig);
            DevStack stack = new DevStack(streams, gateway);
            if (!gateway.awaitReady(timeout)) {
                stack.close();
                throw new IllegalStateException("the gateway was not ready within " + timeout + ": "
                        + gateway.gateway().status());
            }
            return stack;
        } catch (Exception | Error e) {
            streams.close();
            throw e;
        }
    }

    /** Data to load before the gateway opens its ports; {@link #report} is set once loaded. */
    public static final class Preload {
        private final DataSet data;
        private final String tenant;
        private volatile Loader.Report report;

        public Preload(DataSet data, String tenant) {
            this.data = data;
            this.tenant = tenant;
        }

        DataSet data() {
            return data;
        }

        String tenant() {
            return tenant;
        }

        /** What was loaded; null until it was. */
        public Loader.Report report() {
            return report;
        }
    }

    /**
     * Loads a data set and waits until the budgets are stored and this instance's reference data holds
     * at least what was loaded.
     */
    public Loader.Report load(DataSet data, String tenant, Duration timeout) throws Exception {
        return load(streams, data, tenant, timeout);
    }

    private static Loader.Report load(StreamsApp streams, DataSet data, String tenant, Duration timeout)
            throws Exception {
        Loader.Report report = new Loader(streams.config().bootstrapServers(), streams.config().kafkaProperties(),
                Clock.systemUTC()).load(data, tenant, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!streams.reference().holdsAtLeast(data.ratingProfiles().size(), data.destinations().size(),
                data.tariffPlans().size())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("reference data not applied within " + timeout + ": "
                        + streams.reference().summary());
            }
            Thread.sleep(20);
        }
        return report;
    }

    public StreamsApp streams() {
        return streams;
    }

    public GatewayApp gateway() {
        return gateway;
    }

    @Override
    public void close() {
        gateway.close();
        streams.close();
    }
}
