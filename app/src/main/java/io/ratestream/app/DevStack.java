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
        TopicSetup.ensure(streamsConfig.bootstrapServers(), streamsConfig.partitions(), streamsConfig.replicationFactor());
        StreamsApp streams = StreamsApp.start(streamsConfig);
        GatewayApp gateway;
        try {
            gateway = GatewayApp.start(gatewayConfig);
        } catch (RuntimeException e) {
            streams.close();
            throw e;
        }
        DevStack stack = new DevStack(streams, gateway);
        if (!streams.awaitRunning(timeout) || !gateway.awaitReady(timeout)) {
            stack.close();
            throw new IllegalStateException("not ready within " + timeout + ": streams " + streams.state()
                    + ", gateway " + gateway.gateway().status());
        }
        return stack;
    }

    /**
     * Loads a data set and waits until the budgets are stored and this instance's reference data holds
     * at least what was loaded.
     */
    public Loader.Report load(DataSet data, String tenant, Duration timeout) throws Exception {
        Loader.Report report = new Loader(streams.config().bootstrapServers(), Clock.systemUTC()).load(data, tenant, timeout);
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
