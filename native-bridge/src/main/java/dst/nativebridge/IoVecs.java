package dst.nativebridge;

import com.kenai.jffi.MemoryIO;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

import java.nio.ByteBuffer;

/**
 * A per-thread array of {@code struct iovec { void *iov_base; size_t iov_len; }} for vectored calls
 * ({@code writev}, {@code preadv2}): filled from direct buffers, each from its position to its limit, and handed to
 * the kernel during the one call on the same thread. No allocation per call.
 */
public final class IoVecs {
    /** The most entries one call takes. */
    public static final int MAX = 64;
    private static final int IOVEC_SIZE = 16;
    private static final ThreadLocal<Pointer> ARRAYS =
            ThreadLocal.withInitial(() -> Memory.allocateDirect(LibC.RUNTIME, MAX * IOVEC_SIZE));

    private IoVecs() {
    }

    /** This thread's array; valid until its next use on this thread. */
    public static Pointer array() {
        return ARRAYS.get();
    }

    /** Sets entry {@code index} of {@code iov} to {@code buffer}'s remaining bytes. */
    public static void put(Pointer iov, int index, ByteBuffer buffer) {
        if (!buffer.isDirect()) throw new IllegalArgumentException("the kernel reads and writes direct buffers only");
        iov.putAddress((long) index * IOVEC_SIZE, MemoryIO.getInstance().getDirectBufferAddress(buffer) + buffer.position());
        iov.putLong((long) index * IOVEC_SIZE + 8, buffer.remaining());
    }
}
