package io.ratestream.schemas.topics;

import org.apache.kafka.common.serialization.Serde;

/**
 * One topic of ratestream: its name and the serdes of its keys and values.
 *
 * @param name the topic name; never null
 * @param keySerde the key serde; never null
 * @param valueSerde the value serde; never null
 * @param compacted whether the topic is compacted (reference data: the latest value per key counts)
 * @param <K> key type
 * @param <V> value type
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, boolean compacted) {
}
