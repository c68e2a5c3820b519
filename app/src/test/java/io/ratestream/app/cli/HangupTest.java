package io.ratestream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.gateway.auth.Authenticator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that ignores SIGHUP (started with {@code nohup}) cannot reload its auth file on SIGHUP: the JVM
 * leaves an ignored SIGHUP ignored and never calls the handler, so the start-up line must not promise it.
 * (That the signal reloads the file in a process that takes it: {@code HangupIT}, with a real SIGHUP.)
 *
 * <p>This test makes its own JVM ignore SIGHUP for good, as {@code nohup} would; no other test of this
 * module's unit-test JVM uses SIGHUP.
 */
class HangupTest {

    @Test
    void shouldNotPromiseASighupReloadInAProcessThatIgnoresSighup(@TempDir Path dir) throws Exception {
        Assumptions.assumeFalse(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows"),
                "SIGHUP is POSIX");
        Path file = Files.writeString(dir.resolve("auth.json"), "{\"principals\": []}");
        Authenticator authenticator = Authenticator.fromFile(file);
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sun.misc.SignalHandler.SIG_IGN); // as nohup starts it

        boolean reloads = Hangup.reloads(authenticator);

        assertThat(reloads).isFalse();
        assertThat(GatewayCommand.describe(authenticator, reloads)).isEqualTo("auth: principals from " + file
                + " (restart to reload it: SIGHUP cannot, this process ignores it, as under nohup)");
        assertThat(GatewayCommand.describe(authenticator, true)).endsWith(" (SIGHUP reloads it)");
        assertThat(Hangup.reloads(Authenticator.open())).isFalse();
    }
}
