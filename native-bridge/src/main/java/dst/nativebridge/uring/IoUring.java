package dst.nativebridge.uring;

import dst.protocol.Errno;
import dst.nativebridge.LibC;
import dst.nativebridge.Mapping;
import dst.nativebridge.NativeException;

import java.io.Closeable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static dst.nativebridge.uring.IoUringParams.*;

/**
 * One io_uring instance: submission queue, completion queue and SQE array mapped from the kernel.
 *
 * <pre>
 *   sqRing: head(kernel) tail(us) mask entries ... array[i] = i (identity, set once)
 *   sqes:   entries x 64|128 bytes, filled through {@link Sqe}
 *   cqRing: head(us) tail(kernel) mask entries ... cqes[] 16 bytes each
 * </pre>
 *
 * Owned by one thread: {@link #nextSqe()}, {@link #submit(int)} and {@link #drain(Completions)} are not thread-safe.
 */
public final class IoUring implements Closeable {
    /** Aligned int access to the shared rings with acquire/release modes (direct buffers support them). */
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    /** Receives one completion: the user data of its SQE and the result ({@code -errno} on failure). */
    @FunctionalInterface
    public interface Completions {
        void complete(long userData, int res);
    }

    private final int fd;
    private final Mapping sqRing;
    private final Mapping cqRing;
    private final Mapping sqes;
    private final ByteBuffer sq;
    private final ByteBuffer cq;
    private final int sqHead;
    private final int sqTail;
    private final int sqMask;
    private final int sqEntries;
    private final int cqHead;
    private final int cqTail;
    private final int cqMask;
    private final int cqes;
    private final Sqe sqe;
    private int localSqTail;
    private int unsubmitted;
    private boolean closed;

    private IoUring(int fd, ByteBuffer p, int sqeSize) throws NativeException {
        this.fd = fd;
        int sqEntriesCount = p.getInt(SQ_ENTRIES);
        int cqEntriesCount = p.getInt(CQ_ENTRIES);
        int sqArray = p.getInt(SQ_OFF + SQ_OFF_ARRAY);
        int cqesOff = p.getInt(CQ_OFF + CQ_OFF_CQES);
        Mapping s = null, c = null, e = null;
        try {
            s = Mapping.ofFile(fd, sqArray + 4L * sqEntriesCount, IORING_OFF_SQ_RING, true, "io_uring sq ring");
            c = Mapping.ofFile(fd, cqesOff + (long) IoUringCqe.SIZEOF * cqEntriesCount, IORING_OFF_CQ_RING, true, "io_uring cq ring");
            e = Mapping.ofFile(fd, (long) sqeSize * sqEntriesCount, IORING_OFF_SQES, true, "io_uring sqes");
        } catch (NativeException ex) {
            if (s != null) s.close();
            if (c != null) c.close();
            throw ex;
        }
        sqRing = s;
        cqRing = c;
        sqes = e;
        sq = s.buffer();
        cq = c.buffer();
        sqHead = p.getInt(SQ_OFF + SQ_OFF_HEAD);
        sqTail = p.getInt(SQ_OFF + SQ_OFF_TAIL);
        sqMask = sq.getInt(p.getInt(SQ_OFF + SQ_OFF_RING_MASK));
        sqEntries = sqEntriesCount;
        cqHead = p.getInt(CQ_OFF + CQ_OFF_HEAD);
        cqTail = p.getInt(CQ_OFF + CQ_OFF_TAIL);
        cqMask = cq.getInt(p.getInt(CQ_OFF + CQ_OFF_RING_MASK));
        cqes = cqesOff;
        for (int i = 0; i < sqEntriesCount; i++) {
            sq.putInt(sqArray + 4 * i, i);
        }
        localSqTail = (int) INT.getAcquire(sq, sqTail);
        sqe = new Sqe(e.buffer(), sqeSize);
    }

    /**
     * Creates a ring of at least {@code entries} submission slots.
     *
     * @param sqe128 128-byte SQEs, needed when a command's payload is larger than 16 bytes (ublk control commands)
     */
    public static IoUring open(int entries, boolean sqe128) throws NativeException {
        ByteBuffer params = ByteBuffer.allocateDirect(SIZEOF).order(ByteOrder.nativeOrder());
        params.putInt(FLAGS, sqe128 ? IORING_SETUP_SQE128 : 0);
        int fd = (int) NativeException.check("io_uring_setup(" + entries + ")",
                LibC.INSTANCE.syscall(LibC.SYS_IO_URING_SETUP, entries, Mapping.addressOf(params), 0, 0, 0, 0));
        try {
            return new IoUring(fd, params, sqe128 ? IoUringSqe.SIZEOF_SQE128 : IoUringSqe.SIZEOF);
        } catch (NativeException e) {
            LibC.INSTANCE.close(fd);
            throw e;
        }
    }

    /** The next free SQE, zeroed, or {@code null} when the submission queue is full (submit, then retry). */
    public Sqe nextSqe() {
        int head = (int) INT.getAcquire(sq, sqHead);
        if (localSqTail - head >= sqEntries) {
            return null;
        }
        sqe.reset(localSqTail & sqMask);
        localSqTail++;
        unsubmitted++;
        return sqe;
    }

    /**
     * Publishes the SQEs prepared since the last call and, if {@code minComplete > 0}, waits until that
     * many completions are available. Retries on EINTR.
     *
     * @return number of SQEs the kernel consumed
     */
    public int submit(int minComplete) throws NativeException {
        INT.setRelease(sq, sqTail, localSqTail);
        int n = unsubmitted;
        unsubmitted = 0;
        int flags = minComplete > 0 ? IORING_ENTER_GETEVENTS : 0;
        while (true) {
            long rc = LibC.INSTANCE.syscall(LibC.SYS_IO_URING_ENTER, fd, n, minComplete, flags, 0, 0);
            if (rc >= 0) {
                return (int) rc;
            }
            int errno = LibC.errno();
            if (errno != Errno.EINTR) {
                throw new NativeException("io_uring_enter", errno);
            }
        }
    }

    /** Hands every available completion to {@code sink}, in order, and frees their slots. Returns how many. */
    public int drain(Completions sink) {
        int head = (int) INT.getOpaque(cq, cqHead);
        int tail = (int) INT.getAcquire(cq, cqTail);
        int n = 0;
        while (head != tail) {
            int at = cqes + (head & cqMask) * IoUringCqe.SIZEOF;
            long userData = cq.getLong(at + IoUringCqe.USER_DATA);
            int res = cq.getInt(at + IoUringCqe.RES);
            head++;
            n++;
            // Free the slot before running the handler, which may submit and so make the kernel post more.
            INT.setRelease(cq, cqHead, head);
            sink.complete(userData, res);
        }
        return n;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            sqes.close();
            cqRing.close();
            sqRing.close();
            LibC.INSTANCE.close(fd);
        }
    }
}
