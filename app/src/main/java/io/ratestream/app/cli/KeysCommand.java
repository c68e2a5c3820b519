package io.ratestream.app.cli;

import io.ratestream.gateway.auth.AuthFile;
import io.ratestream.gateway.auth.Authenticator;
import io.ratestream.gateway.auth.Role;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Writes the auth file of {@code --auth}: principals with a fresh API key (printed once, stored only as
 * its SHA-256) and/or a client certificate's digest, their tenants and roles (docs/security.md).
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Manage the auth file of `dev --auth` and `gateway --auth`: add a principal with a new API key "
                + "(printed once on standard output, stored only as its SHA-256) or a client certificate, list, "
                + "remove. Running gateways apply the file on SIGHUP.",
        subcommands = {KeysCommand.Add.class, KeysCommand.ListKeys.class, KeysCommand.Remove.class})
final class KeysCommand implements Runnable {

    /** Random bytes in a generated key: 256 bits. */
    static final int KEY_BYTES = 32;
    /** What every generated key starts with, so a leaked one is easy to recognize (and to scan for). */
    static final String KEY_PREFIX = "rsk_";

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** The auth file option every subcommand shares. */
    static final class FileOption {
        @Option(names = "--auth", paramLabel = "FILE", defaultValue = "auth.json",
                description = "the auth file (default: ${DEFAULT-VALUE})")
        Path file;

        AuthFile read() {
            return Files.exists(file) ? AuthFile.read(file) : AuthFile.empty();
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a principal. Prints its new API key on standard output, once: store it where the "
                    + "client reads it. With --cert, the certificate's holder is the principal too (TLS).")
    static final class Add implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "the principal's name (logs and errors show it)")
        String name;

        @Option(names = "--tenant", required = true, paramLabel = "TENANT",
                description = "a tenant (CstmId) it may act for; repeat for several; * for all")
        List<String> tenants = new ArrayList<>();

        @Option(names = "--role", required = true, paramLabel = "ROLE",
                description = "rate, charge, topup or admin; repeat for several (none implies another)")
        List<String> roles = new ArrayList<>();

        @Option(names = "--cert", paramLabel = "PEM",
                description = "a client certificate (PEM) that authenticates as this principal over TLS")
        Path certificate;

        @Option(names = "--no-key", description = "no API key (with --cert: the certificate alone)")
        boolean noKey;

        @Option(names = "--replace", description = "replace a principal of the same name (a new key: the old one "
                + "stops working once gateways reload)")
        boolean replace;

        @picocli.CommandLine.Mixin
        FileOption auth;

        @Override
        public Integer call() throws Exception {
            if (noKey && certificate == null) {
                throw new IllegalArgumentException("--no-key needs --cert: a principal has a key, a certificate or both");
            }
            AuthFile file = auth.read();
            if (file.entry(name) != null && !replace) {
                throw new IllegalArgumentException("principal '" + name + "' exists in " + auth.file
                        + ": pass --replace to give it a new key, or `keys remove` it first");
            }
            List<Role> parsed = new ArrayList<>();
            for (String role : roles) {
                parsed.add(Role.fromName(role));
            }
            String key = noKey ? null : newKey();
            AuthFile.Entry entry = new AuthFile.Entry(name, key == null ? null : Authenticator.apiKey(key).sha256(),
                    certificate == null ? null : certificateSha256(certificate), tenants, parsed);
            AuthFile next = file.with(entry);
            next.write(auth.file);
            System.err.printf("%s principal '%s' in %s (tenants %s, roles %s)%s; running gateways apply it on SIGHUP "
                    + "(kill -HUP <pid>)%n", replace ? "wrote" : "added", name, auth.file, tenants, roles,
                    key == null ? "" : ". Its API key follows, shown this once: keep it secret");
            if (key != null) {
                System.out.println(key);
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the principals (never a key).")
    static final class ListKeys implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        FileOption auth;

        @Override
        public Integer call() {
            for (AuthFile.Entry entry : auth.read().principals()) {
                List<String> credentials = new ArrayList<>();
                if (entry.apiKeySha256() != null) {
                    credentials.add("api key");
                }
                if (entry.clientCertSha256() != null) {
                    credentials.add("client certificate " + entry.clientCertSha256().substring(0, 16) + "...");
                }
                System.out.printf("%-20s tenants %s  roles %s  (%s)%n", entry.name(), entry.tenants(),
                        entry.roles().stream().map(Role::wireName).toList(), String.join(", ", credentials));
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a principal; running gateways stop accepting it on SIGHUP.")
    static final class Remove implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @picocli.CommandLine.Mixin
        FileOption auth;

        @Override
        public Integer call() throws IOException {
            AuthFile file = auth.read();
            if (file.entry(name) == null) {
                throw new IllegalArgumentException("no principal '" + name + "' in " + auth.file + " (it has: "
                        + String.join(", ", file.names()) + ")");
            }
            file.without(name).write(auth.file);
            System.err.printf("removed principal '%s' from %s; running gateways apply it on SIGHUP%n", name, auth.file);
            return 0;
        }
    }

    /** A new key: {@value #KEY_PREFIX} and 256 random bits, base64url. */
    static String newKey() {
        byte[] bytes = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(bytes);
        return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The SHA-256 of the DER encoding of the first certificate of a PEM (or DER) file. */
    static String certificateSha256(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return Authenticator.sha256Hex(certificate.getEncoded());
        } catch (CertificateException e) {
            throw new IllegalArgumentException(pem + " is not an X.509 certificate (PEM as openssl writes it): "
                    + e.getMessage(), e);
        }
    }
}
