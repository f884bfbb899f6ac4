package dst.client.core;

import dst.protocol.DstException;
import dst.protocol.Errno;

/**
 * Bounds the bytes of requests held by the client (waiting to be sent, sent and unanswered, or waiting
 * for a reconnect). A submitter that would exceed the bound waits: backpressure instead of an
 * OutOfMemoryError when the server is slow or gone. One request larger than the whole budget is
 * admitted alone, so nothing can wait forever.
 */
public final class ByteBudget {
    private final long max;
    private long used;
    private boolean closed;

    public ByteBudget(long max) {
        if (max <= 0) throw new IllegalArgumentException("budget must be positive: " + max);
        this.max = max;
    }

    public synchronized void acquire(long bytes) throws DstException {
        boolean interrupted = false;
        while (!closed && used > 0 && used + bytes > max) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (closed) throw new DstException(Errno.ESHUTDOWN, "device is closed");
        used += bytes;
    }

    public synchronized void release(long bytes) {
        used -= bytes;
        notifyAll();
    }

    public synchronized long used() {
        return used;
    }

    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
