package dst.it.nbd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.util.HexFormat;

/**
 * A throw-away certificate authority made with {@code openssl} (Debian's openssl package), for TLS tests against
 * stock NBD servers: a CA certificate, and server certificates it issues for 127.0.0.1 (an IP subjectAltName, so a
 * client checking the host name accepts them). EC P-256 keys, valid for two days; nothing outside the test's
 * directory is touched.
 *
 * @param certificate the CA's certificate (PEM): what {@code --tls-ca} trusts
 * @param key         the CA's private key (PEM)
 */
public record TestCa(Path certificate, Path key) {
    /** Skips the test unless openssl is installed. */
    public static void assumeInstalled() throws IOException, InterruptedException {
        StockNbdTools.assumeInstalled("openssl");
    }

    /** A new CA named {@code name}, its files in {@code dir} (created). */
    public static TestCa create(Path dir, String name) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path cert = dir.resolve("ca-cert.pem");
        Path key = dir.resolve("ca-key.pem");
        StockNbdTools.run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + name,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return new TestCa(cert, key);
    }

    /**
     * A server certificate for 127.0.0.1 issued by this CA, in {@code dir} (created) as nbdkit's
     * {@code --tls-certificates} wants it: {@code ca-cert.pem} (this CA), {@code server-cert.pem},
     * {@code server-key.pem} (mode 0600). Returns {@code dir}.
     */
    public Path issueNbdkit(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path key = dir.resolve("server-key.pem");
        Path csr = dir.resolve("server.csr");
        Path ext = dir.resolve("server.ext");
        StockNbdTools.run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=127.0.0.1");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(ext, """
                subjectAltName=IP:127.0.0.1
                basicConstraints=CA:FALSE
                keyUsage=critical,digitalSignature
                extendedKeyUsage=serverAuth
                """);
        StockNbdTools.run("openssl", "x509", "-req", "-in", csr.toString(), "-CA", certificate.toString(), "-CAkey", this.key.toString(),
                "-CAcreateserial", "-out", dir.resolve("server-cert.pem").toString(), "-days", "2", "-extfile", ext.toString());
        Files.copy(certificate, dir.resolve("ca-cert.pem"));
        return dir;
    }

    /** SHA-256 fingerprint of a PEM certificate, upper-case hex with colons (what {@code --tls-fingerprint} takes). */
    public static String fingerprint(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            byte[] der = CertificateFactory.getInstance("X.509").generateCertificate(in).getEncoded();
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the certificate " + pem + ": " + e.getMessage(), e);
        }
    }
}
