package io.ratestream.gateway;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratestream.gateway.tls.TestPki;
import io.ratestream.gateway.tls.TlsSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad TLS file fails the gateway's start with a sentence naming it, before any Kafka client is made. */
class GatewayTlsStartTest {

    @TempDir
    Path dir;

    @Test
    void shouldFailTheStartWithTheFilesName() {
        TestPki.Setup pki = TestPki.setup(dir, false);
        Path encrypted = TestPki.writeEncryptedKey(dir.resolve("encrypted.key"), pki.server().keys().getPrivate());
        Path mismatched = TestPki.writeKey(dir.resolve("other.key"), TestPki.rsa().getPrivate());
        // Nothing listens on port 1: were Kafka clients made first, the start would fail otherwise, or hang.
        GatewayConfig config = GatewayConfig.defaults("127.0.0.1:1").withPorts(0, 0);

        assertThatThrownBy(() -> GatewayApp.start(config.withTls(new TlsSettings(pki.certificateChain(), encrypted,
                null)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the private key in " + encrypted + " (--tls-key) is encrypted");
        assertThatThrownBy(() -> GatewayApp.start(config.withTls(new TlsSettings(pki.certificateChain(), mismatched,
                null)))).hasMessageStartingWith("the private key in " + mismatched + " (--tls-key, RSA) does not "
                        + "belong to the first certificate of " + pki.certificateChain());
        assertThatThrownBy(() -> GatewayApp.start(config.withTls(new TlsSettings(pki.certificateChain(),
                pki.privateKey(), pki.privateKey())))).hasMessageStartingWith(pki.privateKey()
                        + " (--tls-client-ca) holds no certificate");
    }
}
