package dst.nativebridge;

import com.kenai.jffi.MemoryIO;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A region of memory from {@code mmap(2)}: a file's pages shared with the kernel (io_uring rings,
 * ublk's I/O descriptors) or anonymous memory (I/O buffers the kernel copies into). Java code sees
 * it as a native-order direct {@link ByteBuffer}; nothing outside this package sees its address.
 *
 * <p>Not thread-safe to close: close it only once every user of {@link #buffer()} is done.
 */
public final class Mapping implements Closeable {
    private final long address;
    private final long length;
    private final ByteBuffer buffer;
    private boolean closed;

    private Mapping(long address, long length) {
        this.address = address;
        this.length = length;
        this.buffer = MemoryIO.getInstance().newDirectByteBuffer(address, Math.toIntExact(length)).order(ByteOrder.nativeOrder());
    }

    /** Maps {@code length} bytes of {@code fd} at {@code offset}, shared with the kernel. */
    public static Mapping ofFile(int fd, long length, long offset, boolean writable, String what) throws NativeException {
        int prot = LibC.PROT_READ | (writable ? LibC.PROT_WRITE : 0);
        long a = LibC.INSTANCE.mmap(null, length, prot, LibC.MAP_SHARED | LibC.MAP_POPULATE, fd, offset);
        if (a == LibC.MAP_FAILED) {
            throw new NativeException("mmap(" + what + ", " + length + " bytes at " + offset + ")", LibC.errno());
        }
        return new Mapping(a, length);
    }

    /** Zeroed, page-aligned private memory, e.g. I/O buffers handed to the kernel by address. */
    public static Mapping anonymous(long length) throws NativeException {
        long a = LibC.INSTANCE.mmap(null, length, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_POPULATE, -1, 0);
        if (a == LibC.MAP_FAILED) {
            throw new NativeException("mmap(anonymous, " + length + " bytes)", LibC.errno());
        }
        return new Mapping(a, length);
    }

    /**
     * Zeroed private memory of {@code length} bytes rounded up to whole 2 MiB pages, aligned to 2 MiB and advised
     * MADV_HUGEPAGE: a buffer the kernel pins and copies into per request (FUSE requests) then costs one page-table
     * entry per 2 MiB instead of 512, where the kernel has transparent huge pages (else it is ordinary memory).
     */
    public static Mapping hugeAnonymous(long length) throws NativeException {
        long huge = 2L << 20;
        long size = (length + huge - 1) & -huge;
        long a = LibC.INSTANCE.mmap(null, size + huge, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        if (a == LibC.MAP_FAILED) {
            throw new NativeException("mmap(anonymous, " + (size + huge) + " bytes)", LibC.errno());
        }
        long aligned = (a + huge - 1) & -huge; // give back the unaligned head and the tail beyond size
        if (aligned > a) LibC.INSTANCE.munmap(a, aligned - a);
        if (a + huge > aligned) LibC.INSTANCE.munmap(aligned + size, a + huge - aligned);
        LibC.INSTANCE.madvise(aligned, size, LibC.MADV_HUGEPAGE); // advice only: ordinary pages if refused
        return new Mapping(aligned, size);
    }

    /** The whole region, native byte order, position 0. Callers should use absolute get/put or duplicates. */
    public ByteBuffer buffer() {
        return buffer;
    }

    public long length() {
        return length;
    }

    /** Address of a direct buffer's first byte (at position 0), to hand to the kernel. */
    public static long addressOf(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer: " + direct);
        }
        return MemoryIO.getInstance().getDirectBufferAddress(direct);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.munmap(address, length);
        }
    }
}
