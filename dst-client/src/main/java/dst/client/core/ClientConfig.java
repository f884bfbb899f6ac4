package dst.client.core;

import dst.protocol.ExportName;
import dst.protocol.Tlv;
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
 * @param protocol          the wire protocol: dst's own, or NBD (an {@link NbdUri} target)
 * @param connections       connections per device (NBD multi-conn); 0 = the default: 4 when the NBD server
 *                          advertises CAN_MULTI_CONN, else 1
 * @param failFast          once the connection has been down for longer than {@code ioTimeout}, fail new requests with
 *                          EIO at once (until it is back) instead of letting each wait its own deadline: for RAID legs
 * @param attach            how this client uses the export, {@link Tlv.AttachFlags} (0: exclusive read-write; NBD
 *                          cannot say, the server counts its clients as shared writers)
 * @param resumeSession     the session the first handshake resumes, 0 for a new one: the session id a predecessor
 *                          process serving the same device persisted (a takeover keeps its write claim; PROTOCOL.md §5.2)
 */
public record ClientConfig(String host, int port, String export, boolean crc, Duration ioTimeout,
                           Duration connectTimeout, Duration keepalive, Duration reconnectMin, Duration reconnectMax,
                           long maxQueuedBytes, int maxRequest, Path unixSocket, Credentials credentials, TlsTrust tls,
                           Protocol protocol, int connections, boolean failFast, int attach,
                           long resumeSession) {
    public static final int DEFAULT_PORT = Transport.DEFAULT_PORT;

    public ClientConfig {
        if (credentials == null) credentials = Credentials.ANONYMOUS;
        if (protocol == null) protocol = Protocol.DST;
        if (connections < 0 || connections > 64) throw new IllegalArgumentException("--connections must be between 1 and 64, not " + connections);
        if (protocol == Protocol.NBD && !credentials.anonymous()) {
            throw new IllegalArgumentException("NBD has no client keys (--identity/--key-file): use TLS client certificates");
        }
    }

    /** A plain, anonymous TCP client with the defaults. */
    public static ClientConfig of(String host, int port, String export) {
        return builder(host, port, export).build();
    }

    /** A builder for {@code host:port/export}, starting from the defaults of {@link Builder}. */
    public static Builder builder(String host, int port, String export) {
        return new Builder(host, port, export);
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
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
        if (server.address() instanceof DomainSocketAddress unix) return builder("localhost", 0, export).unixSocket(Path.of(unix.path())).build();
        InetSocketAddress tcp = (InetSocketAddress) server.address();
        return builder(tcp.getHostString(), tcp.getPort(), export).build();
    }

    /** How to reach the server: a Unix socket, or TCP to host:port (resolved at each connect). */
    public Transport transport() {
        return unixSocket != null ? Transport.unix(unixSocket) : Transport.tcp(InetSocketAddress.createUnresolved(host, port));
    }

    /** Where the server is, for messages: {@code host:port} or {@code unix:/path}. */
    public String server() {
        return transport().describe();
    }

    /**
     * A name for the export on this machine (device name, FUSE file): the export name with every character
     * outside {@code A-Z a-z 0-9 . _ -} made '_' and no leading '.'; "nbd" for an NBD server's default export "".
     */
    public String localName() {
        String n = export.replaceAll("[^A-Za-z0-9._-]", "_").replaceFirst("^\\.+", "");
        if (n.isEmpty()) n = protocol.name().toLowerCase();
        return n.length() > 64 ? n.substring(0, 64) : n;
    }

    /** The target as the user writes it: {@code host:port/export}, or an NBD URI. */
    public String target() {
        if (protocol == Protocol.NBD) return new NbdUri(tls != null, unixSocket == null ? host : null, port, unixSocket, export).toString();
        return server() + "/" + export;
    }

    /**
     * Builds a {@link ClientConfig}. Defaults: crc32c on, I/O timeout 30 s, connect timeout 5 s, keepalive 2 s,
     * reconnect 100 ms doubling up to 2 s, 64 MiB of queued requests, 1 MiB max request, TCP, anonymous, no TLS,
     * exclusive read-write.
     */
    public static final class Builder {
        private String host;
        private int port;
        private String export;
        private boolean crc = true;
        private Duration ioTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration keepalive = Duration.ofSeconds(2);
        private Duration reconnectMin = Duration.ofMillis(100);
        private Duration reconnectMax = Duration.ofSeconds(2);
        private long maxQueuedBytes = 64L << 20;
        private int maxRequest = 1 << 20;
        private Path unixSocket;
        private Credentials credentials = Credentials.ANONYMOUS;
        private TlsTrust tls;
        private Protocol protocol = Protocol.DST;
        private int connections;
        private boolean failFast;
        private int attach;
        private long resumeSession;

        private Builder(String host, int port, String export) {
            this.host = host;
            this.port = port;
            this.export = export;
        }

        private Builder(ClientConfig c) {
            this(c.host, c.port, c.export);
            crc = c.crc;
            ioTimeout = c.ioTimeout;
            connectTimeout = c.connectTimeout;
            keepalive = c.keepalive;
            reconnectMin = c.reconnectMin;
            reconnectMax = c.reconnectMax;
            maxQueuedBytes = c.maxQueuedBytes;
            maxRequest = c.maxRequest;
            unixSocket = c.unixSocket;
            credentials = c.credentials;
            tls = c.tls;
            protocol = c.protocol;
            connections = c.connections;
            failFast = c.failFast;
            attach = c.attach;
            resumeSession = c.resumeSession;
        }

        public Builder export(String name) {
            this.export = name;
            return this;
        }

        public Builder crc(boolean on) {
            this.crc = on;
            return this;
        }

        public Builder ioTimeout(Duration d) {
            this.ioTimeout = d;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        public Builder keepalive(Duration d) {
            this.keepalive = d;
            return this;
        }

        public Builder reconnect(Duration min, Duration max) {
            this.reconnectMin = min;
            this.reconnectMax = max;
            return this;
        }

        public Builder maxQueuedBytes(long bytes) {
            this.maxQueuedBytes = bytes;
            return this;
        }

        public Builder maxRequest(int bytes) {
            this.maxRequest = bytes;
            return this;
        }

        public Builder unixSocket(Path socket) {
            this.unixSocket = socket;
            return this;
        }

        public Builder credentials(Credentials c) {
            this.credentials = c;
            return this;
        }

        public Builder tls(TlsTrust t) {
            this.tls = t;
            return this;
        }

        /** Connections per device (NBD multi-conn); 0 = 4 when the server advertises CAN_MULTI_CONN, else 1. */
        public Builder connections(int n) {
            connections = n;
            return this;
        }

        public Builder protocol(Protocol p) {
            this.protocol = p;
            return this;
        }

        public Builder failFast(boolean on) {
            this.failFast = on;
            return this;
        }

        /** How the client uses the export: {@link Tlv.AttachFlags} bits (0: exclusive read-write, the default). */
        public Builder attach(int flags) {
            this.attach = flags;
            return this;
        }

        /** The session id the first handshake presents (0: a new session): a device's successor takes its predecessor's over. */
        public Builder resumeSession(long id) {
            this.resumeSession = id;
            return this;
        }

        public ClientConfig build() {
            return new ClientConfig(host, port, export, crc, ioTimeout, connectTimeout, keepalive, reconnectMin, reconnectMax,
                    maxQueuedBytes, maxRequest, unixSocket, credentials, tls, protocol, connections, failFast, attach,
                    resumeSession);
        }
    }
}
