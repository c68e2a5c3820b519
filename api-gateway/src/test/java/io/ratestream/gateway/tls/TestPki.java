package io.ratestream.gateway.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made in the test, with BouncyCastle (as an operator would with openssl): CAs, a server
 * certificate for 127.0.0.1 and localhost, client certificates, and their PEM files. The BouncyCastle
 * provider is never registered: the gateway reads what the tests write with the JDK alone.
 */
public final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private TestPki() {
    }

    /** A certificate and the key pair it was made for. */
    public record Issued(X509Certificate certificate, KeyPair keys) {

        public String sha256() {
            return ClientCertificates.sha256Hex(certificate);
        }
    }

    public static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ec() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Issued ca(String name, KeyPair keys) {
        return issue(new X500Name("CN=" + name), keys, null, builder -> {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        });
    }

    public static Issued server(Issued ca, KeyPair keys) {
        return issue(new X500Name("CN=localhost"), keys, ca, builder -> {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.dNSName, "localhost")}));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        });
    }

    public static Issued client(Issued ca, String name, KeyPair keys) {
        return issue(new X500Name("CN=" + name), keys, ca, builder -> builder.addExtension(Extension.extendedKeyUsage,
                false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)));
    }

    private interface Extensions {
        void add(X509v3CertificateBuilder builder) throws IOException;
    }

    private static Issued issue(X500Name subject, KeyPair keys, Issued issuer, Extensions extensions) {
        X500Name issuerName = issuer == null ? subject
                : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
        PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.keys().getPrivate();
        Instant now = Instant.now();
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(30))), subject, keys.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    utils.createSubjectKeyIdentifier(keys.getPublic()));
            if (issuer != null) {
                builder.addExtension(Extension.authorityKeyIdentifier, false,
                        utils.createAuthorityKeyIdentifier(issuer.certificate()));
            }
            extensions.add(builder);
            ContentSigner signer = new JcaContentSignerBuilder(
                    signingKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA").build(signingKey);
            return new Issued(new JcaX509CertificateConverter().getCertificate(builder.build(signer)), keys);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the certificates as PEM, in order. */
    public static Path writeCertificates(Path file, X509Certificate... certificates) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            for (X509Certificate certificate : certificates) {
                pem.writeObject(certificate);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return write(file, text.toString());
    }

    /** Writes the key as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}), as openssl 3 does by default. */
    public static Path writeKey(Path file, PrivateKey key) {
        try {
            return writePem(file, new JcaPKCS8Generator(key, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the key as encrypted PKCS#8 ({@code BEGIN ENCRYPTED PRIVATE KEY}). */
    public static Path writeEncryptedKey(Path file, PrivateKey key) {
        try {
            return writePem(file, new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(
                    PKCS8Generator.AES_256_CBC)
                    .setProvider(new BouncyCastleProvider()) // for this encryptor only, never registered
                    .setPassword("secret".toCharArray()).build()));
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the key in its traditional form ({@code BEGIN RSA PRIVATE KEY} / {@code BEGIN EC PRIVATE KEY}). */
    public static Path writeTraditionalKey(Path file, PrivateKey key) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return write(file, text.toString());
    }

    private static Path writePem(Path file, JcaPKCS8Generator generator) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(generator);
        }
        return write(file, text.toString());
    }

    public static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A client's TLS context: trusts {@code serverCa}, presents {@code client} when not null, even when the
     * server names other CAs (the JDK's client would send nothing then, and the server would never see a
     * foreign certificate; openssl and curl send it).
     */
    public static SSLContext clientContext(Issued serverCa, Issued client) {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("ca", serverCa.certificate());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            KeyStore own = KeyStore.getInstance("PKCS12");
            own.load(null, null);
            if (client != null) {
                own.setKeyEntry("client", client.keys().getPrivate(), "pw".toCharArray(),
                        new X509Certificate[] {client.certificate()});
            }
            keys.init(own, "pw".toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new Insistent((X509ExtendedKeyManager) keys.getKeyManagers()[0])},
                    trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The PEM files of one test setup, and what made them. */
    public record Setup(Path certificateChain, Path privateKey, Path clientCa, Issued ca, Issued server,
            Issued client, Issued foreignClient) {

        /** Settings with the client CA. */
        public TlsSettings settings() {
            return new TlsSettings(certificateChain, privateKey, clientCa);
        }

        /** Settings without a client CA: clients are not asked for a certificate. */
        public TlsSettings withoutClientCa() {
            return new TlsSettings(certificateChain, privateKey, null);
        }
    }

    /**
     * A CA that signs the server and a client, another CA that signs a "foreign" client; the server chain
     * (server then CA), its PKCS#8 key and the client CA written in {@code dir}. EC or RSA throughout.
     */
    public static Setup setup(Path dir, boolean ec) {
        Issued ca = ca("ratestream test CA", ec ? ec() : rsa());
        Issued server = server(ca, ec ? ec() : rsa());
        Issued client = client(ca, "billing", ec ? ec() : rsa());
        Issued foreign = client(ca("another CA", ec ? ec() : rsa()), "billing", ec ? ec() : rsa());
        return new Setup(writeCertificates(dir.resolve("server.pem"), server.certificate(), ca.certificate()),
                writeKey(dir.resolve("server.key"), server.keys().getPrivate()),
                writeCertificates(dir.resolve("client-ca.pem"), ca.certificate()), ca, server, client, foreign);
    }

    /** Offers its one client certificate whatever issuers the server asks for. */
    private static final class Insistent extends X509ExtendedKeyManager {

        private final X509ExtendedKeyManager keys;

        Insistent(X509ExtendedKeyManager keys) {
            this.keys = keys;
        }

        private String alias() {
            return keys.getCertificateChain("client") == null ? null : "client";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return alias();
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return alias();
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return keys.getClientAliases(keyType, null);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }
}
