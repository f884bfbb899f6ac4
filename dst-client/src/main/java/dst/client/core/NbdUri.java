package dst.client.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * An NBD URI (the NBD project's {@code doc/uri.md}), the target syntax NBD tools share:
 * <pre>
 *   nbd://HOST[:PORT][/EXPORT]               TCP, port 10809 by default
 *   nbds://HOST[:PORT][/EXPORT]              the same with TLS (STARTTLS) required
 *   nbd+unix:///[EXPORT]?socket=PATH         Unix domain socket
 *   nbds+unix:///[EXPORT]?socket=PATH        Unix domain socket with TLS
 * </pre>
 * The export name is the path without its first {@code /}, percent-decoded; empty (the server's default
 * export) when there is no path. IPv6 hosts are written in brackets ({@code nbd://[::1]/}). Query
 * parameters other than {@code socket} (the tls-* ones of libnbd) are refused rather than silently ignored:
 * TLS trust comes from {@code --tls-ca}/{@code --tls-fingerprint}.
 *
 * @param tls    nbds: TLS is required
 * @param host   TCP host, null for a Unix socket
 * @param port   TCP port
 * @param socket Unix socket path, null for TCP
 * @param export export name, possibly empty
 */
public record NbdUri(boolean tls, String host, int port, Path socket, String export) {
    public static final int DEFAULT_PORT = 10809;

    /** Whether {@code target} is written as an NBD URI (and so must parse as one). */
    public static boolean matches(String target) {
        return target.startsWith("nbd://") || target.startsWith("nbds://")
                || target.startsWith("nbd+unix://") || target.startsWith("nbds+unix://");
    }

    public static NbdUri parse(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not an NBD URI: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        boolean tls = scheme.startsWith("nbds");
        boolean unix = scheme.endsWith("+unix");
        if (!scheme.equals("nbd") && !scheme.equals("nbds") && !scheme.equals("nbd+unix") && !scheme.equals("nbds+unix")) {
            throw new IllegalArgumentException("unsupported NBD URI scheme '" + scheme + "' in '" + text
                    + "' (nbd://, nbds://, nbd+unix://, nbds+unix://)");
        }
        if (uri.getRawFragment() != null) throw new IllegalArgumentException("an NBD URI has no #fragment: '" + text + "'");
        String path = uri.getPath() == null ? "" : uri.getPath();
        String export = path.startsWith("/") ? path.substring(1) : path;
        Path socket = null;
        String raw = uri.getRawQuery();
        if (raw != null && !raw.isEmpty()) {
            for (String param : raw.split("&")) {
                int eq = param.indexOf('=');
                String key = decode(eq < 0 ? param : param.substring(0, eq));
                String value = eq < 0 ? "" : decode(param.substring(eq + 1));
                if (!key.equals("socket")) {
                    throw new IllegalArgumentException("unsupported NBD URI parameter '" + key + "' in '" + text
                            + "' (TLS trust: --tls-ca or --tls-fingerprint)");
                }
                if (!unix) throw new IllegalArgumentException("socket= needs nbd+unix:// or nbds+unix://: '" + text + "'");
                if (value.isEmpty()) throw new IllegalArgumentException("empty socket= in '" + text + "'");
                socket = Path.of(value);
            }
        }
        if (unix) {
            if (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()) {
                throw new IllegalArgumentException("nbd+unix:// takes no host ('" + uri.getRawAuthority() + "'): nbd+unix:///EXPORT?socket=PATH");
            }
            if (socket == null) throw new IllegalArgumentException("nbd+unix:// needs ?socket=PATH: '" + text + "'");
            return new NbdUri(tls, null, 0, socket, export);
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) throw new IllegalArgumentException("no host in '" + text + "': nbd://HOST[:PORT]/EXPORT");
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        if (uri.getUserInfo() != null) throw new IllegalArgumentException("user names (TLS PSK) are not supported: '" + text + "'");
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        if (port == 0 || port > 65535) throw new IllegalArgumentException("bad port " + port + " in '" + text + "'");
        return new NbdUri(tls, host, port, null, export);
    }

    /** A client configuration for this target (protocol NBD), to be completed by the caller. */
    public ClientConfig.Builder toConfig() {
        ClientConfig.Builder b = ClientConfig.builder(host == null ? "localhost" : host, port, export).protocol(Protocol.NBD);
        return socket == null ? b : b.unixSocket(socket);
    }

    @Override
    public String toString() {
        String scheme = (tls ? "nbds" : "nbd") + (socket != null ? "+unix" : "");
        if (socket != null) return scheme + ":///" + export + "?socket=" + socket;
        return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + export;
    }

    /** Percent-decoding as in a URI ('+' stays a plus: it is not a space outside HTML forms). */
    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad %-escape in '" + s + "'");
        }
    }
}
