package io.ratestream.gateway.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files as {@code openssl} writes them: X.509 certificates ({@code -----BEGIN CERTIFICATE-----},
 * several in one file, text between blocks ignored, as {@code openssl x509 -text} leaves it) and
 * unencrypted PKCS#8 private keys ({@code -----BEGIN PRIVATE KEY-----}, RSA or EC). The DER inside is
 * decoded by the JDK ({@link CertificateFactory}, {@link KeyFactory}); this class only finds the blocks and
 * undoes their base64. Every refusal is an {@link IllegalArgumentException} whose message names the file
 * and says what to do.
 */
final class PemFiles {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    /** The algorithms a PKCS#8 key is tried as, in this order. */
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC");
    private static final String CONVERT_TRADITIONAL = "convert it with `openssl pkcs8 -topk8 -nocrypt -in %s "
            + "-out key.pem` and pass key.pem";

    private PemFiles() {
    }

    /** One {@code -----BEGIN label-----} block: its label and the text between the lines. */
    record Block(String label, String body) {

        boolean encryptedHeader() {
            return body.contains("Proc-Type:") && body.contains("ENCRYPTED");
        }
    }

    /**
     * The certificates of {@code file}, in file order; at least one.
     *
     * @param option the command-line option that named the file, for the messages
     */
    static List<X509Certificate> certificates(Path file, String option) {
        List<X509Certificate> certificates = new ArrayList<>();
        CertificateFactory factory = certificateFactory();
        for (Block block : blocks(file, option)) {
            if (!block.label().equals("CERTIFICATE")) {
                continue;
            }
            byte[] der = base64(file, block);
            try {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException | ClassCastException e) {
                throw new IllegalArgumentException("certificate " + (certificates.size() + 1) + " of " + file + " ("
                        + option + ") is not a valid X.509 certificate: " + e.getMessage(), e);
            }
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(file + " (" + option + ") holds no certificate: expected "
                    + "-----BEGIN CERTIFICATE----- blocks, as openssl writes them");
        }
        return List.copyOf(certificates);
    }

    /** The one private key of {@code file}, an unencrypted PKCS#8 RSA or EC key. */
    static PrivateKey privateKey(Path file, String option) {
        PrivateKey key = null;
        for (Block block : blocks(file, option)) {
            switch (block.label()) {
                case "PRIVATE KEY" -> {
                    if (key != null) {
                        throw new IllegalArgumentException(file + " (" + option + ") holds more than one private "
                                + "key: give a file with the server certificate's key alone");
                    }
                    key = pkcs8(file, option, base64(file, block));
                }
                case "ENCRYPTED PRIVATE KEY" -> throw encrypted(file, option);
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> {
                    if (block.encryptedHeader()) {
                        throw encrypted(file, option);
                    }
                    throw new IllegalArgumentException(file + " (" + option + ") holds a traditional \"" + block.label()
                            + "\" (PKCS#1 or SEC1), the gateway reads PKCS#8 keys (\"PRIVATE KEY\"): "
                            + String.format(CONVERT_TRADITIONAL, file));
                }
                default -> {
                    if (block.label().endsWith("PRIVATE KEY")) {
                        throw new IllegalArgumentException(file + " (" + option + ") holds a \"" + block.label()
                                + "\", the gateway reads unencrypted PKCS#8 RSA or EC keys (\"PRIVATE KEY\")");
                    }
                }
            }
        }
        if (key == null) {
            throw new IllegalArgumentException(file + " (" + option + ") holds no private key: expected "
                    + "-----BEGIN PRIVATE KEY----- (unencrypted PKCS#8, as openssl writes it)");
        }
        return key;
    }

    private static PrivateKey pkcs8(Path file, String option, byte[] der) {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (InvalidKeySpecException e) {
                // not this algorithm: try the next one
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JVM has no " + algorithm + " key factory", e);
            }
        }
        throw new IllegalArgumentException("the private key in " + file + " (" + option + ") is neither an RSA nor "
                + "an EC key in PKCS#8: make one with `openssl genpkey -algorithm RSA` or `openssl genpkey "
                + "-algorithm EC -pkeyopt ec_paramgen_curve:P-256`");
    }

    private static IllegalArgumentException encrypted(Path file, String option) {
        return new IllegalArgumentException("the private key in " + file + " (" + option + ") is encrypted, the "
                + "gateway reads unencrypted keys only: decrypt it with `openssl pkey -in " + file
                + " -out key.pem` and protect key.pem with the file's permissions (chmod 600)");
    }

    static List<Block> blocks(Path file, String option) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1); // any bytes: garbage is reported below
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + " (" + option + "): " + e.getMessage(), e);
        }
        List<Block> blocks = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            blocks.add(new Block(matcher.group(1), matcher.group(2)));
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException(file + " (" + option + ") is not a PEM file: it has no "
                    + "-----BEGIN ...----- / -----END ...----- block (a DER file converts with `openssl x509 "
                    + "-inform der` or `openssl pkey -inform der`)");
        }
        return blocks;
    }

    private static byte[] base64(Path file, Block block) {
        if (block.encryptedHeader()) {
            throw new IllegalArgumentException("the \"" + block.label() + "\" block of " + file + " is encrypted: "
                    + "give it unencrypted");
        }
        StringBuilder body = new StringBuilder();
        for (String line : block.body().split("\\R")) {
            if (!line.contains(":")) { // RFC 1421 headers (Proc-Type, DEK-Info) are not base64
                body.append(line.strip());
            }
        }
        try {
            return Base64.getDecoder().decode(body.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the \"" + block.label() + "\" block of " + file
                    + " is not valid base64: " + e.getMessage() + ": was the file edited by hand or cut short?", e);
        }
    }

    private static CertificateFactory certificateFactory() {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JVM has no X.509 certificate factory", e);
        }
    }
}
