package io.ratestream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The repeatable --kafka-property option of streams, gateway, dev, load and replay. */
class KafkaPropertyOptionTest {

    @Test
    void shouldCollectEveryKeyValueInOrderOnEveryCommandThatTalksToKafka() {
        String[] args = {"--kafka-property", "security.protocol=SASL_SSL", "--kafka-property",
            "sasl.jaas.config=a=b c=d;"};
        StreamsCommand streams = new StreamsCommand();
        new CommandLine(streams).parseArgs(args);
        GatewayCommand gateway = new GatewayCommand();
        new CommandLine(gateway).parseArgs(args);
        DevCommand dev = new DevCommand();
        new CommandLine(dev).parseArgs(args);
        Map<String, String> expected = Map.of("security.protocol", "SASL_SSL", "sasl.jaas.config", "a=b c=d;");
        assertThat(streams.kafkaProperties.values).containsExactly(entry("security.protocol", "SASL_SSL"),
                entry("sasl.jaas.config", "a=b c=d;"));
        assertThat(gateway.kafkaProperties.values).isEqualTo(expected);
        assertThat(dev.kafkaProperties.values).isEqualTo(expected);
        LoadCommand load = new LoadCommand();
        new CommandLine(load).parseArgs(args);
        ReplayCommand replay = new ReplayCommand();
        new CommandLine(replay).parseArgs(args);
        assertThat(load.kafkaProperties.values).isEqualTo(expected);
        assertThat(replay.kafkaProperties.values).isEqualTo(expected);
    }

    @Test
    void shouldRefuseAPropertyWithoutAValue() {
        int code = new CommandLine(new StreamsCommand()).execute("--kafka-property", "security.protocol");
        assertThat(code).isEqualTo(2);
    }
}
