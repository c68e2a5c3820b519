package io.ratestream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import io.ratestream.streams.topology.ProcessingErrors;
import io.ratestream.streams.topology.ProductionErrors;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.junit.jupiter.api.Test;

class StreamsAppConfigTest {

    private static final StreamsAppConfig DEFAULTS = StreamsAppConfig.defaults("127.0.0.1:9092", Path.of("state"));

    @Test
    void shouldRunExactlyOnceWithOneProduceRequestInFlightByDefault() {
        Properties props = DEFAULTS.toProperties();
        assertThat(props).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry("producer.max.in.flight.requests.per.connection", "1");
    }

    @Test
    void shouldSkipAndReportRecordsThatCannotBeReadProcessedOrWrittenOnEveryThread() {
        Properties props = DEFAULTS.toProperties();
        assertThat(props)
                .containsEntry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, ProcessingErrors.class.getName())
                .containsEntry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true")
                .containsEntry(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, ProductionErrors.class.getName())
                .containsEntry(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                        LogAndContinueExceptionHandler.class.getName());
        // Kafka Streams itself reads them so
        StreamsConfig config = new StreamsConfig(props);
        assertThat(config.processingExceptionHandler()).isInstanceOf(ProcessingErrors.class);
        assertThat(config.productionExceptionHandler()).isInstanceOf(ProductionErrors.class);
        assertThat(config.getBoolean(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG)).isTrue();
    }

    @Test
    void shouldApplyKafkaPropertiesLastSoTheyWin() {
        Properties props = DEFAULTS.withKafkaProperties(Map.of("security.protocol", "SASL_SSL",
                "processing.guarantee", "at_least_once", "producer.max.in.flight.requests.per.connection", "5"))
                .toProperties();
        assertThat(props).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once")
                .containsEntry("producer.max.in.flight.requests.per.connection", "5");
    }

    @Test
    void shouldKeepItsOwnCopyOfTheKafkaProperties() {
        Map<String, String> given = new HashMap<>(Map.of("client.rack", "a"));
        StreamsAppConfig config = DEFAULTS.withKafkaProperties(given);
        given.put("client.rack", "b");
        assertThat(config.toProperties()).containsEntry("client.rack", "a");
        assertThatThrownBy(() -> config.kafkaProperties().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }
}
