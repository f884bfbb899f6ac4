package dst.client.core;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a client connects and behaves.
 *
 * @param host              server host (TCP)
 * @param port              server port (TCP)
 * @param export            export name
 * @param crc               ask for crc32c on headers and payloads
 * @param ioTimeout         a request not answered by then fails with EIO and is never resent ({@code ZERO} = wait forever)
 * @param connectTimeout    one TCP connect + handshake attempt
 * @param keepalive         a PING is sent after this much silence; the link is declared dead after 3 missed
 * @param reconnectMin      first reconnect delay (doubles, with jitter, up to {@code reconnectMax})
 * @param reconnectMax      longest reconnect delay
 * @param maxQueuedBytes    bytes of requests waiting to be sent or answered; submitters wait beyond it
 * @param maxRequest        largest request payload proposed to the server
 * @param unixSocket        connect to this Unix socket instead of host:port, or null
 * @param credentials       identity and key, proven in every handshake (reconnects too)
 * @param tls               TLS and whom to trust, or null for a plain connection
 */
public record ClientConfig(String host, int port, String export, boolean crc, Duration ioTimeout,
                           Duration connectTimeout, Duration keepalive, Duration reconnectMin, Duration reconnectMax,
                           long maxQueuedBytes, int maxRequest, Path unixSocket, Credentials credentials, TlsTrust tls) {
    public static final int DEFAULT_PORT = 7070;
    public static final String UNIX_PREFIX = "unix:";

    public ClientConfig {
        if (credentials == null) credentials = Credentials.ANONYMOUS;
    }

    /** A plain, anonymous TCP client. */
    public ClientConfig(String host, int port, String export, boolean crc, Duration ioTimeout,
                        Duration connectTimeout, Duration keepalive, Duration reconnectMin, Duration reconnectMax,
                        long maxQueuedBytes, int maxRequest) {
        this(host, port, export, crc, ioTimeout, connectTimeout, keepalive, reconnectMin, reconnectMax, maxQueuedBytes,
                maxRequest, null, Credentials.ANONYMOUS, null);
    }

    public static ClientConfig of(String host, int port, String export) {
        return new ClientConfig(host, port, export, true, Duration.ofSeconds(30), Duration.ofSeconds(5),
                Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(2), 64L << 20, 1 << 20);
    }

    /** Parses {@code HOST[:PORT]/EXPORT} or {@code unix:/PATH/TO/SOCKET/EXPORT}. */
    public static ClientConfig parse(String target) {
        if (target.startsWith(UNIX_PREFIX)) {
            int slash = target.lastIndexOf('/');
            String path = slash < 0 ? "" : target.substring(UNIX_PREFIX.length(), slash);
            if (path.isEmpty() || slash == target.length() - 1) {
                throw new IllegalArgumentException("expected unix:/PATH/TO/SOCKET/EXPORT, got '" + target + "'");
            }
            return of("localhost", 0, target.substring(slash + 1)).withUnixSocket(Path.of(path));
        }
        int slash = target.indexOf('/');
        if (slash <= 0 || slash == target.length() - 1) {
            throw new IllegalArgumentException("expected HOST[:PORT]/EXPORT or unix:/PATH/EXPORT, got '" + target + "'");
        }
        String hostPort = target.substring(0, slash);
        String export = target.substring(slash + 1);
        int port = DEFAULT_PORT;
        String host = hostPort;
        int colon = hostPort.lastIndexOf(':');
        if (colon > 0 && !hostPort.endsWith("]")) {
            host = hostPort.substring(0, colon);
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port in '" + target + "'");
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        return of(host, port, export);
    }

    public ClientConfig withIoTimeout(Duration d) {
        return new ClientConfig(host, port, export, crc, d, connectTimeout, keepalive, reconnectMin, reconnectMax, maxQueuedBytes, maxRequest, unixSocket, credentials, tls);
    }

    public ClientConfig withConnectTimeout(Duration d) {
        return new ClientConfig(host, port, export, crc, ioTimeout, d, keepalive, reconnectMin, reconnectMax, maxQueuedBytes, maxRequest, unixSocket, credentials, tls);
    }

    public ClientConfig withCrc(boolean on) {
        return new ClientConfig(host, port, export, on, ioTimeout, connectTimeout, keepalive, reconnectMin, reconnectMax, maxQueuedBytes, maxRequest, unixSocket, credentials, tls);
    }

    public ClientConfig withKeepalive(Duration d) {
        return new ClientConfig(host, port, export, crc, ioTimeout, connectTimeout, d, reconnectMin, reconnectMax, maxQueuedBytes, maxRequest, unixSocket, credentials, tls);
    }

    public ClientConfig withReconnect(Duration min, Duration max) {
        return new ClientConfig(host, port, export, crc, ioTimeout, connectTimeout, keepalive, min, max, maxQueuedBytes, maxRequest, unixSocket, credentials, tls);
    }

    public ClientConfig withMaxQueuedBytes(long bytes) {
        return new ClientConfig(host, port, export, crc, ioTimeout, connectTimeout, keepalive, reconnectMin, reconnectMax, bytes, maxRequest, unixSocket, credentials, tls);
    }

    public ClientConfig withUnixSocket(Path socket) {
        return new ClientConfig(host, port, export, crc, ioTimeout, connectTimeout, keepalive, reconnectMin, reconnectMax, maxQueuedBytes, maxRequest, socket, credentials, tls);
    }

    public ClientConfig withCredentials(Credentials c) {
        return new ClientConfig(host, port, export, crc, ioTimeout, connectTimeout, keepalive, reconnectMin, reconnectMax, maxQueuedBytes, maxRequest, unixSocket, c, tls);
    }

    public ClientConfig withTls(TlsTrust t) {
        return new ClientConfig(host, port, export, crc, ioTimeout, connectTimeout, keepalive, reconnectMin, reconnectMax, maxQueuedBytes, maxRequest, unixSocket, credentials, t);
    }

    /** Where the server is, for messages: {@code host:port} or {@code unix:/path}. */
    public String server() {
        if (unixSocket != null) return UNIX_PREFIX + unixSocket;
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    public String target() {
        return server() + "/" + export;
    }
}
