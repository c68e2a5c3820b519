package io.ratestream.streams.topology;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * How a command read from {@code ratestream.admin-commands} reaches the one ordered log,
 * {@code ratestream.commands} (docs/design.md, "One command log, two doors"). The admin topic only
 * <em>admits</em>: the streams app forwards a copy of each usable admin record (same key, same bytes) to
 * the partition of {@code ratestream.commands} with the admin record's partition number, and for a
 * budget-setting method ({@link io.ratestream.schemas.command.Method#adminOnly()}) it also records an
 * admission entry. Only the copy, read from {@code ratestream.commands} in offset order with every other
 * command of the subscriber, is applied; a budget-setting command there is applied only when it is an
 * admitted one. The replay decides the same way from the admin topic (see {@link Replay}).
 *
 * <p>What is admitted is exactly the bytes of the admin record: its {@link #digest} (SHA-256 of the record
 * value) covers the request id, the subscriber, the budget, {@code AcceptedAt} and {@code ReplyTo}, so a
 * record written by anyone else onto {@code ratestream.commands} passes only if it is byte for byte the
 * admitted command, which then changes nothing a second time (its request id is processed). The header
 * {@link #HEADER} on a copy says where it came from, for people reading the log; no decision reads it
 * (anyone who may write the topic may write a header).
 */
final class Admission {

    /**
     * The header on a forwarded copy: {@code ratestream.admin-commands/<partition>/<offset>} of the admin
     * record it copies. Informative only.
     */
    static final String HEADER = "ratestream-admitted-from";
    /** The length of an admission digest: SHA-256. */
    static final int DIGEST_BYTES = 32;

    private static final char SEPARATOR = CommandHandler.SEPARATOR;

    private Admission() {
    }

    /** The admission digest of a command record's value: SHA-256 of its bytes. */
    static byte[] digest(byte[] value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * The key of an admission entry in the {@code admitted-commands} store: {@code tenant:subject}, the
     * request id and the hex digest, separated by {@code U+001F}. The digest alone decides (it covers the
     * other two); they are there for whoever reads the store.
     */
    static String entryKey(Command command, byte[] digest) {
        return command.key() + SEPARATOR + command.requestId() + SEPARATOR + HexFormat.of().formatHex(digest);
    }

    /**
     * The timestamp of an admitted copy: one millisecond after its admin record's. A task reads its
     * partitions of the command topics in timestamp order (Kafka Streams picks the record with the lowest
     * timestamp among its partitions' heads, waiting for a partition whose records are not fetched yet),
     * and with equal timestamps the order is arbitrary: an application that reads an existing log from the
     * start (a second application id, a restore with an empty state dir) could then read a copy before it
     * has admitted its admin record again, refuse the copy, and differ from the replay. A later timestamp
     * makes the admin record come first. Only the order of admission depends on it: commands are applied
     * in the offset order of ratestream.commands whatever their timestamps.
     */
    static long copyTimestamp(long adminTimestamp) {
        return adminTimestamp == Long.MAX_VALUE ? adminTimestamp : adminTimestamp + 1;
    }

    /** Where an admin record was read, as {@link #HEADER} and an entry's value give it. */
    static String origin(RecordMetadata where) {
        return where == null ? Topics.ADMIN_COMMANDS + "/?/?"
                : where.topic() + "/" + where.partition() + "/" + where.offset();
    }

    /** The header value of {@link #origin}, as bytes. */
    static byte[] originHeader(RecordMetadata where) {
        return origin(where).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Why a budget-setting command on {@code ratestream.commands} that was not admitted is refused (the
     * dead letter's reason and, after {@code bad command: }, the reply's error).
     */
    static String refusal(Command command) {
        return command.method().wireName() + " is admitted only through " + Topics.ADMIN_COMMANDS + ": it sets a "
                + "budget, and this record on " + Topics.COMMANDS + " is not a copy the streams app admitted from "
                + "there (only the loader's and the streams app's Kafka principals may write " + Topics.ADMIN_COMMANDS
                + ", see docs/security.md); nothing was changed";
    }

    /**
     * An admitted record on its way to {@code ratestream.commands}.
     *
     * @param value the admin record's value, written unchanged
     * @param partition the admin record's partition: the copy goes to the same partition number, so that it
     *     meets its admission entry in the same task whatever partition its producer chose; -1 when unknown
     *     (then the producer's default by key)
     */
    record Copy(byte[] value, int partition) {

        /** The sink's partition choice: the admin record's, else the default by key. */
        static StreamPartitioner<String, Copy> partitions() {
            return new StreamPartitioner<>() {
                @Override
                public Optional<Set<Integer>> partitions(String topic, String key, Copy copy, int numPartitions) {
                    if (copy == null || copy.partition() < 0 || copy.partition() >= numPartitions) {
                        return Optional.empty();
                    }
                    return Optional.of(Set.of(copy.partition()));
                }
            };
        }

        /** Writes the copied bytes. */
        static Serializer<Copy> serializer() {
            return (topic, copy) -> copy == null ? null : copy.value();
        }
    }
}
