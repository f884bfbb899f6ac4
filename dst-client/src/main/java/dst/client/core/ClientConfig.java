package dst.client.core;

import java.time.Duration;

/**
 * How a client connects and behaves.
 *
 * @param host              server host
 * @param port              server port
 * @param export            export name
 * @param crc               ask for crc32c on headers and payloads
 * @param ioTimeout         a request not answered by then fails with EIO and is never resent ({@code ZERO} = wait forever)
 * @param connectTimeout    one TCP connect + handshake attempt
 * @param keepalive         a PING is sent after this much silence; the link is declared dead after 3 missed
 * @param reconnectMin      first reconnect delay (doubles, with jitter, up to {@code reconnectMax})
 * @param reconnectMax      longest reconnect delay
 * @param maxQueuedBytes    bytes of requests waiting to be sent or answered; submitters wait beyond it
 * @param maxRequest        largest request payload proposed to the server
 */
public record ClientConfig(String host, int port, String export, boolean crc, Duration ioTimeout,
                           Duration connectTimeout, Duration keepalive, Duration reconnectMin, Duration reconnectMax,
                           long maxQueuedBytes, int maxRequest) {
    public static final int DEFAULT_PORT = 7070;

    public static ClientConfig of(String host, int port, String export) {
        return new ClientConfig(host, port, export, true, Duration.ofSeconds(30), Duration.ofSeconds(5),
                Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(2), 64L << 20, 1 << 20);
    }

    /** Parses {@code HOST[:PORT]/EXPORT}. */
    public static ClientConfig parse(String target) {
        int slash = target.indexOf('/');
        if (slash <= 0 || slash == target.length() - 1) {
            throw new IllegalArgumentException("expected HOST[:PORT]/EXPORT, got '" + target + "'");
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
        return new ClientConfig(host, port, export, crc, d, connectTimeout, keepalive, reconnectMin, reconnectMax, maxQueuedBytes, maxRequest);
    }

    public ClientConfig withCrc(boolean on) {
        return new ClientConfig(host, port, export, on, ioTimeout, connectTimeout, keepalive, reconnectMin, reconnectMax, maxQueuedBytes, maxRequest);
    }

    public ClientConfig withKeepalive(Duration d) {
        return new ClientConfig(host, port, export, crc, ioTimeout, connectTimeout, d, reconnectMin, reconnectMax, maxQueuedBytes, maxRequest);
    }

    public ClientConfig withReconnect(Duration min, Duration max) {
        return new ClientConfig(host, port, export, crc, ioTimeout, connectTimeout, keepalive, min, max, maxQueuedBytes, maxRequest);
    }

    public ClientConfig withMaxQueuedBytes(long bytes) {
        return new ClientConfig(host, port, export, crc, ioTimeout, connectTimeout, keepalive, reconnectMin, reconnectMax, bytes, maxRequest);
    }

    public String target() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + export;
    }
}
