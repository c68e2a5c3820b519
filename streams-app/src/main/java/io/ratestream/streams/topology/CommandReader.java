package io.ratestream.streams.topology;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Reads a record of {@code ratestream.commands}, {@code ratestream.admin-commands} or
 * {@code ratestream.queries}: the command, or why
 * it cannot be used. Shared by the processor and the replayer so that both accept and reject exactly the
 * same records. Whether a budget-setting command on {@code ratestream.commands} was admitted is not
 * decided here but by {@link Admission}'s rules, in the processor and the replayer.
 */
final class CommandReader {

    private final JsonSerde<Command> serde;

    CommandReader(JsonSerde<Command> serde) {
        this.serde = serde;
    }

    /** Either a command or a rejection reason, and its kind (for metrics). */
    record Read(Command command, String rejection, DeadLetterReason reason) {
    }

    /**
     * @param topic the topic the record was read from (null: unknown), named in a deserialization error
     */
    Read read(String topic, byte[] key, byte[] value) {
        if (value != null && value.length > RecordLimits.MAX_COMMAND_BYTES) {
            return new Read(null, "the record is " + value.length + " bytes, more than the "
                    + RecordLimits.MAX_COMMAND_BYTES + " a command may have", DeadLetterReason.TOO_LARGE);
        }
        Command command;
        try {
            command = serde.deserialize(topic == null ? Topics.COMMANDS : topic, value);
        } catch (SerializationException e) {
            return new Read(null, e.getMessage(), DeadLetterReason.UNREADABLE);
        }
        if (command == null) {
            return new Read(null, "a command topic record needs a value (this one is a tombstone)",
                    DeadLetterReason.TOMBSTONE);
        }
        String text = key == null ? null : new String(key, StandardCharsets.UTF_8);
        if (!command.key().equals(text)) {
            return new Read(null, "the record key '" + text + "' must be the command's CstmId:Subject '"
                    + command.key() + "' (it decides the partition, and so the order of the subscriber's commands)",
                    DeadLetterReason.WRONG_KEY);
        }
        return new Read(command, null, null);
    }
}
