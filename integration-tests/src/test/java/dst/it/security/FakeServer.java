package dst.it.security;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;

/** A loopback listener that plays a server with a script, for impostor and man-in-the-middle tests. */
final class FakeServer implements Closeable {
    interface Script {
        void play(RawClient peer) throws Exception;
    }

    private final ServerSocket listener;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    FakeServer(Script script) throws IOException {
        listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (RawClient peer = new RawClient(listener.accept())) {
                script.play(peer);
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "fake-server");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
