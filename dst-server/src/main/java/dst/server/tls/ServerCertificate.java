package dst.server.tls;

import dst.protocol.auth.ClientKey;
import dst.runtime.transport.Tls;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.SSLException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server's TLS identity: {@code server.key} (PKCS#8 PEM, mode 0600) and {@code server.crt}
 * (self-signed X.509 PEM) in one directory. {@link #init} makes them with the JDK's own
 * {@code keytool} (EC P-256, 10 years), so no extra library is needed; clients pin the printed
 * SHA-256 fingerprint or trust the certificate file as their CA.
 */
public final class ServerCertificate {
    public static final String KEY_FILE = "server.key";
    public static final String CERT_FILE = "server.crt";

    private final Path dir;

    public ServerCertificate(Path dir) {
        this.dir = dir;
    }

    public Path keyFile() {
        return dir.resolve(KEY_FILE);
    }

    public Path certFile() {
        return dir.resolve(CERT_FILE);
    }

    public boolean exists() {
        return Files.exists(keyFile()) && Files.exists(certFile());
    }

    /**
     * Generates a key and a self-signed certificate valid for {@code names} (host names or IP
     * addresses; the first one is also the subject CN). Refuses to replace existing files unless
     * {@code force}. Returns the certificate.
     */
    public X509Certificate init(List<String> names, boolean force) throws IOException {
        if (names.isEmpty()) throw new IllegalArgumentException("a certificate needs at least one name");
        if (exists() && !force) throw new IOException(dir + " already holds " + CERT_FILE + " and " + KEY_FILE + " (--force replaces them)");
        Files.createDirectories(dir);
        Path store = Files.createTempFile(dir, ".dst-tls", ".p12");
        Files.delete(store); // keytool wants to create it
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        try {
            runKeytool(password, store, names);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, password.toCharArray());
            }
            PrivateKey key = (PrivateKey) ks.getKey("dst", password.toCharArray());
            X509Certificate cert = (X509Certificate) ks.getCertificate("dst");
            ClientKey.writePrivate(keyFile(), pem("PRIVATE KEY", key.getEncoded()));
            Files.writeString(certFile(), pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
            return cert;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the key keytool made: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(store);
        }
    }

    private static void runKeytool(String password, Path store, List<String> names) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) throw new IOException("tls init needs the JDK's keytool, not found at " + keytool);
        List<String> san = new ArrayList<>();
        for (String n : names) san.add((n.matches("[0-9.]+") || n.contains(":") ? "ip:" : "dns:") + n);
        ProcessBuilder pb = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "dst",
                "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", "3650",
                "-dname", "CN=" + names.get(0), "-ext", "SAN=" + String.join(",", san),
                "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass:env", "DST_KEYTOOL_PASS", "-keypass:env", "DST_KEYTOOL_PASS", "-noprompt");
        pb.environment().put("DST_KEYTOOL_PASS", password); // not argv: argv shows in ps
        pb.redirectErrorStream(true);
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool failed: " + out.toString(StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while keytool ran");
        }
    }

    public X509Certificate certificate() throws IOException {
        try (InputStream in = Files.newInputStream(certFile())) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IOException(certFile() + ": not a certificate: " + e.getMessage(), e);
        }
    }

    /** The server's TLS 1.3 context from the key and certificate in the directory. */
    public SslContext context() throws IOException {
        return context(null);
    }

    /**
     * The server's TLS 1.3 context; with {@code clientCa}, clients may also present a certificate
     * issued by one in that PEM file (mutual TLS): its subject CN then is their identity.
     */
    public SslContext context(Path clientCa) throws IOException {
        if (!exists()) {
            throw new IOException("no TLS key and certificate in " + dir + " (create them with: dst-server tls init --dir " + dir + ")");
        }
        ClientKey.requirePrivate(keyFile());
        try {
            SslContextBuilder b = SslContextBuilder.forServer(certFile().toFile(), keyFile().toFile())
                    .sslProvider(Tls.provider())
                    .protocols(Tls.PROTOCOL);
            if (clientCa != null) b.trustManager(clientCa.toFile()).clientAuth(ClientAuth.OPTIONAL);
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IOException("cannot use the TLS key and certificate in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
