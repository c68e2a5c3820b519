package io.ratestream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.schemas.files.CgratesFiles;
import io.ratestream.schemas.files.DataSet;
import io.ratestream.schemas.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class TopologyWarmUpTest {

    private static final DataSet DEMO = new CgratesFiles(Json.newMapper()).readDirectory(Path.of("..", "demo",
            "cgrates-2012"));

    @Test
    void shouldDriveEveryKindOfCommandThroughTheTopologyWithoutARefusalAndLeaveNoDirectoryBehind() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = warmUpDirectories(tmp);
        TopologyWarmUp.Running running = TopologyWarmUp.start(DEMO, "vdf");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (running.sent() < 600 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long sent = running.stop();

        // debits, DebitSeconds, sessions and queries, all answered as accepted: the paths clients take
        assertThat(sent).isGreaterThanOrEqualTo(600);
        assertThat(running.refused()).isZero();
        assertThat(warmUpDirectories(tmp)).isEqualTo(before);
    }

    private static long warmUpDirectories(Path tmp) throws IOException {
        try (Stream<Path> entries = Files.list(tmp)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("ratestream-warm-up-")).count();
        }
    }
}
