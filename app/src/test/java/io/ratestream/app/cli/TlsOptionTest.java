package io.ratestream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratestream.gateway.GatewayConfig;
import io.ratestream.gateway.auth.Authenticator;
import io.ratestream.gateway.tls.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The TLS flags on both commands that run a gateway: both files or none, the client CA only with them. */
class TlsOptionTest {

    @TempDir
    Path dir;

    @Test
    void shouldRunPlainWithoutTheFlags() {
        GatewayCommand command = new GatewayCommand();
        new CommandLine(command).parseArgs();

        assertThat(command.tls.applyTo(GatewayConfig.defaults("kafka:9092")).tls()).isNull();
        assertThat(command.tls.httpScheme()).isEqualTo("http");
    }

    @Test
    void shouldRefuseHalfASetup() {
        DevCommand dev = new DevCommand();
        new CommandLine(dev).parseArgs("--tls-cert", "server.pem");
        GatewayCommand gateway = new GatewayCommand();
        new CommandLine(gateway).parseArgs("--tls-client-ca", "ca.pem");

        assertThatThrownBy(() -> dev.tls.settings()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--tls-cert and --tls-key go together: pass both (the certificate and its private key), "
                        + "or neither for plain TCP and HTTP");
        assertThatThrownBy(() -> gateway.tls.settings()).hasMessage("--tls-client-ca needs --tls-cert and --tls-key: "
                + "the listeners ask for client certificates only over TLS");
    }

    @Test
    void shouldNameAFileThatIsNotThere() {
        Path missing = dir.resolve("server.key");
        GatewayCommand command = new GatewayCommand();
        new CommandLine(command).parseArgs("--tls-cert", dir.toString(), "--tls-key", missing.toString());

        assertThatThrownBy(() -> command.tls.settings()).hasMessage("TLS certificate chain file " + dir
                + " is not a readable file: check --tls-cert and the file's permissions");
        assertThat(command.tls.httpScheme()).isEqualTo("https");
    }

    @Test
    void shouldSkipDevsWarmUpWhenClientsMustShowACertificate() throws Exception {
        Path cert = Files.writeString(dir.resolve("server.pem"), "x");
        Path key = Files.writeString(dir.resolve("server.key"), "x");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");

        assertThat(DevCommand.warmUpWouldBypassAccessControl(Authenticator.open(), null)).isFalse();
        assertThat(DevCommand.warmUpWouldBypassAccessControl(Authenticator.open(), new TlsSettings(cert, key, null)))
                .isFalse();
        assertThat(DevCommand.warmUpWouldBypassAccessControl(Authenticator.open(), new TlsSettings(cert, key, ca)))
                .isTrue();
    }
}
