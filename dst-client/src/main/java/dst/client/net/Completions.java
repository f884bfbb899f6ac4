package dst.client.net;

import io.netty.buffer.ByteBuf;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Completes the users' futures on a thread of their own, never on the event loop: a user callback may
 * submit the next request (and wait for budget) without stalling the connection. Once shut down,
 * completes inline. Ownership: READ data goes to the future; when the future was already completed
 * (cancelled), the data is released.
 */
final class Completions {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dst-client-complete");
        t.setDaemon(true);
        return t;
    });

    void complete(CompletableFuture<ByteBuf> result, ByteBuf data, Throwable error) {
        try {
            thread.execute(() -> completeNow(result, data, error));
        } catch (RejectedExecutionException e) { // shut down: complete inline
            completeNow(result, data, error);
        }
    }

    /** Runs {@code action} (a listener of the user's) on the completion thread, or inline once shut down. */
    void run(Runnable action) {
        try {
            thread.execute(action);
        } catch (RejectedExecutionException e) {
            action.run();
        }
    }

    void shutdown() {
        thread.shutdown();
    }

    private static void completeNow(CompletableFuture<ByteBuf> result, ByteBuf data, Throwable error) {
        if (error != null) result.completeExceptionally(error);
        else if (!result.complete(data) && data != null) data.release();
    }
}
