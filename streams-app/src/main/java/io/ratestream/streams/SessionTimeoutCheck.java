package io.ratestream.streams;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits the streams app's consumer session timeout into what the brokers allow. A consumer that asks for
 * less than {@code group.min.session.timeout.ms} (Kafka's default: 6,000 ms) or more than
 * {@code group.max.session.timeout.ms} is refused by the group coordinator and the app could not join its
 * group at all; so start-up reads the brokers' bounds and moves the timeout inside them, saying in the log
 * what that costs in failover time. A principal that may not describe the cluster's configs keeps the
 * asked value (the join then says what is wrong).
 *
 * <p>From the same broker config it also warns when {@value #TXN_RETRY_BACKOFF} is above
 * {@value #TXN_RETRY_BACKOFF_ADVISED_MAX_MS} ms (Kafka's default is 20): the broker then holds the first reply
 * of a transaction to a partition, right after each commit, for that long (docs/operations.md).
 */
public final class SessionTimeoutCheck {

    private static final Logger LOG = LoggerFactory.getLogger(SessionTimeoutCheck.class);
    static final String MIN = "group.min.session.timeout.ms";
    static final String MAX = "group.max.session.timeout.ms";
    public static final String TXN_RETRY_BACKOFF = "add.partitions.to.txn.retry.backoff.ms";
    static final long TXN_RETRY_BACKOFF_ADVISED_MAX_MS = 5;
    private static final int TIMEOUT_SECONDS = 15;

    private SessionTimeoutCheck() {
    }

    /** The session timeout to use: {@code wanted} if the brokers allow it, else the nearest bound they allow. */
    public static Duration fit(String bootstrapServers, Map<String, String> kafkaProperties, Duration wanted) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(TIMEOUT_SECONDS * 1000));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(TIMEOUT_SECONDS * 1000));
        props.putAll(kafkaProperties);
        try (Admin admin = Admin.create(props)) {
            Collection<Node> nodes = admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (nodes.isEmpty()) {
                return wanted;
            }
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER,
                    Integer.toString(nodes.iterator().next().id()));
            Config config = admin.describeConfigs(List.of(broker)).all()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(broker);
            String advice = transactionRetryAdvice(millis(config.get(TXN_RETRY_BACKOFF)));
            if (advice != null) {
                LOG.warn(advice);
            }
            return fit(wanted, millis(config.get(MIN)), millis(config.get(MAX)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return wanted;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("cannot read the brokers' {} and {} ({}); using a session timeout of {} ms", MIN, MAX,
                    e.getCause() != null ? e.getCause() : e, wanted.toMillis());
            return wanted;
        }
    }

    /** {@code wanted} moved inside [min, max]; a null bound is no bound. Logs when it moves. */
    static Duration fit(Duration wanted, Long min, Long max) {
        long millis = wanted.toMillis();
        if (min != null && millis < min) {
            LOG.warn("the brokers' {} is {} ms, above the {} ms asked for: a killed instance's partitions move "
                    + "after about {} ms. Lower it on the brokers for faster failover (docs/operations.md)",
                    MIN, min, millis, min);
            return Duration.ofMillis(min);
        }
        if (max != null && millis > max) {
            LOG.warn("the brokers' {} is {} ms, below the {} ms asked for: using {} ms", MAX, max, millis, max);
            return Duration.ofMillis(max);
        }
        return wanted;
    }

    /**
     * What to tell the operator about the brokers' {@value #TXN_RETRY_BACKOFF}, or null when it is at most
     * {@value #TXN_RETRY_BACKOFF_ADVISED_MAX_MS} ms or unknown (a broker before transactions version 2 has none).
     */
    public static String transactionRetryAdvice(Long backoffMillis) {
        if (backoffMillis == null || backoffMillis <= TXN_RETRY_BACKOFF_ADVISED_MAX_MS) {
            return null;
        }
        return "the brokers' " + TXN_RETRY_BACKOFF + " is " + backoffMillis + " ms: right after each commit, the "
                + "first reply of the next transaction to a partition can wait that long for the broker to add the "
                + "partition to it (a large part of the p99). Set it to 1 on the brokers (docs/operations.md)";
    }

    private static Long millis(ConfigEntry entry) {
        if (entry == null || entry.value() == null) {
            return null;
        }
        try {
            return Long.parseLong(entry.value().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
