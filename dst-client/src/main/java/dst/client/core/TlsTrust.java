package dst.client.core;

import java.nio.file.Path;

/**
 * TLS for the connection, and which server certificate to trust: one pinned by its SHA-256
 * fingerprint (as {@code dst-server tls init} prints it), or any certificate issued by the CA
 * certificates in a PEM file (then the host name must match the certificate too).
 *
 * @param caFile      PEM file of trusted certificates, or null
 * @param fingerprint SHA-256 fingerprint of the server certificate (hex, colons optional), or null
 */
public record TlsTrust(Path caFile, String fingerprint) {
    public TlsTrust {
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
}
