package dst.it.harness;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;

/**
 * A loopback listener that plays a server with a script, for impostor and man-in-the-middle tests: it accepts one
 * connection, runs the script on it as a {@link RawConnection}, then keeps the connection open until the client
 * hangs up (at most {@link RawConnection#READ_TIMEOUT}), so the client reads the script's last frame, not a reset.
 */
public final class FakeServer implements Closeable {
    public interface Script {
        void play(RawConnection client) throws Exception;
    }

    private final ServerSocket listener;
    /** Completes when the script has run, or with what it threw (a failed assertion in it, say). */
    public final CompletableFuture<Void> done = new CompletableFuture<>();

    public FakeServer(Script script) throws IOException {
        listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (RawConnection client = RawConnection.over(listener.accept())) {
                script.play(client);
                client.awaitClosedByServer(RawConnection.READ_TIMEOUT); // the other end: here the client
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "fake-server");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
