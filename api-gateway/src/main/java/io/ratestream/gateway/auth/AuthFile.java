package io.ratestream.gateway.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The auth file of {@code --auth}: the principals, each with the SHA-256 of its API key and/or of its
 * client certificate, its tenants and its roles (docs/security.md). Keys are never in the file, only
 * their digests.
 *
 * <pre>
 * {"principals": [
 *   {"name": "switch-1", "apiKeySha256": "&lt;hex&gt;", "tenants": ["vdf"], "roles": ["rate", "charge"]},
 *   {"name": "ops", "clientCertSha256": "&lt;hex&gt;", "tenants": ["*"], "roles": ["admin"]}
 * ]}
 * </pre>
 *
 * <p>Read strictly, because a typo in a security file must not pass silently: unknown fields, a
 * principal without any credential, two principals with one name or one digest, an unknown role, an
 * empty tenant or role list are all refused with a sentence naming the principal. Digests are 64 hex
 * digits in either letter case (kept in lower case). Immutable.
 *
 * @param principals the entries in file order
 */
public record AuthFile(List<Entry> principals) {

    /** The tenant that stands for every tenant. */
    public static final String ANY_TENANT = "*";
    /** Longest principal name. */
    public static final int MAX_NAME = 64;
    /** Most principals in one file: far above any real deployment, a bound on what a reload reads. */
    public static final int MAX_PRINCIPALS = 10_000;
    /** Largest auth file read. */
    public static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]*");
    private static final Set<String> FIELDS = Set.of("name", "apiKeySha256", "clientCertSha256", "tenants", "roles");

    /**
     * One principal as the file has it.
     *
     * @param apiKeySha256 lower-case hex SHA-256 of the API key's UTF-8 bytes; null when none
     * @param clientCertSha256 lower-case hex SHA-256 of the client certificate's DER encoding; null when none
     */
    public record Entry(String name, String apiKeySha256, String clientCertSha256, List<String> tenants,
            List<Role> roles) {

        public Entry {
            Objects.requireNonNull(name, "name");
            apiKeySha256 = apiKeySha256 == null ? null : apiKeySha256.toLowerCase(Locale.ROOT);
            clientCertSha256 = clientCertSha256 == null ? null : clientCertSha256.toLowerCase(Locale.ROOT);
            tenants = List.copyOf(tenants);
            roles = List.copyOf(roles);
        }

        /** The principal this entry authenticates as. */
        public Principal principal() {
            boolean any = tenants.contains(ANY_TENANT);
            Set<Role> set = roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles);
            return new Principal(name, any ? Set.of() : new LinkedHashSet<>(tenants), any, set);
        }
    }

    public AuthFile {
        principals = List.copyOf(principals);
        check(principals);
    }

    /** An empty file: nobody may call. */
    public static AuthFile empty() {
        return new AuthFile(List.of());
    }

    /**
     * Reads and checks a file.
     *
     * @throws AuthFileException naming the file and what is wrong with it
     */
    public static AuthFile read(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new AuthFileException(file + ": larger than " + MAX_FILE_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new AuthFileException("the auth file " + file + " does not exist (create it with `ratestream keys "
                    + "add NAME --tenant T --role R --auth " + file + "`)", e);
        } catch (IOException e) {
            throw new AuthFileException("cannot read the auth file " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(new ObjectMapper().readTree(bytes));
        } catch (JsonProcessingException e) {
            throw new AuthFileException(file + " is not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new AuthFileException("cannot read the auth file " + file + ": " + e, e);
        } catch (IllegalArgumentException e) {
            throw new AuthFileException(file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a parsed file; {@link IllegalArgumentException} says what is wrong. */
    static AuthFile parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected an object {\"principals\": [...]}");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!field.equals("principals")) {
                throw new IllegalArgumentException("unknown field '" + field + "' (expected only \"principals\")");
            }
        }
        JsonNode list = root.get("principals");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException("\"principals\" must be an array");
        }
        if (list.size() > MAX_PRINCIPALS) {
            throw new IllegalArgumentException("more than " + MAX_PRINCIPALS + " principals");
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            entries.add(entry(list.get(i), i));
        }
        return new AuthFile(entries);
    }

    private static Entry entry(JsonNode node, int index) {
        String where = "principal #" + (index + 1);
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + " must be an object");
        }
        JsonNode nameNode = node.get("name");
        if (nameNode != null && nameNode.isTextual()) {
            where = "principal '" + nameNode.textValue() + "'";
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw new IllegalArgumentException(where + ": unknown field '" + field + "' (expected "
                        + String.join(", ", List.of("name", "apiKeySha256", "clientCertSha256", "tenants", "roles"))
                        + ")");
            }
        }
        String name = text(node, "name", where);
        if (name == null) {
            throw new IllegalArgumentException(where + ": \"name\" is missing");
        }
        List<String> tenants = strings(node, "tenants", where);
        List<Role> roles = new ArrayList<>();
        for (String role : strings(node, "roles", where)) {
            try {
                roles.add(Role.fromName(role));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        return new Entry(name, text(node, "apiKeySha256", where), text(node, "clientCertSha256", where), tenants, roles);
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(where + ": \"" + field + "\" must be a string");
        }
        return value.textValue();
    }

    private static List<String> strings(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw new IllegalArgumentException(where + ": \"" + field + "\" must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException(where + ": \"" + field + "\" must be an array of strings");
            }
            out.add(item.textValue());
        }
        return out;
    }

    private static void check(List<Entry> entries) {
        Map<String, String> names = new HashMap<>();
        Map<String, String> digests = new HashMap<>();
        for (Entry entry : entries) {
            String where = "principal '" + entry.name() + "'";
            if (entry.name().length() > MAX_NAME || !NAME.matcher(entry.name()).matches()) {
                throw new IllegalArgumentException(where + ": a name is 1 to " + MAX_NAME + " letters, digits or "
                        + "._@- (starting with a letter or digit)");
            }
            if (names.put(entry.name(), entry.name()) != null) {
                throw new IllegalArgumentException(where + " appears twice");
            }
            if (entry.apiKeySha256() == null && entry.clientCertSha256() == null) {
                throw new IllegalArgumentException(where + " has neither apiKeySha256 nor clientCertSha256");
            }
            for (String digest : new String[] {entry.apiKeySha256(), entry.clientCertSha256()}) {
                if (digest == null) {
                    continue;
                }
                if (!HEX_SHA256.matcher(digest).matches()) {
                    throw new IllegalArgumentException(where + ": a digest is 64 hex digits (the SHA-256), got "
                            + digest.length() + " characters");
                }
                String other = digests.put(digest, entry.name());
                if (other != null) {
                    throw new IllegalArgumentException(where + " and principal '" + other + "' have the same digest: "
                            + "each key and each certificate belongs to one principal");
                }
            }
            if (entry.tenants().isEmpty()) {
                throw new IllegalArgumentException(where + " has no tenants (\"*\" stands for all)");
            }
            for (String tenant : entry.tenants()) {
                if (tenant == null || tenant.isBlank()) {
                    throw new IllegalArgumentException(where + " has a blank tenant");
                }
            }
            if (entry.roles().isEmpty()) {
                throw new IllegalArgumentException(where + " has no roles (rate, charge, topup, admin)");
            }
        }
    }

    /** This file with {@code entry} added, or replacing the entry of the same name. */
    public AuthFile with(Entry entry) {
        List<Entry> next = new ArrayList<>();
        boolean replaced = false;
        for (Entry existing : principals) {
            if (existing.name().equals(entry.name())) {
                next.add(entry);
                replaced = true;
            } else {
                next.add(existing);
            }
        }
        if (!replaced) {
            next.add(entry);
        }
        return new AuthFile(next);
    }

    /** This file without the principal {@code name}; the same file when there is none. */
    public AuthFile without(String name) {
        List<Entry> next = new ArrayList<>(principals);
        next.removeIf(entry -> entry.name().equals(name));
        return new AuthFile(next);
    }

    /** The entry of a principal, or null. */
    public Entry entry(String name) {
        return principals.stream().filter(entry -> entry.name().equals(name)).findFirst().orElse(null);
    }

    /** The file's JSON, one principal per line: what {@link #write} writes. */
    public String toJson() {
        ObjectMapper mapper = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);
        StringBuilder out = new StringBuilder("{\"principals\": [\n");
        for (int i = 0; i < principals.size(); i++) {
            Entry entry = principals.get(i);
            ObjectNode node = mapper.createObjectNode().put("name", entry.name());
            if (entry.apiKeySha256() != null) {
                node.put("apiKeySha256", entry.apiKeySha256());
            }
            if (entry.clientCertSha256() != null) {
                node.put("clientCertSha256", entry.clientCertSha256());
            }
            ArrayNode tenants = node.putArray("tenants");
            entry.tenants().forEach(tenants::add);
            ArrayNode roles = node.putArray("roles");
            entry.roles().forEach(role -> roles.add(role.wireName()));
            try {
                out.append("  ").append(mapper.writeValueAsString(node)).append(i + 1 < principals.size() ? ",\n" : "\n");
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a tree of strings always serializes", e);
            }
        }
        return out.append("]}\n").toString();
    }

    /**
     * Writes the file atomically (a temporary file moved over it), readable by its owner only where the
     * file system has POSIX permissions, so a gateway reloading it never sees half a file.
     */
    public void write(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path temporary = Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: its default permissions apply
            }
            Files.writeString(temporary, toJson(), StandardCharsets.UTF_8);
            try {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Names in file order, for messages. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        principals.forEach(entry -> names.add(entry.name()));
        return Collections.unmodifiableList(names);
    }
}
