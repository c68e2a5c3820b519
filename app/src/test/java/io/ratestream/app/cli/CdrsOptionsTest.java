package io.ratestream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.app.cdrs.CdrFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The options of {@code ratestream cdrs} come from flags, a --config file and RATESTREAM_* variables alike. */
class CdrsOptionsTest {

    @Test
    void shouldTakeItsOptionsFromTheEnvironmentAndTheConfigFileLikeEveryCommand(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("cdrs.properties"), "tenant=vdf\nfrom=2026-12-01T00:00:00+02:00\n");

        CommandLine.Model.CommandSpec spec = RatestreamCli.parse(Map.of("RATESTREAM_FORMAT", "JSONL",
                "RATESTREAM_TO", "2026-12-02T00:00:00Z", "RATESTREAM_TENANT", "ignored: the file wins"),
                "cdrs", "--config", config.toString(), "--seek-margin-seconds", "-1");
        CdrsCommand command = (CdrsCommand) spec.userObject();

        assertThat(command.tenant).isEqualTo("vdf");
        assertThat(command.from).isEqualTo(Instant.parse("2026-11-30T22:00:00Z"));
        assertThat(command.to).isEqualTo(Instant.parse("2026-12-02T00:00:00Z"));
        assertThat(command.format).isEqualTo(CdrFormat.JSONL);
        assertThat(command.seekMarginSeconds).isEqualTo(-1);
        assertThat(command.stallTimeoutSeconds).isEqualTo(60);
        assertThat(command.output).isNull();
    }

    @Test
    void shouldRefuseAnOutputThatIsADirectoryAsAUsageError(@TempDir Path dir) {
        int code = RatestreamCli.execute(Map.of(), "cdrs", "--tenant", "vdf", "--output", dir.toString(),
                "--bootstrap", "127.0.0.1:1");

        assertThat(code).isEqualTo(2);
        assertThat(dir).isEmptyDirectory();
    }
}
