package io.ratestream.streams.topology;

import io.ratestream.schemas.command.ReplyTo;
import io.ratestream.schemas.reply.Reply;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;

/**
 * A reply on its way to the topic and partition its command asked for (the waiting gateway's), or
 * to the default reply topic keyed by request id.
 *
 * @param reply the reply; never null
 * @param replyTo where to; null for the default
 */
record RoutedReply(Reply reply, ReplyTo replyTo) {

    /** The sink's topic choice. */
    static TopicNameExtractor<String, RoutedReply> topics(String defaultTopic) {
        return (key, routed, context) -> routed.replyTo() == null ? defaultTopic : routed.replyTo().topic();
    }

    /** The sink's partition choice: the one asked for, else the producer's default by key. */
    static StreamPartitioner<String, RoutedReply> partitions() {
        return new StreamPartitioner<>() {
            @Override
            public Optional<Set<Integer>> partitions(String topic, String key, RoutedReply routed, int numPartitions) {
                ReplyTo to = routed.replyTo();
                if (to == null || to.partition() < 0 || to.partition() >= numPartitions) {
                    return Optional.empty();
                }
                return Optional.of(Set.of(to.partition()));
            }
        };
    }

    /** Writes only the reply: the route is not part of the message. */
    static Serializer<RoutedReply> serializer(Serializer<Reply> replies) {
        return (topic, routed) -> routed == null ? null : replies.serialize(topic, routed.reply());
    }
}
