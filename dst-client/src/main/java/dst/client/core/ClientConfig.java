package dst.client.core;

import dst.protocol.ExportName;
import dst.runtime.transport.Transport;
import io.netty.channel.unix.DomainSocketAddress;

import java.net.InetSocketAddress;
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
    public static final int DEFAULT_PORT = Transport.DEFAULT_PORT;

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

    /**
     * Parses {@code ADDRESS/EXPORT}: the address as the server's {@code --listen} takes it ({@link Transport#parse}:
     * {@code HOST[:PORT]} or {@code unix:/PATH/TO/SOCKET}), the export name after the last {@code '/'} ({@link ExportName}).
     */
    public static ClientConfig parse(String target) {
        int slash = target.lastIndexOf('/');
        if (slash <= 0 || slash == target.length() - 1) {
            throw new IllegalArgumentException("expected HOST[:PORT]/EXPORT or unix:/PATH/EXPORT, got '" + target + "'");
        }
        String export = ExportName.check("export name", target.substring(slash + 1));
        Transport server;
        try {
            server = Transport.parse(target.substring(0, slash), DEFAULT_PORT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected HOST[:PORT]/EXPORT or unix:/PATH/EXPORT, got '" + target + "'", e);
        }
        if (server.address() instanceof DomainSocketAddress unix) return of("localhost", 0, export).withUnixSocket(Path.of(unix.path()));
        InetSocketAddress tcp = (InetSocketAddress) server.address();
        return of(tcp.getHostString(), tcp.getPort(), export);
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

    /** How to reach the server: a Unix socket, or TCP to host:port (resolved at each connect). */
    public Transport transport() {
        return unixSocket != null ? Transport.unix(unixSocket) : Transport.tcp(InetSocketAddress.createUnresolved(host, port));
    }

    /** Where the server is, for messages: {@code host:port} or {@code unix:/path}. */
    public String server() {
        return transport().describe();
    }

    public String target() {
        return server() + "/" + export;
    }
}
