package dst.runtime.transport;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * What both ends agree on for TLS: version 1.3 only, OpenSSL (BoringSSL through netty-tcnative)
 * when it loads and the JDK's provider otherwise, and certificates named by their SHA-256
 * fingerprint (hex pairs with colons, as {@code openssl x509 -fingerprint -sha256} prints them).
 */
public final class Tls {
    public static final String PROTOCOL = "TLSv1.3";

    private Tls() {
    }

    public static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** For logs: which TLS implementation runs. */
    public static String describeProvider() {
        return OpenSsl.isAvailable() ? "OpenSSL (" + OpenSsl.versionString() + ")" : "JDK";
    }

    public static String fingerprint(X509Certificate cert) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint certificate", e);
        }
    }
}
