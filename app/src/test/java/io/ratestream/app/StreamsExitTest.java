package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.app.cli.RatestreamCli;
import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.TopicSetup;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ratestream streams} exits non-zero when its Kafka Streams client stops by itself, so that a
 * supervisor restarts it, instead of idling in ERROR.
 */
@ExtendWith(KafkaBrokerExtension.class)
class StreamsExitTest {

    /**
     * Kafka's default production handler (fail) and a producer that may send less than the dead letter of
     * a 600 KB record: that record kills the stream thread each time it is read. After the three
     * replacements allowed (within ten minutes) the client shuts down to ERROR, and the command exits 1.
     */
    @Test
    void shouldExitWithStatusOneWhenTheStreamsClientKeepsFailing(KafkaBroker broker, @TempDir Path state)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        String run = UUID.randomUUID().toString().substring(0, 8);
        TopicSetup.ensure(bootstrap, 4, (short) 1);
        byte[] poison = new byte[600_000];
        Arrays.fill(poison, (byte) '{');
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.COMMANDS, ("vdf:exit-" + run).getBytes(StandardCharsets.UTF_8),
                    poison)).get(30, TimeUnit.SECONDS);
        }

        CompletableFuture<Run> streams = CompletableFuture.supplyAsync(() -> cli("streams", "--bootstrap", bootstrap,
                "--state-dir", state.toString(), "--application-id", "exit-" + run,
                "--kafka-property", "production.exception.handler=" + DefaultProductionExceptionHandler.class.getName(),
                "--kafka-property", "producer.max.request.size=100000"));
        Run result = streams.get(240, TimeUnit.SECONDS);

        assertThat(result.code()).as(result.err()).isEqualTo(1);
        assertThat(result.err()).contains("ratestream streams: exiting with status 1: the streams client stopped by "
                + "itself").contains("a record may have");
    }

    private record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int code = RatestreamCli.execute(args);
            return new Run(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
