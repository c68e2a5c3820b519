package io.ratestream.app.cli;

import static io.ratestream.app.CliTest.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratestream.app.CliTest.Run;
import io.ratestream.gateway.auth.AuthFile;
import io.ratestream.gateway.auth.Authenticator;
import io.ratestream.gateway.auth.Principal;
import io.ratestream.gateway.auth.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ratestream keys}: the key is printed once, on standard output, and only its digest is written;
 * names are unique; a certificate's digest is that of its DER encoding; list never shows a key.
 */
class KeysCommandTest {

    @TempDir
    Path dir;

    private Path auth() {
        return dir.resolve("auth.json");
    }

    private Run keys(String... args) {
        String[] line = new String[args.length + 3];
        line[0] = "keys";
        System.arraycopy(args, 0, line, 1, args.length);
        line[args.length + 1] = "--auth";
        line[args.length + 2] = auth().toString();
        return cli(line);
    }

    private String addKey(String name, String... options) {
        String[] args = new String[options.length + 2];
        args[0] = "add";
        args[1] = name;
        System.arraycopy(options, 0, args, 2, options.length);
        Run add = keys(args);
        assertThat(add.code()).as(add.err()).isZero();
        return add.out().trim();
    }

    @Test
    void shouldPrintANewKeyOnceThatAuthenticatesAndStoreOnlyItsDigest() throws Exception {
        Run add = keys("add", "switch-1", "--tenant", "vdf", "--role", "rate", "--role", "charge");

        assertThat(add.code()).as(add.err()).isZero();
        assertThat(add.out().lines().toList()).hasSize(1);
        String key = add.out().trim();
        assertThat(key).startsWith(KeysCommand.KEY_PREFIX).hasSize(KeysCommand.KEY_PREFIX.length() + 43);
        assertThat(add.err()).contains("added principal 'switch-1' in " + auth()).contains("kill -HUP")
                .doesNotContain(key);
        String file = Files.readString(auth());
        assertThat(file).doesNotContain(key).contains(Authenticator.sha256Hex(key.getBytes(StandardCharsets.UTF_8)));
        AuthFile.Entry entry = AuthFile.read(auth()).entry("switch-1");
        assertThat(entry.apiKeySha256()).isEqualTo(Authenticator.sha256Hex(key.getBytes(StandardCharsets.UTF_8)));
        assertThat(entry.clientCertSha256()).isNull();
        Principal principal = Authenticator.fromFile(auth()).principal(Authenticator.apiKey(key));
        assertThat(principal).isEqualTo(new Principal("switch-1", Set.of("vdf"), false, Set.of(Role.RATE,
                Role.CHARGE)));

        String other = addKey("ops", "--tenant", "*", "--role", "ADMIN");
        assertThat(other).isNotEqualTo(key);
        Authenticator both = Authenticator.fromFile(auth());
        assertThat(both.principal(Authenticator.apiKey(other)).anyTenant()).isTrue();
        assertThat(both.principal(Authenticator.apiKey(key)).name()).isEqualTo("switch-1");
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(auth()))).isEqualTo("rw-------");
        }
    }

    @Test
    void shouldRefuseAnExistingNameUnlessReplacingIt() throws Exception {
        String first = addKey("switch-1", "--tenant", "vdf", "--role", "rate");
        byte[] before = Files.readAllBytes(auth());

        Run again = keys("add", "switch-1", "--tenant", "acme", "--role", "topup");

        assertThat(again.code()).isEqualTo(1);
        assertThat(again.out()).isEmpty();
        assertThat(again.err()).contains("principal 'switch-1' exists in " + auth() + ": pass --replace");
        assertThat(Files.readAllBytes(auth())).isEqualTo(before);

        String second = addKey("switch-1", "--tenant", "acme", "--role", "topup", "--replace");

        Authenticator authenticator = Authenticator.fromFile(auth());
        assertThat(authenticator.principal(Authenticator.apiKey(first))).as("the old key").isNull();
        assertThat(authenticator.principal(Authenticator.apiKey(second))).isEqualTo(new Principal("switch-1",
                Set.of("acme"), false, Set.of(Role.TOPUP)));
        assertThat(AuthFile.read(auth()).names()).containsExactly("switch-1");
    }

    @Test
    void shouldRefuseWhatTheAuthFileWouldRefuse() throws Exception {
        Run role = keys("add", "x", "--tenant", "vdf", "--role", "root");
        Run name = keys("add", "a name", "--tenant", "vdf", "--role", "rate");
        Run noKey = keys("add", "x", "--tenant", "vdf", "--role", "rate", "--no-key");

        assertThat(role.code()).isEqualTo(1);
        assertThat(role.err()).contains("unknown role 'root': expected one of rate, charge, topup, admin");
        assertThat(name.code()).isEqualTo(1);
        assertThat(name.err()).contains("a name is 1 to 64");
        assertThat(noKey.code()).isEqualTo(1);
        assertThat(noKey.err()).contains("--no-key needs --cert");
        assertThat(role.out() + name.out() + noKey.out()).isEmpty();
        assertThat(auth()).doesNotExist();
    }

    @Test
    void shouldStoreTheDigestOfTheDerEncodingOfACertificateFromKeytool() throws Exception {
        Path keystore = dir.resolve("client.p12");
        Path pem = dir.resolve("client.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=switch-1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass",
                "changeit", "-keypass", "changeit");
        run(keytool, "-exportcert", "-rfc", "-alias", "client", "-keystore", keystore.toString(), "-storepass",
                "changeit", "-file", pem.toString());

        assertCertificateDigest(pem, Authenticator.sha256Hex(der(pem)));
    }

    @Test
    void shouldStoreTheDigestOfACertificateThatOpensslWrote() throws Exception {
        Path key = dir.resolve("client.key");
        Path pem = dir.resolve("client.pem");
        Path der = dir.resolve("client.der");
        try {
            run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out",
                    pem.toString(), "-subj", "/CN=billing", "-days", "2");
        } catch (IOException e) {
            Assumptions.abort("openssl is not installed: " + e.getMessage());
        }
        run("openssl", "x509", "-in", pem.toString(), "-outform", "DER", "-out", der.toString());

        assertCertificateDigest(pem, Authenticator.sha256Hex(Files.readAllBytes(der)));
    }

    private void assertCertificateDigest(Path pem, String expected) throws Exception {
        Run certOnly = keys("add", "edge", "--tenant", "vdf", "--role", "rate", "--cert", pem.toString(), "--no-key");
        assertThat(certOnly.code()).as(certOnly.err()).isZero();
        assertThat(certOnly.out()).as("no key to print").isEmpty();
        Run twice = keys("add", "billing", "--tenant", "vdf", "--role", "charge", "--cert", pem.toString());
        assertThat(twice.code()).as("a certificate belongs to one principal").isEqualTo(1);
        assertThat(twice.err()).contains("principal 'billing' and principal 'edge' have the same digest");
        assertThat(twice.out()).as("no key printed for a principal that was not written").isEmpty();

        AuthFile file = AuthFile.read(auth());
        assertThat(file.entry("edge").clientCertSha256()).isEqualTo(expected);
        assertThat(file.entry("edge").apiKeySha256()).isNull();
        assertThat(file.entry("billing")).isNull();
        assertThat(Authenticator.fromFile(auth()).principal(Authenticator.clientCertificate(expected)).name())
                .isEqualTo("edge");
    }

    @Test
    void shouldRefuseACertificateFileThatIsNotOne() throws Exception {
        Path pem = Files.writeString(dir.resolve("not.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

        Run add = keys("add", "edge", "--tenant", "vdf", "--role", "rate", "--cert", pem.toString());

        assertThat(add.code()).isEqualTo(1);
        assertThat(add.err()).contains(pem + " is not an X.509 certificate");
        assertThat(add.out()).isEmpty();
    }

    @Test
    void shouldListPrincipalsWithoutEverPrintingAKeyOrItsDigest() throws Exception {
        String key = addKey("switch-1", "--tenant", "vdf", "--tenant", "acme", "--role", "rate", "--role", "charge");
        String digest = Authenticator.sha256Hex(key.getBytes(StandardCharsets.UTF_8));
        String certificate = "ab".repeat(32);
        // a principal with a certificate only, as an operator may write it by hand
        AuthFile.read(auth()).with(new AuthFile.Entry("edge", null, certificate, List.of("*"), List.of(Role.ADMIN)))
                .write(auth());

        Run list = keys("list");

        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).doesNotContain(key).doesNotContain(digest).doesNotContain(certificate);
        assertThat(list.out().lines().toList()).hasSize(2);
        assertThat(list.out().lines().toList().get(0)).startsWith("switch-1").contains("[vdf, acme]")
                .contains("[rate, charge]").contains("(api key)");
        assertThat(list.out().lines().toList().get(1)).startsWith("edge").contains("[*]").contains("[admin]")
                .contains("(client certificate " + certificate.substring(0, 16) + "...)");
    }

    @Test
    void shouldRemoveAPrincipalAndRefuseToRemoveOneThatIsNotThere() throws Exception {
        String key = addKey("switch-1", "--tenant", "vdf", "--role", "rate");
        String kept = addKey("ops", "--tenant", "*", "--role", "admin");

        Run remove = keys("remove", "switch-1");
        Run missing = keys("remove", "switch-1");

        assertThat(remove.code()).as(remove.err()).isZero();
        assertThat(remove.err()).contains("removed principal 'switch-1' from " + auth());
        Authenticator authenticator = Authenticator.fromFile(auth());
        assertThat(authenticator.principal(Authenticator.apiKey(key))).isNull();
        assertThat(authenticator.principal(Authenticator.apiKey(kept)).name()).isEqualTo("ops");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("no principal 'switch-1' in " + auth() + " (it has: ops)");
    }

    /** The DER bytes of a PEM certificate, decoded here rather than by the code under test. */
    private static byte[] der(Path pem) throws IOException {
        String text = Files.readString(pem);
        String body = text.substring(text.indexOf("-----BEGIN CERTIFICATE-----") + 27,
                text.indexOf("-----END CERTIFICATE-----"));
        return Base64.getMimeDecoder().decode(body);
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
