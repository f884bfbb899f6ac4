package dst.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a {@link ServerProcess} (or a stock NBD server) serves NBD: a TCP port on 127.0.0.1 or a Unix socket. The
 * harness picks the port itself (the server is told it) so a restart comes back on the same one, and readiness is read
 * from the kernel's socket table rather than from a connection, which the server would count as a client.
 */
public record NbdListener(int port, Path socket) {
    public static NbdListener tcp(int port) {
        return new NbdListener(port, null);
    }

    static NbdListener unix(Path socket) {
        return new NbdListener(0, socket.toAbsolutePath());
    }

    /** A TCP port nobody listens on right now (the kernel's choice for port 0). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** The value of {@code --nbd-listen}. */
    String argument() {
        return socket != null ? "unix:" + socket : "127.0.0.1:" + port;
    }

    public String uri(String export) {
        return socket != null ? "nbd+unix:///" + export + "?socket=" + socket : "nbd://127.0.0.1:" + port + "/" + export;
    }

    /** True once something listens there: the socket file exists, or the port is in LISTEN state. */
    public boolean isListening() {
        if (socket != null) return Files.exists(socket);
        // A JVM listens on an IPv6 socket (::ffff:127.0.0.1, in tcp6) unless told to prefer IPv4.
        String portSuffix = String.format(Locale.ROOT, ":%04X", port);
        for (String table : new String[]{"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                if (Files.readAllLines(Path.of(table)).stream().skip(1).map(l -> l.trim().split("\\s+"))
                        .anyMatch(f -> f.length > 3 && f[1].endsWith(portSuffix) && f[3].equals("0A"))) return true;
            } catch (IOException e) {
                // no such table (no IPv6): look at the other
            }
        }
        return false;
    }
}
