package io.ratestream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.streams.StreamsAppConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --session-grace}: declared once, for streams and dev, into the streams app's configuration. */
class SessionGraceOptionTest {

    private static Object parsed(Map<String, String> environment, String... args) {
        CommandLine cli = new CommandLine(new RatestreamCli());
        cli.setDefaultValueProvider(OptionDefaults.of(null, environment));
        return cli.parseArgs(args).subcommand().commandSpec().userObject();
    }

    @Test
    void shouldPutTheGraceIntoTheStreamsConfiguration() {
        StreamsCommand plain = (StreamsCommand) parsed(Map.of(), "streams");
        assertThat(plain.settings().sessionGrace())
                .isEqualTo(Duration.ofSeconds(StreamsAppConfig.DEFAULT_SESSION_GRACE_SECONDS)).hasSeconds(60);

        StreamsCommand flagged = (StreamsCommand) parsed(Map.of(), "streams", "--session-grace", "5");
        assertThat(flagged.settings().sessionGrace()).hasSeconds(5);
        StreamsCommand fromEnvironment = (StreamsCommand) parsed(Map.of("RATESTREAM_SESSION_GRACE", "0"), "streams");
        assertThat(fromEnvironment.settings().sessionGrace()).isZero();

        DevCommand dev = (DevCommand) parsed(Map.of(), "dev", "--session-grace", "7");
        assertThat(dev.sessions.applyTo(StreamsAppConfig.defaults("x:9092", java.nio.file.Path.of("s")))
                .sessionGrace()).hasSeconds(7);
    }

    @Test
    void shouldRefuseANegativeGraceAndOneAboveTheMost() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int negative;
        int tooLong;
        int longest;
        try {
            negative = RatestreamCli.execute(Map.of(), "streams", "--session-grace", "-1");
            tooLong = RatestreamCli.execute(Map.of(), "streams", "--session-grace",
                    "" + (StreamsAppConfig.MAX_SESSION_GRACE_SECONDS + 1));
            longest = ((StreamsCommand) parsed(Map.of(), "streams", "--session-grace",
                    "" + StreamsAppConfig.MAX_SESSION_GRACE_SECONDS)).settings().sessionGrace().toDays() == 31 ? 0 : 1;
        } finally {
            System.setErr(saved);
        }
        assertThat(negative).isEqualTo(1);
        assertThat(tooLong).isEqualTo(1);
        assertThat(longest).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("the session grace must be 0 to 2678400 s (31 days), was -1 s")
                .contains("the session grace must be 0 to 2678400 s (31 days), was 2678401 s");
    }
}
