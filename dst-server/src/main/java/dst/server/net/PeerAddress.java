package dst.server.net;

import io.netty.channel.Channel;

import java.net.InetSocketAddress;

/** How the server names a peer in logs and failure counts, for every front door (dst and NBD). */
public final class PeerAddress {
    private PeerAddress() {
    }

    /** The peer's address without port, the unit failures are counted in; "local" for a Unix socket. */
    public static String of(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : "local";
    }

    /** The peer's address with its port ({@code 10.0.0.5:40312}, {@code [::1]:40312}); "unix" for a Unix socket. */
    public static String withPort(Channel ch) {
        if (ch.remoteAddress() instanceof InetSocketAddress inet) {
            String host = inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return "unix";
    }

    /** {@code s} with control characters (a peer's names may hold newlines, to forge log lines) shown as '?'. */
    public static String printable(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }
}
