package io.ratestream.app.cli;

import io.ratestream.testkit.EmbeddedKafkaBroker;
import java.nio.file.Path;

/**
 * The embedded broker of {@code ratestream dev} and {@code ratestream kafka}, seen from a command.
 *
 * <p>The broker (testkit, with Kafka's server and Scala) is on the classpath of {@code ./ratestream}
 * (target/classpath-dev.txt) but not in the production image (the app's runtime scope). So a command that
 * runs it calls {@link #require} first, and keeps every reference to the broker's classes out of its own
 * class: picocli reflects on every subcommand class when it builds the command line, and
 * {@code Class.getDeclaredMethods} resolves the types of every method (the synthetic methods of lambdas
 * included), so one broker type there would break every command of the image, not only this one.
 * {@code dev} uses this interface; {@code kafka} keeps its broker code in a nested class.
 */
interface EmbeddedBroker extends AutoCloseable {

    /** Classes the broker needs: testkit's, and Kafka's server (kafka_2.13). */
    String[] BROKER_CLASSES = {"io.ratestream.testkit.EmbeddedKafkaBroker", "kafka.server.KafkaRaftServer"};

    String bootstrapServers();

    @Override
    void close();

    /**
     * Returns when the broker's classes are on the classpath; otherwise throws with the sentence a user
     * of the production image sees.
     *
     * @param command the subcommand's name, for the sentence
     */
    static void require(String command) {
        for (String name : BROKER_CLASSES) {
            try {
                Class.forName(name, false, EmbeddedBroker.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException(missing(command));
            }
        }
    }

    /** What a command that needs the broker says where there is none. */
    static String missing(String command) {
        return "`ratestream " + command + "` needs the embedded broker, which the production image does not carry: "
                + "run a Kafka cluster (docs/operations.md) or use ./ratestream from a source checkout";
    }

    /** Starts a single-node broker as {@code ratestream dev} does; {@link #require} first. */
    static EmbeddedBroker start(String command, Path dataDir, int port) {
        require(command);
        return Started.start(dataDir, port);
    }

    /** The only class here that names the broker's: loaded only once {@link #require} passed. */
    record Started(EmbeddedKafkaBroker broker) implements EmbeddedBroker {

        static EmbeddedBroker start(Path dataDir, int port) {
            return new Started(EmbeddedKafkaBroker.start(dataDir, port));
        }

        @Override
        public String bootstrapServers() {
            return broker.bootstrapServers();
        }

        @Override
        public void close() {
            broker.close();
        }
    }
}
