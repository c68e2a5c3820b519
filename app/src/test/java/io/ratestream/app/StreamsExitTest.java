package io.ratestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.topics.Topics;
import io.ratestream.streams.TopicSetup;
import io.ratestream.testkit.junit.KafkaBroker;
import io.ratestream.testkit.junit.KafkaBrokerExtension;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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
     * replacements allowed (within ten minutes) the client shuts down to ERROR, and the command exits 1,
     * its health and metrics server closed with it.
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

        int http = freePort();
        CompletableFuture<CliTest.Run> streams = CompletableFuture.supplyAsync(() -> CliTest.cli("streams", "--bootstrap", bootstrap,
                "--state-dir", state.toString(), "--application-id", "exit-" + run, "--http-port", String.valueOf(http),
                "--kafka-property", "production.exception.handler=" + DefaultProductionExceptionHandler.class.getName(),
                "--kafka-property", "producer.max.request.size=100000"));
        CliTest.Run result = streams.get(240, TimeUnit.SECONDS);

        assertThat(result.code()).as(result.err()).isEqualTo(1);
        assertThat(result.err()).contains("ratestream streams: exiting with status 1: the streams client stopped by "
                + "itself").contains("a record may have");
        assertThat(result.out()).contains("health and metrics on http://127.0.0.1:" + http + "/");
        try (ServerSocket closed = new ServerSocket(http, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(closed.getLocalPort()).as("the HTTP server's port is free again").isEqualTo(http);
        }
    }

    /** The same failure under {@code ratestream dev}: it exits 1 too, closing its broker and gateway. */
    @Test
    void shouldExitDevWithStatusOneWhenItsStreamsClientKeepsFailing(@TempDir Path data) throws Exception {
        int kafka = freePort();
        int http = freePort();
        CompletableFuture<CliTest.Run> dev = CompletableFuture.supplyAsync(() -> CliTest.cli("dev", "--data-dir", data.toString(),
                "--kafka-port", String.valueOf(kafka), "--jsonrpc-port", String.valueOf(freePort()),
                "--http-port", String.valueOf(http), "--no-demo-data",
                "--kafka-property", "production.exception.handler=" + DefaultProductionExceptionHandler.class.getName(),
                "--kafka-property", "producer.max.request.size=100000"));
        String bootstrap = "127.0.0.1:" + kafka;
        awaitTopic(bootstrap, dev);
        // Only once dev is up (its gateway opens its ports last): a failure during start-up is another path.
        awaitReady(http, dev);
        byte[] poison = new byte[600_000];
        Arrays.fill(poison, (byte) '{');
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.COMMANDS, "vdf:exit".getBytes(StandardCharsets.UTF_8),
                    poison)).get(30, TimeUnit.SECONDS);
        }

        CliTest.Run result = dev.get(240, TimeUnit.SECONDS);

        assertThat(result.code()).as(result.err()).isEqualTo(1);
        assertThat(result.err()).contains("ratestream dev: exiting with status 1: the streams client stopped by "
                + "itself");
    }

    private static void awaitReady(int httpPort, CompletableFuture<CliTest.Run> dev) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (dev.isDone()) {
                throw new AssertionError("dev stopped before it was ready: " + dev.join().err());
            }
            try {
                if (client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + httpPort
                        + "/health/ready")).build(), java.net.http.HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // the port is not open yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("dev was not ready within 180 s");
    }

    private static void awaitTopic(String bootstrap, CompletableFuture<CliTest.Run> dev) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (dev.isDone()) {
                throw new AssertionError("dev ended before it was up: " + dev.get().err());
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000))) {
                if (admin.listTopics().names().get(3, TimeUnit.SECONDS).contains(Topics.COMMANDS)) {
                    return;
                }
            } catch (Exception e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("dev did not create " + Topics.COMMANDS + " in time");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
