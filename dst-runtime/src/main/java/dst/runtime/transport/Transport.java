package dst.runtime.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.IoHandlerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;

/**
 * A stream transport dst runs over: which event loop, channel classes and options to use for one
 * kind of address. Server and client both pick theirs here, so another stream transport is one
 * class more. TLS is not a transport: it is a layer both sides add on top of any of them.
 */
public interface Transport {
    /** What a listen address or a client target starts with to name a Unix socket. */
    String UNIX_PREFIX = "unix:";
    /** The port of a {@code HOST} given without one. */
    int DEFAULT_PORT = 7070;

    /** The I/O handler for event loops that run this transport's channels. */
    IoHandlerFactory ioHandlerFactory();

    /** Sets the channel class and options of a server listening on {@link #address()}. */
    ServerBootstrap configure(ServerBootstrap b);

    /** Sets the channel class and options of a client connecting to {@link #address()}. */
    Bootstrap configure(Bootstrap b);

    /** Where to listen or connect, as given: a TCP host name stays unresolved (a client's connect resolves it each time). */
    SocketAddress address();

    /** {@link #address()} resolved now (DNS for a TCP host name): what a listener binds and access rules judge. */
    default SocketAddress resolvedAddress() {
        return address();
    }

    /** Prepares to listen (removes a stale Unix socket file, say). */
    default void beforeListen() throws IOException {
    }

    /** Cleans up after listening (removes the Unix socket file, say). */
    default void afterClose() {
    }

    /** {@code host:port} or {@code unix:/path}. */
    String describe();

    static Transport tcp(InetSocketAddress address) {
        return new TcpTransport(address);
    }

    static Transport unix(Path socket) {
        return new UnixTransport(socket);
    }

    /**
     * Parses an address, the one syntax server ({@code --listen}) and client (a target's part before the export) share:
     * {@code unix:/PATH}, or {@code HOST[:PORT]} (also {@code [v6]:PORT}; an empty HOST is every interface). Syntax
     * only: no DNS lookup here.
     */
    static Transport parse(String spec, int defaultPort) {
        if (spec.startsWith(UNIX_PREFIX)) {
            String path = spec.substring(UNIX_PREFIX.length());
            if (path.isEmpty()) throw new IllegalArgumentException("unix: needs a socket path, e.g. unix:/run/dst.sock");
            return unix(Path.of(path));
        }
        if (spec.contains("/")) throw new IllegalArgumentException("not HOST[:PORT] or unix:/PATH: " + spec);
        int colon = spec.lastIndexOf(':');
        boolean bareV6 = colon >= 0 && spec.indexOf(':') != colon && !spec.startsWith("[");
        if (colon < 0 || spec.endsWith("]") || bareV6) return tcp(InetSocketAddress.createUnresolved(strip(spec), defaultPort));
        String host = strip(spec.substring(0, colon));
        try {
            return tcp(InetSocketAddress.createUnresolved(host.isEmpty() ? "0.0.0.0" : host, Integer.parseInt(spec.substring(colon + 1))));
        } catch (IllegalArgumentException e) { // not a number, or out of range
            throw new IllegalArgumentException("not HOST[:PORT] or unix:/PATH: " + spec);
        }
    }

    private static String strip(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
