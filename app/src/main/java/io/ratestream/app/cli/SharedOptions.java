package io.ratestream.app.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options several commands share, as picocli mixins: declared once, documented once. */
public final class SharedOptions {

    private SharedOptions() {
    }

    /** Where Kafka is. */
    public static final class Kafka {
        @Option(names = "--bootstrap", defaultValue = "${env:RATESTREAM_BOOTSTRAP:-127.0.0.1:9092}",
                description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
        public String bootstrap;
    }

    /** The port of an embedded Kafka broker (dev, kafka). */
    static final class KafkaPort {
        @Option(names = "--kafka-port", defaultValue = "${env:RATESTREAM_KAFKA_PORT:-9092}",
                description = "Kafka port (default: ${DEFAULT-VALUE})")
        int port;
    }

    /** Kafka client properties passed through as they are (security for a real cluster, tuning). */
    static final class KafkaProperties {
        @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
                description = "a Kafka Streams or Kafka client property, applied after ratestream's own settings to "
                        + "every Kafka client of this process (repeat it for several; e.g. "
                        + "security.protocol=SASL_SSL). It wins over ratestream's settings, so it can also weaken "
                        + "them (see docs/design.md)")
        Map<String, String> values = new LinkedHashMap<>();
    }

    /** The gateway's listeners. */
    static final class Listeners {
        @Option(names = "--bind", defaultValue = "${env:RATESTREAM_BIND:-127.0.0.1}",
                description = "address the listeners bind to (default: ${DEFAULT-VALUE})")
        String bind;

        @Option(names = "--jsonrpc-port", defaultValue = "${env:RATESTREAM_JSONRPC_PORT:-2001}",
                description = "JSON-RPC over TCP port (default: ${DEFAULT-VALUE})")
        int jsonRpcPort;

        @Option(names = "--http-port", defaultValue = "${env:RATESTREAM_HTTP_PORT:-8000}",
                description = "HTTP port (default: ${DEFAULT-VALUE})")
        int httpPort;

        /** Refuses ports in use before anything starts. */
        void requireFree() {
            Ports.requireFree(bind, jsonRpcPort, "--jsonrpc-port");
            Ports.requireFree(bind, httpPort, "--http-port");
        }
    }

    /** A properties file of options (read by {@link RatestreamCli} before parsing). */
    static final class Config {
        @Option(names = "--config", description = "a properties file of options (keys: option names without dashes)")
        Path config;
    }
}
