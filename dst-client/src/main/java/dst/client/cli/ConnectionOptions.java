package dst.client.cli;

import dst.client.core.ClientConfig;
import picocli.CommandLine.Option;

import java.time.Duration;

/** Options every command that talks to a server shares (a picocli mixin). */
public final class ConnectionOptions {
    @Option(names = "--io-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Fail a request with EIO when the server has not answered it by then; 0 = wait forever (default: ${DEFAULT-VALUE}).")
    long ioTimeoutSeconds;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "Give up connecting after this long (default: ${DEFAULT-VALUE}).")
    long connectTimeoutSeconds;

    @Option(names = "--no-crc", description = "Do not ask for crc32c on headers and payloads.")
    boolean noCrc;

    /** The configuration for {@code target}, which is {@code [dst://]HOST[:PORT]/EXPORT}. */
    public ClientConfig config(String target) {
        if (ioTimeoutSeconds < 0) throw new IllegalArgumentException("--io-timeout must be >= 0");
        ClientConfig c = ClientConfig.parse(stripScheme(target)).withIoTimeout(Duration.ofSeconds(ioTimeoutSeconds)).withCrc(!noCrc);
        return new ClientConfig(c.host(), c.port(), c.export(), c.crc(), c.ioTimeout(), Duration.ofSeconds(connectTimeoutSeconds),
                c.keepalive(), c.reconnectMin(), c.reconnectMax(), c.maxQueuedBytes(), c.maxRequest());
    }

    static String stripScheme(String target) {
        return target.startsWith("dst://") ? target.substring(6) : target;
    }

    /** A copy endpoint is remote when it says {@code dst://} or looks like {@code HOST:PORT/EXPORT}. */
    static boolean isRemote(String endpoint) {
        if (endpoint.startsWith("dst://")) return true;
        return endpoint.matches("[^/]+:\\d+/[A-Za-z0-9._-]+");
    }
}
