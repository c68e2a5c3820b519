package io.ratestream.streams;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How many copies of each topic a command creates, and how many must acknowledge a write: ratestream's
 * topics and Kafka Streams' internal ones (changelogs, repartition topics) alike. A value of
 * {@link #BROKER_DEFAULT} leaves the choice to the cluster ({@code default.replication.factor},
 * {@code min.insync.replicas}), which is the default: a cluster started by {@code ratestream kafka} with
 * three or more voters defaults to 3 and 2 (docs/operations.md has the durability argument).
 *
 * @param factor copies of each partition, or {@link #BROKER_DEFAULT}
 * @param minInsyncReplicas copies that must have a write before an acks=all producer is told it is
 *     written (and below which writes are refused), or {@link #BROKER_DEFAULT}
 */
public record Replication(int factor, int minInsyncReplicas) {

    /** Leave it to the broker. */
    public static final int BROKER_DEFAULT = -1;

    /** The broker's defaults for both. */
    public static final Replication DEFAULTS = new Replication(BROKER_DEFAULT, BROKER_DEFAULT);

    public Replication {
        if (factor != BROKER_DEFAULT && (factor < 1 || factor > Short.MAX_VALUE)) {
            throw new IllegalArgumentException("replication factor must be at least 1 (or -1 for the broker's "
                    + "default.replication.factor), was " + factor);
        }
        if (minInsyncReplicas != BROKER_DEFAULT && minInsyncReplicas < 1) {
            throw new IllegalArgumentException("min.insync.replicas must be at least 1 (or -1 for the broker's "
                    + "default), was " + minInsyncReplicas);
        }
        if (factor != BROKER_DEFAULT && minInsyncReplicas > factor) {
            throw new IllegalArgumentException("min.insync.replicas " + minInsyncReplicas + " is more than the "
                    + "replication factor " + factor + ": no write could ever be acknowledged");
        }
    }

    /** A fixed replication factor, with the broker's min.insync.replicas. */
    public static Replication of(short factor) {
        return new Replication(factor, BROKER_DEFAULT);
    }

    /** The replication factor for {@code NewTopic}: empty for the broker's default. */
    public Optional<Short> factorForNewTopic() {
        return factor == BROKER_DEFAULT ? Optional.empty() : Optional.of((short) factor);
    }

    /** The topic configs this adds to a new topic: min.insync.replicas when set. */
    public Map<String, String> topicConfigs() {
        Map<String, String> configs = new HashMap<>();
        if (minInsyncReplicas != BROKER_DEFAULT) {
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas));
        }
        return configs;
    }

    /** For logs: "3 copies, 2 in sync" or "the broker's defaults". */
    public String describe() {
        return (factor == BROKER_DEFAULT ? "the broker's replication factor" : factor + " copies") + ", "
                + (minInsyncReplicas == BROKER_DEFAULT ? "the broker's min.insync.replicas"
                        : minInsyncReplicas + " in sync");
    }
}
