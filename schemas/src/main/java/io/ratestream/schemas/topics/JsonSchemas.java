package io.ratestream.schemas.topics;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * The JSON Schema (draft 2020-12) files of the records on ratestream's topics, shipped in this jar under
 * {@value #DIRECTORY}, for tools that publish them or check records with them. Each file describes the
 * form {@code Json.newMapper()} writes; files refer to each other by relative {@code $ref} (their
 * {@code $id} is their file name), so keep them together in one folder when publishing. See
 * {@code docs/topics.md}. Stateless and thread-safe.
 */
public final class JsonSchemas {

    /** The classpath folder of the schema files, with a trailing slash. */
    public static final String DIRECTORY = "json-schema/";

    /**
     * The record names of all schema files, e.g. {@code "command"} for {@code command.schema.json}; the
     * top-level ones of {@link #ofTopic} and the parts they refer to, {@code "common"} included.
     */
    public static final List<String> NAMES = List.of(
            "command", "reply", "budget-event", "dead-letter", "rating-profile", "destination", "tariff-plan",
            "call-descriptor", "reply-to", "user-budget", "minute-bucket", "call-cost", "timespan", "minute-info",
            "interval", "activation-period", "received-call-bonus", "volume-discount", "open-session", "rated-call",
            "common");

    private static final Map<String, String> BY_TOPIC = Map.of(
            Topics.COMMANDS, "command",
            Topics.ADMIN_COMMANDS, "command",
            Topics.QUERIES, "command",
            Topics.REPLIES, "reply",
            Topics.EVENTS, "budget-event",
            Topics.RATING_PROFILES, "rating-profile",
            Topics.DESTINATIONS, "destination",
            Topics.TARIFF_PLANS, "tariff-plan",
            Topics.DEAD_LETTERS, "dead-letter");

    private JsonSchemas() {
    }

    /**
     * The classpath resource of a record's schema, e.g. {@code json-schema/command.schema.json}.
     *
     * @param recordName one of {@link #NAMES}
     * @throws IllegalArgumentException for any other name
     */
    public static String resourcePath(String recordName) {
        if (!NAMES.contains(recordName)) {
            throw new IllegalArgumentException("no JSON Schema named '" + recordName + "': expected one of " + NAMES);
        }
        return DIRECTORY + recordName + ".schema.json";
    }

    /**
     * Opens a record's schema file from this jar; the caller closes the stream.
     *
     * @param recordName one of {@link #NAMES}
     * @throws IllegalArgumentException for any other name
     * @throws IllegalStateException when the file is missing from the classpath (a broken build)
     */
    public static InputStream open(String recordName) {
        String path = resourcePath(recordName);
        InputStream in = JsonSchemas.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException(path + " is missing from the classpath: rebuild the schemas module");
        }
        return in;
    }

    /**
     * The record name of the schema of a topic's values, e.g. {@code "command"} for
     * {@link Topics#COMMANDS}; keys are plain UTF-8 strings.
     *
     * @throws IllegalArgumentException for a topic that is not one of {@link Topics}
     */
    public static String ofTopic(String topic) {
        String name = BY_TOPIC.get(topic);
        if (name == null) {
            throw new IllegalArgumentException("'" + topic + "' is not a ratestream topic: expected one of "
                    + BY_TOPIC.keySet().stream().sorted().toList());
        }
        return name;
    }
}
