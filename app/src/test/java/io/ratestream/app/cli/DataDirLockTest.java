package io.ratestream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirLockTest {

    @Test
    void shouldRefuseASecondHolderOfTheSameDataDirAndLetItGoWhenReleased(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (DataDirLock first = DataDirLock.acquire(data)) {
            assertThatThrownBy(() -> DataDirLock.acquire(data)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is in use by another ratestream process: stop it, or pass another --data-dir");
        }
        DataDirLock.acquire(data).close();
    }

    @Test
    void shouldRefuseASecondDevOnTheSameDataDirBeforeItTouchesAnything(@TempDir Path data) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try (DataDirLock held = DataDirLock.acquire(data)) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = RatestreamCli.execute("dev", "--data-dir", data.toString(), "--kafka-port", "0",
                    "--jsonrpc-port", "0", "--http-port", "0");
        } finally {
            System.setErr(err);
        }

        assertThat(exit).isEqualTo(1);
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("ratestream dev: data dir")
                .contains("is in use by another ratestream process");
        try (Stream<Path> files = Files.list(data)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(DataDirLock.FILE);
        }
    }
}
