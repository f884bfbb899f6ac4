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

    private FuseSession(FuseDevice fuse, BlockDevice device) {
        this.fuse = fuse;
        this.file = new ExportFile(device, new FuseReplier(fuse));
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
        FuseSession s = new FuseSession(fuse, device);
        s.start();
        try {
            s.file.initialized().get(INIT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            s.abort();
            throw new IOException("the kernel did not initialize the FUSE mount on " + mnt + ": " + e, e);
        }
        return s;
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
    /** The export grew: see {@link ExportFile#grow}. */
    void grow(long newSize) {
        file.grow(newSize);
    }

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
