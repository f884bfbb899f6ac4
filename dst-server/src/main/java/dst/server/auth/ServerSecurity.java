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
 * That is decided once, at start: a reload that adds the first key does not stop serving anonymous clients.
 *
 * <p>The keys are the one part that changes while the server runs ({@link #replaceKeys}, by {@code dst-server ctl
 * reload}): every handshake reads the set current when it checks a proof. Thread-safe.
 */
public final class ServerSecurity {
    private volatile ClientKeys keys;
    private final boolean anonymous;
    private final SslContext tls;

    /**
     * @param keys      client identities and their keys
     * @param anonymous serve clients that send no identity (subject to each export's rules)
     * @param tls       server TLS context, or null
     */
    public ServerSecurity(ClientKeys keys, boolean anonymous, SslContext tls) {
        this.keys = keys;
        this.anonymous = anonymous;
        this.tls = tls;
    }

    /** No keys, anonymous allowed, no TLS: what an embedded test server uses. */
    public static ServerSecurity open() {
        return new ServerSecurity(ClientKeys.none(), true, null);
    }

    public ServerSecurity withTls(SslContext context) {
        return new ServerSecurity(keys, anonymous, context);
    }

    /** The client keys now (they may be replaced by a reload at any time). */
    public ClientKeys keys() {
        return keys;
    }

    /** From now on, handshakes check proofs against {@code next}. */
    public void replaceKeys(ClientKeys next) {
        this.keys = next;
    }

    public boolean anonymous() {
        return anonymous;
    }

    public SslContext tls() {
        return tls;
    }

    /** Whether anonymous clients are served when {@code --anonymous} is not given. */
    public static boolean anonymousByDefault(ClientKeys keys, SocketAddress listen) {
        if (!keys.isEmpty()) return false;
        if (listen instanceof InetSocketAddress inet) return inet.getAddress() != null && inet.getAddress().isLoopbackAddress();
        return true; // a Unix socket: only local users reach it, filtered by its file mode
    }
}
