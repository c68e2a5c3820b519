package io.ratestream.streams.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.command.Command;
import io.ratestream.schemas.command.Method;
import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import io.ratestream.schemas.model.ActivationPeriod;
import io.ratestream.schemas.model.CallDescriptor;
import io.ratestream.schemas.model.Interval;
import io.ratestream.schemas.model.Keys;
import io.ratestream.schemas.model.RatingProfile;
import io.ratestream.schemas.reply.Reply;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.StreamsApp;
import io.ratestream.streams.StreamsAppConfig;
import io.ratestream.streams.TopicSetup;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reference data in persistent global stores, on a real broker: a streams app restarted on its state
 * dir rates with what its stores kept, reading from the reference topics only the records they gained
 * while it was down; updates and tombstones apply to the next call, before and after the restart.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ReferenceRestartTest {

    static final DataSet DEMO = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo", "cgrates-2012"));
    static final Instant T0 = Instant.parse("2012-02-02T17:00:00Z");
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String subject = "rif-" + run;
    private int sequence;

    @Test
    void shouldRateWithWhatTheStoresKeptAcrossARestartReadingOnlyWhatIsNew(KafkaBroker broker, @TempDir Path state)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicSetup.ensure(bootstrap, 4, (short) 1);
        StreamsAppConfig config = StreamsAppConfig.defaults(bootstrap, state).withApplicationId("it-reference-" + run);
        try (TestClient client = new TestClient(bootstrap); KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            client.loadReference(DEMO, List.of(subject), "rif");
            String summary;
            try (StreamsApp first = StreamsApp.start(config)) {
                assertThat(first.awaitRunning(TIMEOUT)).isTrue();
                assertThat(first.reference().storeEntriesRead()).as("a new state dir holds nothing").isZero();
                assertThat(first.reference().topicRecordsRead()).isGreaterThanOrEqualTo(DEMO.ratingProfiles().size());
                // the worked example, found under 0256 after six misses (SPEC 2.1)
                assertThat(cost(client, "0256308200")).isEqualByComparingTo("540");

                send(producer, Topics.RATING_PROFILES, profile("0256", "0.3", 1), null);
                awaitReply(client, "0256", reply -> reply.callCost() != null
                        && reply.callCost().cost().compareTo(new BigDecimal("1080")) == 0);
                send(producer, Topics.RATING_PROFILES, null, Keys.ratingProfile("vdf", subject, "0257"));
                awaitReply(client, "0257", reply -> reply.error() != null && reply.error().contains("no rating profile"));
                summary = first.reference().summary();
            }
            // while no instance runs: one record the next start must read
            send(producer, Topics.RATING_PROFILES, profile("0723", "2", 60), null);

            try (StreamsApp second = StreamsApp.start(config)) {
                assertThat(second.awaitRunning(TIMEOUT)).isTrue();
                assertThat(second.reference().topicRecordsRead()).as("only the record produced while it was down")
                        .isEqualTo(1);
                assertThat(second.reference().storeEntriesRead()).isGreaterThanOrEqualTo(DEMO.ratingProfiles().size());
                assertThat(second.reference().summary()).isEqualTo(summary);
                assertThat(cost(client, "0256")).isEqualByComparingTo("1080");
                assertThat(call(client, "0257").error()).contains("no rating profile");
                assertThat(cost(client, "0723")).isEqualByComparingTo("120"); // 60 minutes at 2 a minute

                send(producer, Topics.RATING_PROFILES, null, Keys.ratingProfile("vdf", subject, "0256"));
                awaitReply(client, "0256", reply -> reply.error() != null && reply.error().contains("no rating profile"));
                send(producer, Topics.RATING_PROFILES, profile("0257", "3", 60), null);
                awaitReply(client, "0257", reply -> reply.callCost() != null);
                assertThat(second.reference().topicRecordsRead()).isEqualTo(3);
            }
        }
    }

    /** The subject's profile for {@code prefix}: every day, all day, {@code price} per {@code unit} seconds. */
    private RatingProfile profile(String prefix, String price, int unit) {
        Interval interval = new Interval(0, 0, List.of(), null, null, 0, BigDecimal.ZERO, new BigDecimal(price),
                BigDecimal.valueOf(unit));
        ActivationPeriod period = new ActivationPeriod(OffsetDateTime.parse("2012-01-01T00:00:00Z"), List.of(interval));
        return new RatingProfile(0, "vdf", subject, prefix, List.of(period));
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, RatingProfile profile,
            String tombstoneKey) throws Exception {
        String key = profile == null ? tombstoneKey : profile.key();
        byte[] value = profile == null ? null : Json.newMapper().writeValueAsBytes(profile);
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
    }

    /** GetCost of an hour from 17:30 on Thursday 2 February 2012 to {@code destination}. */
    private Reply call(TestClient client, String destination) throws Exception {
        CallDescriptor call = new CallDescriptor(0, "vdf", subject, destination,
                OffsetDateTime.parse("2012-02-02T17:30:00Z"), OffsetDateTime.parse("2012-02-02T18:30:00Z"), null, null);
        return client.call(new Command(run + "-" + ++sequence, Method.GET_COST, call, T0, null, null), TIMEOUT);
    }

    private BigDecimal cost(TestClient client, String destination) throws Exception {
        Reply reply = call(client, destination);
        assertThat(reply.error()).isNull();
        return reply.callCost().cost();
    }

    /** Calls until a reply matches: a reference record is applied by the global thread, a moment later. */
    private void awaitReply(TestClient client, String destination, Predicate<Reply> expected) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Reply reply = call(client, destination);
        while (!expected.test(reply) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            reply = call(client, destination);
        }
        assertThat(reply).matches(expected);
    }
}
