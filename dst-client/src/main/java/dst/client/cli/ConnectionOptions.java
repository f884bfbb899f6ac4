package dst.client.cli;

import dst.client.core.ClientConfig;
import dst.client.core.Credentials;
import dst.client.core.NbdUri;
import dst.client.core.TlsTrust;
import dst.protocol.ExportName;
import dst.protocol.auth.ClientKey;
import dst.runtime.transport.Transport;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;

/** Options every command that talks to a server shares (a picocli mixin). */
public final class ConnectionOptions {
    /** Environment variable holding the client key (64 hex digits), when no --key-file is given. */
    public static final String KEY_ENV = "DST_KEY";

    @Option(names = "--io-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Fail a request with EIO when the server has not answered it by then; 0 = wait forever (default: ${DEFAULT-VALUE}).")
    long ioTimeoutSeconds;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "Give up connecting after this long (default: ${DEFAULT-VALUE}).")
    long connectTimeoutSeconds;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "0",
            description = "NBD targets: connections per device (multi-conn). Default: 4 when the server advertises CAN_MULTI_CONN, else 1; "
                    + "more than 1 is refused when it does not. dst:// targets use 1.")
    int connections;

    @Option(names = "--no-crc", description = "Do not ask for crc32c on headers and payloads.")
    boolean noCrc;

    @Option(names = "--identity", paramLabel = "NAME",
            description = "Who this client is on the server (default with a key: this host's name).")
    String identity;

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "The client's key (from 'dst-server client add'; mode 0600). Or set DST_KEY. Without a key the client is anonymous.")
    Path keyFile;

    @Option(names = "--tls", description = "Connect with TLS 1.3 (needs --tls-fingerprint or --tls-ca).")
    boolean tls;

    @Option(names = "--tls-fingerprint", paramLabel = "SHA256",
            description = "Trust only the server certificate with this SHA-256 fingerprint (from 'dst-server tls init'). Implies --tls.")
    String tlsFingerprint;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "Trust server certificates issued by the CA certificates in this PEM file (e.g. the server's server.crt). Implies --tls.")
    Path tlsCa;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Mutual TLS: this client's certificate (PEM); a server with --tls-client-ca takes its CN as identity.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The private key of --tls-cert (PKCS#8 PEM, mode 0600).")
    Path tlsKey;

    /**
     * The configuration for {@code target}: {@code [dst://]HOST[:PORT]/EXPORT} or {@code unix:/PATH/EXPORT} (dst), or an
     * NBD URI ({@code nbd://HOST[:PORT]/EXPORT}, {@code nbds://...}, {@code nbd+unix:///EXPORT?socket=PATH}).
     */
    public ClientConfig config(String target) {
        if (ioTimeoutSeconds < 0) throw new IllegalArgumentException("--io-timeout must be >= 0");
        NbdUri nbd = NbdUri.matches(target) ? NbdUri.parse(target) : null;
        ClientConfig.Builder c = (nbd != null ? nbd.toConfig() : ClientConfig.parse(stripScheme(target)).toBuilder())
                .ioTimeout(Duration.ofSeconds(ioTimeoutSeconds)).crc(!noCrc).connections(connections).connectTimeout(Duration.ofSeconds(connectTimeoutSeconds));
        boolean tlsAsked = tls || tlsFingerprint != null || tlsCa != null;
        if (nbd != null) {
            if (identity != null || keyFile != null) throw new IllegalArgumentException("NBD has no client keys: --identity/--key-file are for dst:// targets");
            if (tlsAsked && !nbd.tls()) throw new IllegalArgumentException("TLS to an NBD server: write the target as nbds://");
            if (nbd.tls() && tlsFingerprint == null && tlsCa == null) {
                throw new IllegalArgumentException("nbds:// needs --tls-fingerprint SHA256 or --tls-ca FILE to know which server to trust");
            }
        } else {
            c.credentials(credentials());
        }
        if (tlsAsked || (nbd != null && nbd.tls())) {
            if (tlsFingerprint == null && tlsCa == null) {
                throw new IllegalArgumentException("--tls needs --tls-fingerprint SHA256 or --tls-ca FILE to know which server to trust");
            }
            c.tls(new TlsTrust(tlsCa, tlsFingerprint, tlsCert, tlsKey));
        } else if (tlsCert != null || tlsKey != null) {
            throw new IllegalArgumentException("--tls-cert and --tls-key need --tls-fingerprint or --tls-ca");
        }
        return c.build();
    }

    /** Identity and key: the key from --key-file or DST_KEY (never from the command line, which ps shows). */
    Credentials credentials() {
        byte[] key;
        try {
            String env = System.getenv(KEY_ENV);
            if (keyFile != null) key = ClientKey.read(keyFile);
            else if (env != null && !env.isBlank()) key = ClientKey.parse(env);
            else key = null;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((keyFile != null ? "" : KEY_ENV + ": ") + e.getMessage());
        }
        if (key == null) {
            if (identity != null) throw new IllegalArgumentException("--identity " + identity + " needs its key: --key-file FILE or " + KEY_ENV);
            return Credentials.ANONYMOUS;
        }
        return new Credentials(identity != null ? identity : hostName(), key);
    }

    private static String hostName() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            int dot = h.indexOf('.');
            return dot > 0 ? h.substring(0, dot) : h;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot tell this host's name for the identity: give --identity NAME");
        }
    }

    static String stripScheme(String target) {
        return target.startsWith("dst://") ? target.substring(6) : target;
    }

    /** A copy endpoint is remote when it says {@code dst://}, {@code unix:} or is an NBD URI, or looks like {@code HOST:PORT/EXPORT}. */
    static boolean isRemote(String endpoint) {
        if (endpoint.startsWith("dst://") || endpoint.startsWith(Transport.UNIX_PREFIX) || NbdUri.matches(endpoint)) return true;
        int slash = endpoint.indexOf('/');
        return slash > 0 && endpoint.substring(0, slash).matches("[^/]+:\\d+") && ExportName.isValid(endpoint.substring(slash + 1));
    }
}
