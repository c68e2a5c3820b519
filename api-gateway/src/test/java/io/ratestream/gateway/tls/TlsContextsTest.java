package io.ratestream.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the gateway reads from PEM files, and the sentence it says when it cannot start with them. */
class TlsContextsTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "ec={0}")
    @ValueSource(booleans = {false, true})
    void shouldLoadPkcs8KeysOfBothAlgorithms(boolean ec) {
        TestPki.Setup pki = TestPki.setup(dir, ec);

        TlsContexts tls = TlsContexts.load(pki.settings());

        assertThat(tls.verifiesClients()).isTrue();
        assertThat(tls.netty().isServer()).isTrue();
        assertThat(PemFiles.privateKey(pki.privateKey(), "--tls-key").getAlgorithm()).isEqualTo(ec ? "EC" : "RSA");
        assertThat(PemFiles.certificates(pki.certificateChain(), "--tls-cert"))
                .containsExactly(pki.server().certificate(), pki.ca().certificate());
        assertThat(TlsContexts.load(pki.withoutClientCa()).verifiesClients()).isFalse();
    }

    @Test
    void shouldReadCertificatesBetweenOtherText() throws Exception {
        TestPki.Setup pki = TestPki.setup(dir, false);
        // As `openssl x509 -text` writes it: a description, then the PEM block; and a trailing comment.
        String pem = Files.readString(pki.clientCa());
        Path annotated = TestPki.write(dir.resolve("annotated.pem"),
                "Certificate:\n    Data:\n        Version: 3 (0x2)\n" + pem + "\n# the test CA\n");

        assertThat(PemFiles.certificates(annotated, "--tls-client-ca")).containsExactly(pki.ca().certificate());
    }

    @Test
    void shouldNameAMissingFile() {
        TestPki.Setup pki = TestPki.setup(dir, false);
        Path missing = dir.resolve("nowhere.pem");

        assertThatThrownBy(() -> new TlsSettings(missing, pki.privateKey(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TLS certificate chain file " + missing + " does not exist: check --tls-cert");
        assertThatThrownBy(() -> new TlsSettings(pki.certificateChain(), pki.privateKey(), missing))
                .hasMessage("TLS client CA file " + missing + " does not exist: check --tls-client-ca");
        assertThatThrownBy(() -> new TlsSettings(pki.certificateChain(), dir, null))
                .hasMessage("TLS private key file " + dir + " is not a readable file: check --tls-key and the "
                        + "file's permissions");
    }

    @Test
    void shouldRefuseAnEncryptedKey() {
        TestPki.Setup pki = TestPki.setup(dir, false);
        Path encrypted = TestPki.writeEncryptedKey(dir.resolve("encrypted.key"), pki.server().keys().getPrivate());

        assertThat(encrypted).content().startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThatThrownBy(() -> TlsContexts.load(new TlsSettings(pki.certificateChain(), encrypted, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the private key in " + encrypted + " (--tls-key) is encrypted, the gateway reads "
                        + "unencrypted keys only: decrypt it with `openssl pkey -in " + encrypted + " -out key.pem` "
                        + "and protect key.pem with the file's permissions (chmod 600)");
    }

    @ParameterizedTest(name = "ec={0}")
    @ValueSource(booleans = {false, true})
    void shouldRefuseATraditionalKeyWithTheCommandThatConvertsIt(boolean ec) {
        TestPki.Setup pki = TestPki.setup(dir, ec);
        Path traditional = TestPki.writeTraditionalKey(dir.resolve("traditional.key"),
                pki.server().keys().getPrivate());

        assertThat(traditional).content().contains(ec ? "-----BEGIN EC PRIVATE KEY-----"
                : "-----BEGIN RSA PRIVATE KEY-----");
        assertThatThrownBy(() -> TlsContexts.load(new TlsSettings(pki.certificateChain(), traditional, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(traditional + " (--tls-key) holds a traditional \""
                        + (ec ? "EC" : "RSA") + " PRIVATE KEY\"")
                .hasMessageEndingWith("convert it with `openssl pkcs8 -topk8 -nocrypt -in " + traditional
                        + " -out key.pem` and pass key.pem");
    }

    @ParameterizedTest(name = "ec={0}")
    @ValueSource(booleans = {false, true})
    void shouldRefuseAKeyThatIsNotTheCertificates(boolean ec) {
        TestPki.Setup pki = TestPki.setup(dir, ec);
        Path otherKey = TestPki.writeKey(dir.resolve("other.key"), (ec ? TestPki.ec() : TestPki.rsa()).getPrivate());
        Path otherAlgorithm = TestPki.writeKey(dir.resolve("other-algorithm.key"),
                (ec ? TestPki.rsa() : TestPki.ec()).getPrivate());

        for (Path key : new Path[] {otherKey, otherAlgorithm}) {
            assertThatThrownBy(() -> TlsContexts.load(new TlsSettings(pki.certificateChain(), key, null)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("the private key in " + key + " (--tls-key, ")
                    .hasMessageContaining("does not belong to the first certificate of " + pki.certificateChain()
                            + " (--tls-cert, CN=localhost, " + (ec ? "EC" : "RSA") + ")");
        }
        // The right certificate, but not first in its file.
        Path reversed = TestPki.writeCertificates(dir.resolve("reversed.pem"), pki.ca().certificate(),
                pki.server().certificate());
        assertThatThrownBy(() -> TlsContexts.load(new TlsSettings(reversed, pki.privateKey(), null)))
                .hasMessageContaining("does not belong to the first certificate of " + reversed);
    }

    @Test
    void shouldRefuseGarbage() throws Exception {
        TestPki.Setup pki = TestPki.setup(dir, false);
        byte[] noise = new byte[2000];
        new Random(7).nextBytes(noise);
        Path garbage = Files.write(dir.resolve("garbage.pem"), noise);
        Path der = Files.write(dir.resolve("server.der"), pki.server().certificate().getEncoded());
        Path broken = TestPki.write(dir.resolve("broken.pem"),
                "-----BEGIN CERTIFICATE-----\nMIIB!!not*base64\n-----END CERTIFICATE-----\n");
        Path notACertificate = TestPki.write(dir.resolve("not-a-certificate.pem"),
                "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n");

        for (Path file : new Path[] {garbage, der}) {
            assertThatThrownBy(() -> TlsContexts.load(new TlsSettings(file, pki.privateKey(), null)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(file + " (--tls-cert) is not a PEM file: it has no -----BEGIN ...----- "
                            + "/ -----END ...----- block");
            assertThatThrownBy(() -> TlsContexts.load(new TlsSettings(pki.certificateChain(), file, null)))
                    .hasMessageStartingWith(file + " (--tls-key) is not a PEM file");
        }
        assertThatThrownBy(() -> TlsContexts.load(new TlsSettings(broken, pki.privateKey(), null)))
                .hasMessageStartingWith("the \"CERTIFICATE\" block of " + broken + " is not valid base64");
        assertThatThrownBy(() -> TlsContexts.load(new TlsSettings(notACertificate, pki.privateKey(), null)))
                .hasMessageStartingWith("certificate 1 of " + notACertificate
                        + " (--tls-cert) is not a valid X.509 certificate");
        // Files swapped: the key where the certificate goes and the other way round.
        assertThatThrownBy(() -> TlsContexts.load(new TlsSettings(pki.privateKey(), pki.certificateChain(), null)))
                .hasMessage(pki.privateKey() + " (--tls-cert) holds no certificate: expected -----BEGIN "
                        + "CERTIFICATE----- blocks, as openssl writes them");
        assertThatThrownBy(() -> TlsContexts.load(new TlsSettings(pki.certificateChain(), pki.clientCa(), null)))
                .hasMessage(pki.clientCa() + " (--tls-key) holds no private key: expected -----BEGIN PRIVATE "
                        + "KEY----- (unencrypted PKCS#8, as openssl writes it)");
        assertThatThrownBy(() -> TlsContexts.load(new TlsSettings(pki.certificateChain(), pki.privateKey(), garbage)))
                .hasMessageStartingWith(garbage + " (--tls-client-ca) is not a PEM file");
        assertThat(Files.readString(pki.privateKey(), StandardCharsets.US_ASCII)).startsWith("-----BEGIN PRIVATE KEY");
    }
}
