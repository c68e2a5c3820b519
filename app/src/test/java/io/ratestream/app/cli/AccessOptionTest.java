package io.ratestream.app.cli;

import static io.ratestream.app.CliTest.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.app.CliTest.Run;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The safe default of {@code dev} and {@code gateway}: without {@code --auth} only loopback, unless
 * {@code --insecure-no-auth} says otherwise; a broken auth file stops the start with a sentence. Each
 * command that passes the check is then stopped by a port in use, before anything starts, so that the
 * test sees the refusal that came next and not a running gateway.
 */
class AccessOptionTest {

    private static final String REFUSAL = "without --auth: anyone who reaches the ports could read and change every "
            + "tenant's budgets. Pass --auth FILE";

    @TempDir
    Path dir;

    private Run start(String command, ServerSocket taken, String... options) {
        List<String> line = new ArrayList<>(List.of(command));
        if (command.equals("dev")) {
            // dev checks its Kafka port first
            line.addAll(List.of("--data-dir", dir.resolve("data").toString(), "--kafka-port",
                    String.valueOf(taken.getLocalPort())));
        } else {
            line.addAll(List.of("--bootstrap", "127.0.0.1:1"));
        }
        line.addAll(List.of("--jsonrpc-port", String.valueOf(taken.getLocalPort())));
        line.addAll(List.of(options));
        return cli(line.toArray(String[]::new));
    }

    private Path validAuthFile() throws Exception {
        Run add = cli("keys", "add", "ops", "--tenant", "*", "--role", "admin", "--auth",
                dir.resolve("auth.json").toString());
        assertThat(add.code()).as(add.err()).isZero();
        return dir.resolve("auth.json");
    }

    @Test
    void shouldRefuseANonLoopbackBindWithoutAuth() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            for (String command : List.of("gateway", "dev")) {
                for (String bind : List.of("0.0.0.0", "::")) {
                    Run run = start(command, taken, "--bind", bind);

                    assertThat(run.code()).as(command + " " + bind).isEqualTo(1);
                    assertThat(run.err()).as(command + " " + bind).contains("refusing --bind " + bind + " " + REFUSAL)
                            .contains("--insecure-no-auth");
                    assertThat(run.err()).as("refused before the ports are checked").doesNotContain("is in use");
                }
            }
        }
    }

    @Test
    void shouldAcceptLoopbackWithoutAuth() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            for (String bind : List.of("127.0.0.1", "localhost", "::1")) {
                Run run = start("gateway", taken, "--bind", bind);

                assertThat(run.err()).as(bind).doesNotContain("refusing").contains("port " + taken.getLocalPort()
                        + " is in use");
            }
        }
    }

    @Test
    void shouldLetInsecureNoAuthOrAnAuthFilePassTheCheck() throws Exception {
        Path auth = validAuthFile();
        try (ServerSocket taken = new ServerSocket(0)) {
            for (String command : List.of("gateway", "dev")) {
                Run insecure = start(command, taken, "--bind", "0.0.0.0", "--insecure-no-auth");
                Run withAuth = start(command, taken, "--bind", "0.0.0.0", "--auth", auth.toString());

                for (Run run : List.of(insecure, withAuth)) {
                    assertThat(run.code()).as(command).isEqualTo(1);
                    assertThat(run.err()).as(command).doesNotContain("refusing")
                            .contains("port " + taken.getLocalPort() + " is in use");
                }
            }
        }
    }

    @Test
    void shouldRefuseAuthTogetherWithInsecureNoAuth() throws Exception {
        Path auth = validAuthFile();
        try (ServerSocket taken = new ServerSocket(0)) {
            for (String command : List.of("gateway", "dev")) {
                Run run = start(command, taken, "--auth", auth.toString(), "--insecure-no-auth");

                assertThat(run.code()).isEqualTo(1);
                assertThat(run.err()).contains("--auth and --insecure-no-auth contradict each other: pass one");
            }
        }
    }

    @Test
    void shouldRefuseToStartWithABrokenAuthFileNamingIt() throws Exception {
        Path notJson = Files.writeString(dir.resolve("not-json.json"), "{\"principals\": [");
        Path noRoles = Files.writeString(dir.resolve("no-roles.json"), "{\"principals\": [{\"name\": \"ops\", "
                + "\"apiKeySha256\": \"" + "a".repeat(64) + "\", \"tenants\": [\"*\"], \"roles\": []}]}");
        Path missing = dir.resolve("missing.json");
        try (ServerSocket taken = new ServerSocket(0)) {
            for (String command : List.of("gateway", "dev")) {
                Run broken = start(command, taken, "--auth", notJson.toString());
                Run empty = start(command, taken, "--auth", noRoles.toString());
                Run absent = start(command, taken, "--auth", missing.toString());

                assertThat(broken.code()).isEqualTo(1);
                assertThat(broken.err()).contains("ratestream " + command + ": " + notJson + " is not JSON");
                assertThat(empty.code()).isEqualTo(1);
                assertThat(empty.err()).contains(noRoles + ": principal 'ops' has no roles");
                assertThat(absent.code()).isEqualTo(1);
                assertThat(absent.err()).contains("the auth file " + missing + " does not exist");
                for (Run run : List.of(broken, empty, absent)) {
                    assertThat(run.err()).doesNotContain("is in use").doesNotContain("\tat ");
                }
            }
        }
    }
}
