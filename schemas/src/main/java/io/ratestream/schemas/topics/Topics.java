package io.ratestream.schemas.topics;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.event.BudgetEvent;
import io.ratestream.schemas.json.JsonSerde;
import io.ratestream.schemas.model.Destination;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.model.TariffPlan;
import io.ratestream.schemas.reply.Reply;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topics of ratestream, each with its key and value serde: the one registry both sides and any JVM
 * producer use. See {@code docs/topics.md} for producing and reading them with any Kafka client.
 * Immutable and thread-safe.
 */
public final class Topics {

    /**
     * Client commands (what gateways publish: every budget-changing command, and the queries whose client
     * gave a {@code RequestId}, whose reply a retry must get again); key {@code tenant:subject}; value
     * {@link Command}; kept forever: the log a replay rebuilds the budgets from. A {@code SetUserBudget} or
     * {@code MonthlyRefill} here is refused (dead-lettered, nothing changes): those travel on
     * {@link #ADMIN_COMMANDS}. Queries nobody will retry travel on {@link #QUERIES}.
     */
    public static final String COMMANDS = "ratestream.commands";
    /**
     * Budget-setting commands, which only the loader's and the streams app's Kafka principals may write
     * ({@code SetUserBudget}, {@code MonthlyRefill}; client methods too); key {@code tenant:subject}; value
     * {@link Command}. Co-partitioned with {@link #COMMANDS} (same partition count, same key): both are read
     * by the same tasks, into the same budgets. See {@code docs/security.md}.
     */
    public static final String ADMIN_COMMANDS = "ratestream.admin-commands";
    /**
     * Queries that nobody will retry (what gateways publish for a {@code GetCost}, {@code GetMaxSessionTime}
     * or {@code GetExactMaxSessionTime} whose client gave no {@code RequestId}); key {@code tenant:subject};
     * value {@link Command}. Co-partitioned with {@link #COMMANDS} and read by the same tasks, so a query
     * sees the budget as the subscriber's earlier commands left it. A query here is answered and nothing
     * else: its request id is neither looked up nor remembered (a retry is answered afresh), no event, no
     * state; the topic keeps its records for a short time only, and a replay does not read it. A command
     * that changes a budget is refused here (dead-lettered, answered with an error, nothing changes).
     */
    public static final String QUERIES = "ratestream.queries";
    /** Replies; key request id; value {@link Reply}. */
    public static final String REPLIES = "ratestream.replies";
    /** Budget changes; key {@code tenant:subject}; value {@link BudgetEvent}. */
    public static final String EVENTS = "ratestream.events";
    /** Rating profiles, compacted; key {@code tenant:subject:prefix}; value {@link RatingProfile}, null deletes. */
    public static final String RATING_PROFILES = "ratestream.rating-profiles";
    /** Destinations, compacted; key destination id; value {@link Destination}, null deletes. */
    public static final String DESTINATIONS = "ratestream.destinations";
    /** Tariff plans, compacted; key plan id; value {@link TariffPlan}, null deletes. */
    public static final String TARIFF_PLANS = "ratestream.tariff-plans";
    /** Records that could not be used; key the source key; value {@link DeadLetter}. */
    public static final String DEAD_LETTERS = "ratestream.dead-letters";

    private final Topic<String, Command> commands;
    private final Topic<String, Command> adminCommands;
    private final Topic<String, Command> queries;
    private final Topic<String, Reply> replies;
    private final Topic<String, BudgetEvent> events;
    private final Topic<String, RatingProfile> ratingProfiles;
    private final Topic<String, Destination> destinations;
    private final Topic<String, TariffPlan> tariffPlans;
    private final Topic<String, DeadLetter> deadLetters;

    /** The registry, with serdes built on {@code mapper} (normally {@code Json.newMapper()}). */
    public Topics(ObjectMapper mapper) {
        Serde<String> keys = Serdes.String();
        commands = new Topic<>(COMMANDS, keys, new JsonSerde<>(mapper, Command.class), false);
        adminCommands = new Topic<>(ADMIN_COMMANDS, keys, new JsonSerde<>(mapper, Command.class), false);
        queries = new Topic<>(QUERIES, keys, new JsonSerde<>(mapper, Command.class), false);
        replies = new Topic<>(REPLIES, keys, new JsonSerde<>(mapper, Reply.class), false);
        events = new Topic<>(EVENTS, keys, new JsonSerde<>(mapper, BudgetEvent.class), false);
        ratingProfiles = new Topic<>(RATING_PROFILES, keys, new JsonSerde<>(mapper, RatingProfile.class), true);
        destinations = new Topic<>(DESTINATIONS, keys, new JsonSerde<>(mapper, Destination.class), true);
        tariffPlans = new Topic<>(TARIFF_PLANS, keys, new JsonSerde<>(mapper, TariffPlan.class), true);
        deadLetters = new Topic<>(DEAD_LETTERS, keys, new JsonSerde<>(mapper, DeadLetter.class), false);
    }

    public Topic<String, Command> commands() {
        return commands;
    }

    public Topic<String, Command> adminCommands() {
        return adminCommands;
    }

    public Topic<String, Command> queries() {
        return queries;
    }

    public Topic<String, Reply> replies() {
        return replies;
    }

    public Topic<String, BudgetEvent> events() {
        return events;
    }

    public Topic<String, RatingProfile> ratingProfiles() {
        return ratingProfiles;
    }

    public Topic<String, Destination> destinations() {
        return destinations;
    }

    public Topic<String, TariffPlan> tariffPlans() {
        return tariffPlans;
    }

    public Topic<String, DeadLetter> deadLetters() {
        return deadLetters;
    }

    /** Every topic, for creating them. */
    public List<Topic<String, ?>> all() {
        return List.of(commands, adminCommands, queries, replies, events, ratingProfiles, destinations, tariffPlans, deadLetters);
    }
}
