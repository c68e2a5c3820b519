package io.ratestream.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The auth file's rules, each with the sentence that names the file, the principal and the problem. */
class AuthFileTest {

    private static final String KEY_A = Authenticator.apiKey("key-a").sha256();
    private static final String KEY_B = Authenticator.apiKey("key-b").sha256();
    private static final String CERT = Authenticator.sha256Hex("a certificate".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private Path file(String json) throws IOException {
        return Files.writeString(dir.resolve("auth-" + System.nanoTime() + ".json"), json);
    }

    private static String principal(String name, String digestField, String digest, String tenants, String roles) {
        return "{\"name\":\"" + name + "\",\"" + digestField + "\":\"" + digest + "\",\"tenants\":" + tenants
                + ",\"roles\":" + roles + "}";
    }

    private static String wrap(String... principals) {
        return "{\"principals\":[" + String.join(",", principals) + "]}";
    }

    private void assertRefused(String json, String... fragments) throws IOException {
        Path path = file(json);
        assertThatThrownBy(() -> AuthFile.read(path)).isInstanceOf(AuthFileException.class)
                .hasMessageStartingWith(path.toString()).hasMessageContainingAll(fragments);
    }

    @Test
    void shouldReadAValidFileWithBothKindsOfCredential() throws Exception {
        Path path = file(wrap(principal("switch-1", "apiKeySha256", KEY_A, "[\"vdf\"]", "[\"rate\",\"charge\"]"),
                "{\"name\":\"billing\",\"apiKeySha256\":\"" + KEY_B + "\",\"clientCertSha256\":\"" + CERT
                        + "\",\"tenants\":[\"vdf\",\"acme\"],\"roles\":[\"rate\",\"charge\",\"topup\"]}"));

        AuthFile auth = AuthFile.read(path);

        assertThat(auth.names()).containsExactly("switch-1", "billing");
        AuthFile.Entry billing = auth.entry("billing");
        assertThat(billing.apiKeySha256()).isEqualTo(KEY_B);
        assertThat(billing.clientCertSha256()).isEqualTo(CERT);
        assertThat(billing.principal()).isEqualTo(new Principal("billing", Set.of("vdf", "acme"), false,
                Set.of(Role.RATE, Role.CHARGE, Role.TOPUP)));
        assertThat(auth.entry("nobody")).isNull();
    }

    @Test
    void shouldRefuseUnknownFieldsAtTheTopAndInAPrincipal() throws Exception {
        assertRefused("{\"principals\":[],\"admins\":[]}", "unknown field 'admins'");
        assertRefused(wrap("{\"name\":\"ops\",\"apiKeySha256\":\"" + KEY_A + "\",\"tenants\":[\"*\"],\"roles\":"
                + "[\"admin\"],\"apiKey\":\"clear-text\"}"), "principal 'ops'", "unknown field 'apiKey'");
    }

    @Test
    void shouldRefuseAFileThatIsNotTheExpectedShape() throws Exception {
        assertRefused("{\"principals\":", "is not JSON");
        assertRefused("[]", "expected an object");
        assertRefused("{}", "\"principals\" must be an array");
        assertRefused("{\"principals\":[\"ops\"]}", "principal #1 must be an object");
        assertRefused(wrap("{\"apiKeySha256\":\"" + KEY_A + "\",\"tenants\":[\"t\"],\"roles\":[\"rate\"]}"),
                "principal #1", "\"name\" is missing");
        assertRefused(wrap(principal("ops", "apiKeySha256", KEY_A, "\"vdf\"", "[\"rate\"]")),
                "\"tenants\" must be an array of strings");
        assertRefused(wrap(principal("ops", "apiKeySha256", KEY_A, "[\"vdf\"]", "[1]")),
                "\"roles\" must be an array of strings");
        assertRefused(wrap("{\"name\":\"ops\",\"apiKeySha256\":12,\"tenants\":[\"t\"],\"roles\":[\"rate\"]}"),
                "\"apiKeySha256\" must be a string");
    }

    @Test
    void shouldRefuseAPrincipalWithoutCredential() throws Exception {
        assertRefused(wrap("{\"name\":\"ops\",\"tenants\":[\"*\"],\"roles\":[\"admin\"]}"),
                "principal 'ops' has neither apiKeySha256 nor clientCertSha256");
        assertRefused(wrap("{\"name\":\"ops\",\"apiKeySha256\":null,\"tenants\":[\"*\"],\"roles\":[\"admin\"]}"),
                "principal 'ops' has neither");
    }

    @Test
    void shouldRefuseTwoPrincipalsWithOneName() throws Exception {
        assertRefused(wrap(principal("ops", "apiKeySha256", KEY_A, "[\"*\"]", "[\"admin\"]"),
                principal("ops", "apiKeySha256", KEY_B, "[\"*\"]", "[\"rate\"]")), "principal 'ops' appears twice");
    }

    @Test
    void shouldRefuseOneDigestForTwoPrincipalsInAnyLetterCase() throws Exception {
        assertRefused(wrap(principal("a", "apiKeySha256", KEY_A, "[\"t\"]", "[\"rate\"]"),
                principal("b", "apiKeySha256", KEY_A.toUpperCase(Locale.ROOT), "[\"t\"]", "[\"rate\"]")),
                "principal 'b' and principal 'a' have the same digest");
        assertRefused(wrap(principal("a", "apiKeySha256", KEY_A, "[\"t\"]", "[\"rate\"]"),
                principal("b", "clientCertSha256", KEY_A, "[\"t\"]", "[\"rate\"]")), "have the same digest");
    }

    @Test
    void shouldRefuseADigestThatIsNot64HexDigits() throws Exception {
        assertRefused(wrap(principal("a", "apiKeySha256", KEY_A.substring(1), "[\"t\"]", "[\"rate\"]")),
                "principal 'a': a digest is 64 hex digits (the SHA-256), got 63 characters");
        assertRefused(wrap(principal("a", "clientCertSha256", KEY_A + "0", "[\"t\"]", "[\"rate\"]")),
                "got 65 characters");
        assertRefused(wrap(principal("a", "apiKeySha256", "g" + KEY_A.substring(1), "[\"t\"]", "[\"rate\"]")),
                "got 64 characters");
        assertRefused(wrap(principal("a", "apiKeySha256", "", "[\"t\"]", "[\"rate\"]")), "got 0 characters");
    }

    @Test
    void shouldAcceptUpperCaseHexAndKeepItInLowerCase() throws Exception {
        AuthFile auth = AuthFile.read(file(wrap("{\"name\":\"a\",\"apiKeySha256\":\"" + KEY_A.toUpperCase(Locale.ROOT)
                + "\",\"clientCertSha256\":\"" + CERT.toUpperCase(Locale.ROOT) + "\",\"tenants\":[\"t\"],\"roles\":"
                + "[\"RATE\"]}")));

        assertThat(auth.entry("a").apiKeySha256()).isEqualTo(KEY_A);
        assertThat(auth.entry("a").clientCertSha256()).isEqualTo(CERT);
        assertThat(auth.entry("a").roles()).containsExactly(Role.RATE);
        Authenticator authenticator = Authenticator.of(auth);
        assertThat(authenticator.principal(Authenticator.apiKey("key-a")).name()).isEqualTo("a");
        assertThat(authenticator.principal(Authenticator.clientCertificate(CERT.toUpperCase(Locale.ROOT))).name())
                .isEqualTo("a");
    }

    @Test
    void shouldRefuseAnUnknownRoleNamingTheKnownOnes() throws Exception {
        assertRefused(wrap(principal("a", "apiKeySha256", KEY_A, "[\"t\"]", "[\"rate\",\"superuser\"]")),
                "principal 'a': unknown role 'superuser': expected one of rate, charge, topup, admin");
    }

    @Test
    void shouldRefuseEmptyTenantsOrRolesAndABlankTenant() throws Exception {
        assertRefused(wrap(principal("a", "apiKeySha256", KEY_A, "[]", "[\"rate\"]")),
                "principal 'a' has no tenants (\"*\" stands for all)");
        assertRefused(wrap(principal("a", "apiKeySha256", KEY_A, "[\"t\"]", "[]")),
                "principal 'a' has no roles (rate, charge, topup, admin)");
        assertRefused(wrap(principal("a", "apiKeySha256", KEY_A, "[\" \"]", "[\"rate\"]")),
                "principal 'a' has a blank tenant");
    }

    @Test
    void shouldRefuseANameOutsideItsAlphabetOrLength() throws Exception {
        assertRefused(wrap(principal("a b", "apiKeySha256", KEY_A, "[\"t\"]", "[\"rate\"]")),
                "principal 'a b': a name is 1 to 64 letters");
        assertRefused(wrap(principal("x".repeat(AuthFile.MAX_NAME + 1), "apiKeySha256", KEY_A, "[\"t\"]",
                "[\"rate\"]")), "a name is 1 to 64");
        assertThat(AuthFile.read(file(wrap(principal("x".repeat(AuthFile.MAX_NAME), "apiKeySha256", KEY_A,
                "[\"t\"]", "[\"rate\"]")))).names()).hasSize(1);
    }

    @Test
    void shouldLetTheStarTenantActForEveryTenantButOtherTenantsOnlyForThemselves() throws Exception {
        AuthFile auth = AuthFile.read(file(wrap(principal("ops", "apiKeySha256", KEY_A, "[\"*\"]", "[\"admin\"]"),
                principal("sw", "apiKeySha256", KEY_B, "[\"vdf\"]", "[\"rate\"]"))));

        Principal ops = auth.entry("ops").principal();
        Principal sw = auth.entry("sw").principal();

        assertThat(ops.anyTenant()).isTrue();
        assertThat(ops.mayActFor("vdf")).isTrue();
        assertThat(ops.mayActFor("anyone-else")).isTrue();
        assertThat(ops.roles()).containsExactly(Role.ADMIN);
        assertThat(sw.anyTenant()).isFalse();
        assertThat(sw.mayActFor("vdf")).isTrue();
        assertThat(sw.mayActFor("*")).isFalse();
        assertThat(sw.mayActFor("VDF")).isFalse();
        assertThat(sw.mayActFor(null)).isFalse();
    }

    @Test
    void shouldRefuseMorePrincipalsThanTheLimit() throws Exception {
        StringBuilder json = new StringBuilder("{\"principals\":[");
        for (int i = 0; i <= AuthFile.MAX_PRINCIPALS; i++) {
            json.append(i == 0 ? "" : ",").append("{}");
        }
        assertRefused(json.append("]}").toString(), "more than " + AuthFile.MAX_PRINCIPALS + " principals");
    }

    @Test
    void shouldRefuseAFileLargerThanTheLimitBeforeReadingIt() throws Exception {
        Path path = dir.resolve("huge.json");
        try (var channel = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {' '}), AuthFile.MAX_FILE_BYTES);
        }
        assertThatThrownBy(() -> AuthFile.read(path)).isInstanceOf(AuthFileException.class)
                .hasMessage(path + ": larger than " + AuthFile.MAX_FILE_BYTES + " bytes");
    }

    @Test
    void shouldSayWhenTheFileCannotBeRead() {
        Path missing = dir.resolve("missing.json");
        assertThatThrownBy(() -> AuthFile.read(missing)).isInstanceOf(AuthFileException.class)
                .hasMessageStartingWith("the auth file " + missing + " does not exist");
    }

    @Test
    void shouldRoundTripThroughToJsonAndRead() throws Exception {
        AuthFile auth = AuthFile.empty()
                .with(new AuthFile.Entry("switch-1", KEY_A, null, List.of("vdf"), List.of(Role.RATE, Role.CHARGE)))
                .with(new AuthFile.Entry("billing", KEY_B, CERT.toUpperCase(Locale.ROOT), List.of("vdf", "acme"),
                        List.of(Role.TOPUP)))
                .with(new AuthFile.Entry("ops", null, Authenticator.sha256Hex(new byte[] {1}), List.of("*"),
                        List.of(Role.ADMIN)));
        Path path = dir.resolve("auth.json");

        auth.write(path);

        AuthFile read = AuthFile.read(path);
        assertThat(read).isEqualTo(auth);
        assertThat(read.toJson()).isEqualTo(auth.toJson()).isEqualTo(Files.readString(path));
        assertThat(Files.readAllLines(path)).hasSize(5).first().isEqualTo("{\"principals\": [");
        assertThat(read.entry("billing").clientCertSha256()).isEqualTo(CERT);
        assertThat(Files.readString(path)).doesNotContain("null");
    }

    @Test
    void shouldReplaceAPrincipalOfTheSameNameAndRemoveOne() {
        AuthFile auth = AuthFile.empty()
                .with(new AuthFile.Entry("a", KEY_A, null, List.of("t"), List.of(Role.RATE)))
                .with(new AuthFile.Entry("b", KEY_B, null, List.of("t"), List.of(Role.RATE)));

        AuthFile replaced = auth.with(new AuthFile.Entry("a", CERT, null, List.of("u"), List.of(Role.ADMIN)));

        assertThat(replaced.names()).containsExactly("a", "b");
        assertThat(replaced.entry("a").apiKeySha256()).isEqualTo(CERT);
        assertThat(replaced.without("a").names()).containsExactly("b");
        assertThat(replaced.without("nobody")).isEqualTo(replaced);
        assertThatThrownBy(() -> auth.with(new AuthFile.Entry("c", KEY_A, null, List.of("t"), List.of(Role.RATE))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("have the same digest");
    }

    @Test
    void shouldWriteTheFileReadableByItsOwnerOnly() throws Exception {
        Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
                "POSIX permissions");
        Path path = dir.resolve("auth.json");
        Files.writeString(path, "old");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));

        AuthFile.empty().with(new AuthFile.Entry("a", KEY_A, null, List.of("t"), List.of(Role.RATE))).write(path);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left").containsExactly(
                    "auth.json");
        }
    }

    @Test
    void shouldReplaceTheFileAtomicallySoAReaderNeverSeesHalfOfIt() throws Exception {
        Path path = dir.resolve("auth.json");
        AuthFile small = AuthFile.empty().with(new AuthFile.Entry("a", KEY_A, null, List.of("t"), List.of(Role.RATE)));
        AuthFile large = small;
        for (int i = 0; i < 2_000; i++) {
            large = large.with(new AuthFile.Entry("p" + i, Authenticator.apiKey("k" + i).sha256(), null,
                    List.of("t" + i), List.of(Role.RATE, Role.CHARGE)));
        }
        small.write(path);
        AtomicBoolean stop = new AtomicBoolean();
        AuthFile one = small;
        AuthFile two = large;
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            int reads = 0;
            while (!stop.get() || reads == 0) {
                AuthFile seen = AuthFile.read(path); // throws on a half-written file
                assertThat(seen).isIn(one, two);
                reads++;
            }
            return reads;
        });

        for (int i = 0; i < 40; i++) {
            (i % 2 == 0 ? large : small).write(path);
        }
        stop.set(true);

        assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
    }
}
