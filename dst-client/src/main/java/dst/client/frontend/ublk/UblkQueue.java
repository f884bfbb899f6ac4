package dst.client.frontend.ublk;

import dst.client.core.BlockDevice;
import dst.nativebridge.CurrentThread;
import dst.nativebridge.Mapping;
import dst.nativebridge.NativeException;
import dst.nativebridge.ublk.UblkCharDevice;
import dst.nativebridge.ublk.UblkControlDevice;
import dst.nativebridge.ublk.UblkQueueRing;
import dst.nativebridge.ublk.uapi.UblksrvIoCmd;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The I/O loop of one hardware queue, on its own thread: fetch every tag, then for each request
 * the kernel hands over, start it on the {@link BlockDevice} and, when it is done, commit its result
 * and fetch the next ({@code COMMIT_AND_FETCH_REQ}). Ends when the device stops (every tag aborted).
 */
final class UblkQueue implements Runnable, UblkQueueRing.Events {
    private static final Logger LOG = Logger.getLogger(UblkQueue.class.getName());

    private final UblkCharDevice dev;
    private final UblkControlDevice ctrl;
    private final int queueId;
    private final UblkOptions options;
    private final UblkRequests requests;
    private final int[] results;
    private final FinishedTags finished;
    /** Completes when every tag is fetched (START_DEV may be sent), or with the error that ended the loop. */
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** Completes when the loop has ended and released the ring and buffers. */
    final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile UblkQueueRing ring;
    /** Set by {@link #handOver}: finished requests wait here uncommitted, for the kernel to reissue them to the next process. */
    private volatile boolean handedOver;
    private ByteBuffer[] buffers;
    private int live;

    UblkQueue(UblkCharDevice dev, UblkControlDevice ctrl, int queueId, UblkOptions options, BlockDevice device) {
        this.dev = dev;
        this.ctrl = ctrl;
        this.queueId = queueId;
        this.options = options;
        this.results = new int[options.depth()];
        this.finished = new FinishedTags(options.depth());
        this.requests = new UblkRequests(device, this::finishedByDevice);
    }

    @Override
    public void run() {
        int depth = options.depth();
        try {
            CurrentThread.setIoFlusher();
        } catch (NativeException e) {
            LOG.warning("ublk queue " + queueId + ": " + e.getMessage() + "; under memory pressure this thread may be throttled "
                    + "while writing back its own device (run with CAP_SYS_RESOURCE)");
        }
        try (UblkQueueRing r = UblkQueueRing.open(dev, ctrl, queueId, depth);
             Mapping memory = Mapping.anonymous((long) depth * options.bufferBytes())) {
            ring = r;
            buffers = new ByteBuffer[depth];
            for (int tag = 0; tag < depth; tag++) {
                buffers[tag] = memory.buffer().duplicate().position(tag * options.bufferBytes()).limit((tag + 1) * options.bufferBytes()).slice();
                r.fetch(tag, buffers[tag]);
            }
            r.submit();
            live = depth;
            ready.complete(null);
            while (live > 0) {
                r.await(this);
            }
            ended.complete(null);
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "ublk queue " + queueId + " of " + UblkCharDevice.path(dev.devId()) + " failed", t);
            ready.completeExceptionally(t);
            ended.completeExceptionally(t);
        }
    }

    /** Kernel event, on the queue thread. */
    @Override
    public void fetched(int tag, int res) {
        if (res == UblksrvIoCmd.UBLK_IO_RES_OK) {
            requests.submit(tag, ring.opFlags(tag), ring.startSector(tag), ring.nrSectors(tag), buffers[tag]);
        } else {
            if (res != UblksrvIoCmd.UBLK_IO_RES_ABORT) {
                LOG.warning("ublk queue " + queueId + " tag " + tag + ": fetch failed with errno " + -res);
            }
            live--;
        }
    }

    /**
     * A planned restart: from now on no result reaches the kernel. What this process has not committed yet is still in
     * flight for the kernel, which reissues it to the next process when this one is gone (USER_RECOVERY_REISSUE), so
     * an error this process would make on its way out (a connection closed at exit) can never reach the filesystem.
     */
    void handOver() {
        handedOver = true;
    }

    /** The restart was called off: the held results are committed. */
    void resume() {
        handedOver = false;
        UblkQueueRing r = ring;
        if (r != null) r.wakeup();
    }

    /** Some requests finished: commit them, on the queue thread (unless handed over: they stay pushed). */
    @Override
    public void wokenUp() {
        if (handedOver) return;
        for (int tag = finished.takeAll(), next; tag != FinishedTags.NONE; tag = next) {
            next = finished.after(tag);
            try {
                ring.commitAndFetch(tag, results[tag], buffers[tag]);
            } catch (NativeException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A request finished, on whatever thread completed it. */
    private void finishedByDevice(int tag, int result) {
        results[tag] = result;          // published by the push's CAS
        finished.push(tag);
        ring.wakeup();
    }
}
