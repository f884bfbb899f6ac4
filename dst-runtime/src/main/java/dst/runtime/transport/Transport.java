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
    String UNIX_PREFIX = "unix:";

    /** The I/O handler for event loops that run this transport's channels. */
    IoHandlerFactory ioHandlerFactory();

    /** Sets the channel class and options of a server listening on {@link #address()}. */
    ServerBootstrap configure(ServerBootstrap b);

    /** Sets the channel class and options of a client connecting to {@link #address()}. */
    Bootstrap configure(Bootstrap b);

    SocketAddress address();

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

    /** Parses {@code unix:/PATH} or {@code HOST[:PORT]} (also {@code [v6]:PORT}). */
    static Transport parse(String spec, int defaultPort) {
        if (spec.startsWith(UNIX_PREFIX)) {
            String path = spec.substring(UNIX_PREFIX.length());
            if (path.isEmpty()) throw new IllegalArgumentException("unix: needs a socket path, e.g. unix:/run/dst.sock");
            return unix(Path.of(path));
        }
        int colon = spec.lastIndexOf(':');
        if (colon < 0 || spec.endsWith("]")) return tcp(new InetSocketAddress(strip(spec), defaultPort));
        String host = strip(spec.substring(0, colon));
        try {
            return tcp(new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, Integer.parseInt(spec.substring(colon + 1))));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not HOST:PORT or unix:/PATH: " + spec);
        }
    }

    private static String strip(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
