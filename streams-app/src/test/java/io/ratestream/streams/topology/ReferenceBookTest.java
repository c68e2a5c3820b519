package io.ratestream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.ActivationPeriod;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Interval;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.rating.ReferenceData;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rating profiles read from their global store through the book's key filter and bounded cache. */
class ReferenceBookTest {

    static final Instant T0 = Instant.parse("2012-02-02T17:00:00Z");

    @TempDir
    Path stateDir;

    private final io.ratestream.schemas.topics.Topics topics = new Topics(Json.newMapper());
    private final ReferenceBook book = new ReferenceBook(4, 16);
    private TopologyTestDriver driver;
    private TestInputTopic<String, RatingProfile> profiles;
    private TestInputTopic<String, Command> commands;
    private TestOutputTopic<String, Reply> replies;
    private int sequence;

    @BeforeEach
    void start() {
        StreamsAppConfig config = StreamsAppConfig.defaults("dummy:9092", stateDir);
        driver = new TopologyTestDriver(RatestreamTopology.build(config, book), config.toProperties(), T0);
        profiles = driver.createInputTopic(Topics.RATING_PROFILES, new StringSerializer(),
                topics.ratingProfiles().valueSerde().serializer());
        commands = driver.createInputTopic(Topics.COMMANDS, new StringSerializer(),
                topics.commands().valueSerde().serializer());
        replies = driver.createOutputTopic(Topics.REPLIES, new StringDeserializer(),
                topics.replies().valueSerde().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static RatingProfile profile(String subject, String prefix, String pricePerMinute) {
        Interval interval = new Interval(0, 0, List.of(), null, null, 0, BigDecimal.ZERO,
                new BigDecimal(pricePerMinute), BigDecimal.valueOf(60));
        return new RatingProfile(0, "vdf", subject, prefix,
                List.of(new ActivationPeriod(OffsetDateTime.parse("2012-01-01T00:00:00Z"), List.of(interval))));
    }

    private void put(RatingProfile profile) {
        profiles.pipeInput(profile.key(), profile);
    }

    /** The cost of an hour's call from {@code subject} to {@code number}, or the error. */
    private String cost(String subject, String number) {
        CallDescriptor call = new CallDescriptor(0, "vdf", subject, number, OffsetDateTime.parse("2012-02-02T17:30:00Z"),
                OffsetDateTime.parse("2012-02-02T18:30:00Z"), null, null);
        Command command = new Command("c-" + ++sequence, Method.GET_COST, call, T0, null, null);
        commands.pipeInput(command.key(), command, T0);
        Reply reply = replies.readValue();
        return reply.error() != null ? reply.error() : reply.callCost().cost().stripTrailingZeros().toPlainString();
    }

    @Test
    void shouldRateWithProfilesFromTheStoreKeepingAtMostTheCacheBoundParsed() {
        for (int i = 0; i < 10; i++) {
            put(profile("s" + i, "07", String.valueOf(i + 1)));
        }

        for (int i = 0; i < 10; i++) {
            // the prefix search: 0712345678 down to 07, one hit
            assertThat(cost("s" + i, "0712345678")).isEqualTo(String.valueOf(60 * (i + 1)));
        }

        assertThat(book.cachedProfiles()).isEqualTo(4);
        assertThat(book.profileLoads()).as("one store read per profile: the misses of the search need none")
                .isEqualTo(10);
        assertThat(cost("s9", "07")).isEqualTo("600");
        assertThat(book.profileLoads()).as("s9 was held").isEqualTo(10);
        assertThat(cost("s0", "07")).isEqualTo("60");
        assertThat(book.profileLoads()).as("s0 had been dropped").isEqualTo(11);
        assertThat(book.summary()).startsWith("10 rating profiles");
    }

    @Test
    void shouldApplyAnUpdateOrATombstoneOfACachedProfileToTheNextCall() {
        put(profile("s", "07", "1"));
        assertThat(cost("s", "0712")).isEqualTo("60");
        assertThat(book.cachedProfiles()).isEqualTo(1);

        put(profile("s", "07", "2"));
        assertThat(cost("s", "0712")).isEqualTo("120");
        put(profile("s", "071", "3"));
        assertThat(cost("s", "0712")).as("a longer prefix, new to the filter").isEqualTo("180");

        profiles.pipeInput("vdf:s:071", (RatingProfile) null);
        assertThat(cost("s", "0712")).isEqualTo("120");
        profiles.pipeInput("vdf:s:07", (RatingProfile) null);
        assertThat(cost("s", "0712")).contains("no rating profile");
        assertThat(book.summary()).startsWith("0 rating profiles");
        profiles.pipeInput("vdf:s:07", (RatingProfile) null);
        assertThat(book.summary()).as("a tombstone of nothing counts nothing").startsWith("0 rating profiles");
    }

    @Test
    void shouldCountProfilesOnceWhateverTheUpdatesAndServeAnyReaderOfTheStore() {
        put(profile("a", "07", "1"));
        put(profile("a", "07", "2"));
        put(profile("b", "07", "1"));

        assertThat(book.holdsAtLeast(2, 0, 0)).isTrue();
        assertThat(book.holdsAtLeast(3, 0, 0)).isFalse();
        KeyValueStore<String, byte[]> store = driver.getKeyValueStore(RatestreamTopology.RATING_PROFILES_STORE);
        ReferenceData reference = book.over(store);
        assertThat(reference.ratingProfile("vdf", "a", "07")).isEqualTo(profile("a", "07", "2"));
        assertThat(reference.ratingProfile("vdf", "a", "0")).isNull();
        assertThat(reference.ratingProfile("vdf", "c", "07")).isNull();
        assertThat(new String(store.get("vdf:b:07"), java.nio.charset.StandardCharsets.UTF_8))
                .as("the store keeps the topic's JSON").startsWith("{").contains("\"Subject\":\"b\"");
    }
}
