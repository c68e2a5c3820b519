package io.ratestream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** docs/configuration.md is what the code declares, option for option. */
class ConfigurationReferenceTest {

    @Test
    void shouldMatchTheOptionsTheCommandsDeclare() throws Exception {
        Path doc = Path.of("..", "docs", "configuration.md");
        String expected = ConfigurationReference.markdown(new CommandLine(new RatestreamCli()));
        assertThat(Files.readString(doc))
                .as("docs/configuration.md is out of date: run ./ratestream config-reference > docs/configuration.md")
                .isEqualTo(expected);
        assertThat(expected).contains("| `--bootstrap` | `RATESTREAM_BOOTSTRAP` | `127.0.0.1:9092` |")
                .contains("## ratestream streams").contains("`--standby-replicas`")
                .doesNotContain("${DEFAULT-VALUE}").doesNotContain("## ratestream config-reference");
    }
}
