package io.ratestream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.gateway.GatewayConfig;
import io.ratestream.gateway.jsonrpc.ConnectionLimits;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The gateway's ceilings reach its configuration from the flags, on both commands that run a gateway. */
class GatewayLimitsOptionTest {

    @Test
    void shouldApplyEveryLimitFlag() {
        GatewayCommand command = new GatewayCommand();
        new CommandLine(command).parseArgs("--max-connections", "11", "--max-connections-per-address", "5",
                "--max-in-flight-per-connection", "3", "--write-buffer-high-water", "1000", "--request-deadline-ms",
                "250", "--max-request-bytes", "4096", "--max-pending", "7");

        GatewayConfig config = command.limits.applyTo(GatewayConfig.defaults("kafka:9092"));

        assertThat(config.connectionLimits()).isEqualTo(new ConnectionLimits(11, 5, 3, 500, 1000,
                Duration.ofMillis(250)));
        assertThat(config.maxRequestBytes()).isEqualTo(4096);
        assertThat(config.maxPending()).isEqualTo(7);
    }

    @Test
    void shouldDefaultToTheDocumentedLimitsOnDev() {
        DevCommand command = new DevCommand();
        new CommandLine(command).parseArgs();

        GatewayConfig config = command.limits.applyTo(GatewayConfig.defaults("kafka:9092"));

        assertThat(config.connectionLimits()).isEqualTo(ConnectionLimits.defaults());
        assertThat(config.maxRequestBytes()).isEqualTo(GatewayConfig.MAX_REQUEST_BYTES).isEqualTo(64 * 1024);
        assertThat(config.maxPending()).isEqualTo(GatewayConfig.MAX_PENDING);
    }
}
