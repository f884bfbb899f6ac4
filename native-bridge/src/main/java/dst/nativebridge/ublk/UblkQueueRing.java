package dst.nativebridge.ublk;

import dst.nativebridge.LibC;
import dst.nativebridge.Mapping;
import dst.nativebridge.NativeException;
import dst.nativebridge.ublk.uapi.UblkCmd;
import dst.nativebridge.ublk.uapi.UblksrvIoCmd;
import dst.nativebridge.ublk.uapi.UblksrvIoDesc;
import dst.nativebridge.uring.IoUring;
import dst.nativebridge.uring.Sqe;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One hardware queue of a ublk device: its io_uring (64-byte SQEs: {@code ublksrv_io_cmd} is 16
 * bytes), its read-only descriptor area mapped from {@code /dev/ublkcN}, and an eventfd that lets
 * other threads wake the queue thread out of {@link #await}.
 *
 * <p>Owned by the queue thread (see the package doc); {@link #wakeup()} is the one thread-safe method.
 */
public final class UblkQueueRing implements Closeable {
    /** user_data of the eventfd read; tags are below 4096. */
    private static final long WAKEUP = 1L << 32;

    /** What {@link #await} hands back. */
    public interface Events {
        /** A fetch completed for {@code tag}: {@code res} 0 = a request waits in its descriptor, UBLK_IO_RES_ABORT = stopping. */
        void fetched(int tag, int res);

        /** {@link #wakeup()} was called since the last time. */
        void wokenUp();
    }

    private final UblkCharDevice dev;
    private final int queueId;
    private final int depth;
    private final boolean ioctlEncoded;
    private final IoUring ring;
    private final Mapping descs;
    private final ByteBuffer desc;
    private final int eventFd;
    private final ByteBuffer eventRead = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private final ByteBuffer eventOne = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).putLong(0, 1);
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private boolean eventArmed;
    private Events sink;
    private final IoUring.Completions dispatch = this::dispatch;

    private UblkQueueRing(UblkCharDevice dev, int queueId, int depth, boolean ioctlEncoded, IoUring ring, Mapping descs, int eventFd) {
        this.dev = dev;
        this.queueId = queueId;
        this.depth = depth;
        this.ioctlEncoded = ioctlEncoded;
        this.ring = ring;
        this.descs = descs;
        this.desc = descs.buffer();
        this.eventFd = eventFd;
    }

    /** Maps queue {@code queueId}'s descriptors and creates its ring. Call on the queue thread. */
    public static UblkQueueRing open(UblkCharDevice dev, UblkControlDevice ctrl, int queueId, int depth) throws NativeException {
        Mapping descs = Mapping.ofFile(dev.fd(), UblksrvIoDesc.queueArea(depth, 4096), UblksrvIoDesc.queueOffset(queueId), false,
                UblkCharDevice.path(dev.devId()) + " queue " + queueId + " descriptors");
        IoUring ring = null;
        try {
            ring = IoUring.open(Integer.highestOneBit(depth * 2 + 1) * 2, false);
            int efd = NativeException.check("eventfd", LibC.INSTANCE.eventfd(0, LibC.EFD_CLOEXEC));
            return new UblkQueueRing(dev, queueId, depth, ctrl.ioctlEncoded(), ring, descs, efd);
        } catch (NativeException e) {
            if (ring != null) ring.close();
            descs.close();
            throw e;
        }
    }

    public int depth() {
        return depth;
    }

    /** FETCH_REQ for {@code tag}: the kernel will put requests of this tag in {@code buffer} (direct, >= max_io_buf_bytes). */
    public void fetch(int tag, ByteBuffer buffer) throws NativeException {
        ioCmd(UblkCmd.UBLK_IO_FETCH_REQ, tag, 0, buffer);
    }

    /** COMMIT_AND_FETCH_REQ: completes {@code tag}'s request with {@code result} (bytes or -errno) and fetches the next. */
    public void commitAndFetch(int tag, int result, ByteBuffer buffer) throws NativeException {
        ioCmd(UblkCmd.UBLK_IO_COMMIT_AND_FETCH_REQ, tag, result, buffer);
    }

    private void ioCmd(int legacyOp, int tag, int result, ByteBuffer buffer) throws NativeException {
        Sqe sqe = ring.nextSqe();
        if (sqe == null) {
            ring.submit(0);
            sqe = ring.nextSqe();
        }
        sqe.uringCmd(dev.fd(), ioctlEncoded ? UblkCmd.encoded(legacyOp) : legacyOp, tag)
                .cmdShort(UblksrvIoCmd.Q_ID, queueId)
                .cmdShort(UblksrvIoCmd.TAG, tag)
                .cmdInt(UblksrvIoCmd.RESULT, result)
                .cmdLong(UblksrvIoCmd.ADDR, Mapping.addressOf(buffer));
    }

    /** Submits what was prepared without waiting (e.g. the first FETCH_REQs, before START_DEV). */
    public void submit() throws NativeException {
        ring.submit(0);
    }

    /** Submits what was prepared and waits for at least one event; hands every available one to {@code events}. */
    public void await(Events events) throws NativeException {
        if (!eventArmed) {
            Sqe sqe = ring.nextSqe();
            if (sqe == null) {
                ring.submit(0);
                sqe = ring.nextSqe();
            }
            sqe.read(eventFd, eventRead.clear(), WAKEUP);
            eventArmed = true;
        }
        sink = events;
        if (ring.drain(dispatch) > 0) {
            ring.submit(0);
            return;
        }
        ring.submit(1);
        ring.drain(dispatch);
    }

    /** Makes the queue thread return from {@link #await} soon. Any thread; cheap when a wakeup is already pending. */
    public void wakeup() {
        if (wakeupPending.compareAndSet(false, true)) {
            LibC.INSTANCE.write(eventFd, eventOne, 8);
        }
    }

    private void dispatch(long userData, int res) {
        if (userData == WAKEUP) {
            eventArmed = false;
            wakeupPending.set(false);
            sink.wokenUp();
        } else {
            sink.fetched((int) userData, res);
        }
    }

    /** {@code op_flags} of {@code tag}'s current request: op in bits 0-7 ({@code UBLK_IO_OP_*}), {@code UBLK_IO_F_*} above. */
    public int opFlags(int tag) {
        return desc.getInt(tag * UblksrvIoDesc.SIZEOF + UblksrvIoDesc.OP_FLAGS);
    }

    public int nrSectors(int tag) {
        return desc.getInt(tag * UblksrvIoDesc.SIZEOF + UblksrvIoDesc.NR_SECTORS);
    }

    public long startSector(int tag) {
        return desc.getLong(tag * UblksrvIoDesc.SIZEOF + UblksrvIoDesc.START_SECTOR);
    }

    @Override
    public void close() {
        ring.close();
        descs.close();
        LibC.INSTANCE.close(eventFd);
    }
}
