package dst.client.frontend.fuse;

import dst.client.core.BlockDevice;
import dst.nativebridge.NativeException;
import dst.nativebridge.fuse.FuseDevice;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import static dst.client.frontend.fuse.FuseKernelAbi.IN_HEADER_SIZE;
import static dst.client.frontend.fuse.FuseKernelAbi.WRITE_IN_SIZE;

/**
 * One mounted {@link ExportFile}, served straight from {@code /dev/fuse} (no libfuse): a few reader threads
 * each take a request, hand it to the ExportFile and go back for the next one while the BlockDevice works,
 * so the loop device's asynchronous direct I/O reaches the network with its full queue depth.
 */
final class FuseSession {
    private static final Logger LOG = Logger.getLogger(FuseSession.class.getName());
    private static final int READERS = 4;
    private static final int BUFFER_SIZE = IN_HEADER_SIZE + WRITE_IN_SIZE + ExportFile.MAX_WRITE + 4096;
    private static final long INIT_TIMEOUT_MS = 15_000;

    /** Idle request buffers kept for reuse: the readers' own, plus as many large writes as usually wait for the server. */
    private static final int KEEP_BUFFERS = READERS + 16;

    private final FuseDevice fuse;
    private final ExportFile file;
    private final RequestBuffers buffers = new RequestBuffers(BUFFER_SIZE, KEEP_BUFFERS);
    private final AtomicInteger running = new AtomicInteger();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile boolean unmounting;
    /** Set by {@link #handOver}: requests read from now on are left unanswered for the next daemon. */
    private volatile boolean handingOver;

    private FuseSession(FuseDevice fuse, ExportFile file) {
        this.fuse = fuse;
        this.file = file;
    }

    /** Mounts {@code device} as the file {@code mountPoint/EXPORT} and returns once the kernel has initialized the mount. */
    static FuseSession mount(BlockDevice device, Path mountPoint) throws IOException {
        Path mnt = mountPoint.toAbsolutePath().normalize();
        FuseDevice fuse;
        try {
            fuse = FuseDevice.mount(mnt, "dst", "dst", device.info().readOnly(), "allow_other,max_read=" + ExportFile.MAX_WRITE);
        } catch (NativeException e) {
            throw new IOException("FUSE mount on " + mnt + " failed: " + e.getMessage() + " (is /dev/fuse there, and are we root?)", e);
        }
        FuseSession s = new FuseSession(fuse, new ExportFile(device, new FuseReplier(fuse)));
        s.start();
        try {
            s.file.initialized().get(INIT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            s.abort();
            throw new IOException("the kernel did not initialize the FUSE mount on " + mnt + ": " + e, e);
        }
        return s;
    }

    /**
     * Serves a connection another process mounted, initialized and served until it died or handed over
     * ({@code fuse} is a copy of its descriptor): readers start, then FUSE_NOTIFY_RESEND puts back in the queue
     * every request the previous process took and never answered.
     *
     * @param kernelResends what the INIT of this connection said (FUSE_HAS_RESEND); without it nothing is started
     */
    static FuseSession takeOver(BlockDevice device, FuseDevice fuse, boolean kernelResends) throws IOException {
        if (!kernelResends) {
            fuse.close();
            throw new IOException(FuseFrontend.NO_RESEND);
        }
        FuseSession s = new FuseSession(fuse, new ExportFile(device, new FuseReplier(fuse), true));
        s.start();
        try {
            fuse.notifyResend();
        } catch (NativeException e) {
            s.unmounting = true; // stop our readers without touching the mount: it stays the user's
            fuse.close();
            throw new IOException("FUSE_NOTIFY_RESEND on " + fuse.mountPoint() + " failed: " + e.getMessage(), e);
        }
        return s;
    }

    /** This process's descriptor of the connection, for a holder to copy. */
    FuseDevice device() {
        return fuse;
    }

    boolean kernelResends() {
        return file.kernelResends();
    }

    /**
     * A planned handover: from now on requests are read but left unanswered (the next daemon's FUSE_NOTIFY_RESEND
     * queues them again); waits up to {@code timeoutMs} for those already handed to the BlockDevice to be answered.
     *
     * @return false when some were still unanswered at the timeout (they will be resent too)
     */
    boolean handOver(long timeoutMs) throws InterruptedException {
        handingOver = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (file.inFlight() > 0) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(5);
        }
        return true;
    }

    /** Called-off handover: answer again, starting with the requests left unanswered meanwhile. */
    void resume() throws IOException {
        handingOver = false;
        try {
            fuse.notifyResend();
        } catch (NativeException e) {
            throw new IOException("FUSE_NOTIFY_RESEND on " + fuse.mountPoint() + " failed: " + e.getMessage(), e);
        }
    }

    private void start() {
        running.set(READERS);
        for (int i = 0; i < READERS; i++) {
            Thread t = new Thread(this::serve, "dst-fuse-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve() {
        ByteBuf buffer = buffers.take();
        try {
            int n;
            while ((n = fuse.read(buffer.nioBuffer(0, BUFFER_SIZE))) >= 0) {
                if (handingOver) continue; // left unanswered: resent to the next daemon
                file.handle(buffer, n);
                if (buffer.refCnt() > 1) { // a write kept its data in it: take a fresh one
                    buffer.release();
                    buffer = buffers.take();
                }
            }
        } catch (NativeException | RuntimeException e) {
            LOG.log(Level.SEVERE, "FUSE reader on " + fuse.mountPoint() + " stopped", e);
        } finally {
            buffer.release();
            readerEnded();
        }
    }

    private void readerEnded() {
        if (running.decrementAndGet() > 0) return;
        if (ended.complete(null) && !unmounting) {
            LOG.severe("the FUSE mount " + fuse.mountPoint() + " went away while in service (unmounted from outside?): its loop"
                    + " device now fails every request. Recover: umount the filesystem on it, then dst-client detach it.");
        }
    }

    Path mountPoint() {
        return fuse.mountPoint();
    }

    /** Unmounts (not lazily: fails while the file is still open, e.g. by a loop device) and waits for the readers to stop. */
    void unmount() throws IOException {
        unmounting = true;
        fuse.unmount();
        try {
            ended.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warning("FUSE readers on " + fuse.mountPoint() + " did not stop within 10 s after unmounting");
        }
        fuse.close();
        buffers.close();
    }

    private void abort() {
        unmounting = true;
        try {
            fuse.unmount();
        } catch (NativeException e) {
            LOG.warning(e.getMessage());
        }
        fuse.close();
    }
}
