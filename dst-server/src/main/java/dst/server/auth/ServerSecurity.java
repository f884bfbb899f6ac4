package dst.server.auth;

import io.netty.handler.ssl.SslContext;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Who may talk to a server and how: the known client keys, whether anonymous clients are served,
 * and the TLS context (null for plain connections).
 *
 * <p>The anonymous rule, in one place ({@link #anonymousByDefault}): anonymous clients are served when
 * the server runs with {@code --anonymous}, or when it has no client keys at all and listens only on
 * loopback or a Unix socket (the out-of-the-box demo). Everywhere else every client must prove a key.
 *
 * @param keys      client identities and their keys
 * @param anonymous serve clients that send no identity (subject to each export's rules)
 * @param tls       server TLS context, or null
 */
public record ServerSecurity(ClientKeys keys, boolean anonymous, SslContext tls) {
    /** No keys, anonymous allowed, no TLS: what an embedded test server uses. */
    public static ServerSecurity open() {
        return new ServerSecurity(ClientKeys.none(), true, null);
    }

    public ServerSecurity withTls(SslContext context) {
        return new ServerSecurity(keys, anonymous, context);
    }

    /** Whether anonymous clients are served when {@code --anonymous} is not given. */
    public static boolean anonymousByDefault(ClientKeys keys, SocketAddress listen) {
        if (!keys.isEmpty()) return false;
        if (listen instanceof InetSocketAddress inet) return inet.getAddress() != null && inet.getAddress().isLoopbackAddress();
        return true; // a Unix socket: only local users reach it, filtered by its file mode
    }
}
