package dst.client.core;

import java.nio.file.Path;

/**
 * TLS for the connection, and which server certificate to trust: one pinned by its SHA-256
 * fingerprint (as {@code dst-server tls init} prints it), or any certificate issued by the CA
 * certificates in a PEM file (then the host name must match the certificate too). Optionally the
 * client's own certificate and key (mutual TLS), whose CN the server may take as its identity.
 *
 * @param caFile      PEM file of trusted certificates, or null
 * @param fingerprint SHA-256 fingerprint of the server certificate (hex, colons optional), or null
 * @param clientCert  the client's certificate (PEM), or null
 * @param clientKey   the client's private key (PKCS#8 PEM, mode 0600), or null
 */
public record TlsTrust(Path caFile, String fingerprint, Path clientCert, Path clientKey) {
    public TlsTrust(Path caFile, String fingerprint) {
        this(caFile, fingerprint, null, null);
    }

    public TlsTrust {
        if ((clientCert == null) != (clientKey == null)) {
            throw new IllegalArgumentException("a client certificate needs its key and the other way round (--tls-cert with --tls-key)");
        }
        if ((caFile == null) == (fingerprint == null)) {
            throw new IllegalArgumentException("TLS needs exactly one of --tls-ca FILE and --tls-fingerprint SHA256");
        }
        if (fingerprint != null) {
            String hex = fingerprint.replace(":", "").toLowerCase();
            if (!hex.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("--tls-fingerprint wants a SHA-256 fingerprint (64 hex digits, colons allowed)");
            }
            fingerprint = hex;
        }
    }

    public static TlsTrust pinned(String sha256) {
        return new TlsTrust(null, sha256);
    }

    public static TlsTrust ca(Path file) {
        return new TlsTrust(file, null);
    }

    /** The same trust, presenting {@code cert} and {@code key} to the server. */
    public TlsTrust withClientCertificate(Path cert, Path key) {
        return new TlsTrust(caFile, fingerprint, cert, key);
    }
}
