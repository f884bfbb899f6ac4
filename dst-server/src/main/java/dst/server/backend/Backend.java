package dst.server.backend;

import io.netty.buffer.ByteBuf;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * What an export is stored on: the one narrow interface every backend implements (nbdkit's plugin
 * API in Java). Callers have already checked ranges against {@link #size()} and permissions (one rule:
 * {@code ExportInfo.refusal}, applied by {@code RequestPath}), so a
 * backend only does I/O. Methods block and are called from the server's I/O threads, several at
 * once: implementations are thread-safe. Errors are IOExceptions; a {@code DstException} carries
 * its own errno, anything else becomes EIO on the wire.
 */
public interface Backend extends Closeable {
    /** Export size in bytes. */
    long size();

    /**
     * Changes the size to {@code newSize} (online resize; the caller checked it is positive and, when clients are
     * attached, larger). New space reads as zeros. The default refuses: a backend that cannot change its size.
     */
    default void resize(long newSize) throws IOException {
        throw new dst.protocol.DstException(dst.protocol.Errno.EOPNOTSUPP, describe() + " cannot be resized");
    }

    /** Whether discards free space (else TRIM is accepted and does nothing, as it may). */
    default boolean canTrim() {
        return false;
    }

    /**
     * Whether every call returns at memory speed (no disk I/O, no sleeping), so the server may run it on the
     * connection's event loop instead of handing it to an I/O thread and back: two thread wake-ups less per
     * request. Only for backends that truly never block; the default is false.
     */
    default boolean neverBlocks() {
        return false;
    }

    /**
     * Whether a {@link #flush()} on one connection makes durable the writes completed on every connection (NBD's
     * CAN_MULTI_CONN): true when all connections share one cache, or there is none. The default, false, is always safe.
     */
    default boolean canMultiConn() {
        return false;
    }

    /**
     * Whether {@link #writeZeroes} is faster than writing the zeros (NBD's FAST_ZERO: a client then zeroes a whole
     * image first and writes only its data). The default, false, is always safe.
     */
    default boolean zeroesFast() {
        return false;
    }

    /** Most extents one {@link #extents} call returns: bounds the answer to a fragmented file. */
    int MAX_EXTENTS = 1 << 16;

    /**
     * The allocation of {@code [offset, offset + length)} (already checked against {@link #size()}): consecutive
     * extents starting at {@code offset}, at least one, at most {@link #MAX_EXTENTS}, covering at most
     * {@code length} bytes (fewer when the list is cut short). The default says "all data", which is always true
     * enough: a reader then just reads the zeros.
     */
    default List<Extent> extents(long offset, long length) throws IOException {
        return List.of(new Extent(length, false));
    }

    /** Human readable description for logs and {@code --help} output, e.g. {@code file:/srv/d0.img}. */
    String describe();

    /** Reads {@code length} bytes at {@code offset} into {@code dst}, advancing its writer index. */
    void read(long offset, ByteBuf dst, int length) throws IOException;

    /**
     * Reads like {@link #read} but only if that needs no waiting (the bytes are in memory: the page cache), so
     * the server may run it on the connection's event loop: true when done; false, with {@code dst} as it was,
     * when it would have to wait (the caller then runs {@link #read} on an I/O thread). Saves a cached read the
     * two thread wake-ups of the hand-off. The default never tries.
     */
    default boolean readNow(long offset, ByteBuf dst, int length) throws IOException {
        return false;
    }

    /**
     * Writes the readable bytes of {@code src} at {@code offset}. Durability comes from {@link #flush()}: the
     * server's request path runs FUA as a flush after the change, for writes, trims and zeroing alike.
     */
    void write(long offset, ByteBuf src) throws IOException;

    /** Makes every completed write durable. */
    void flush() throws IOException;

    /** Discards the range: later reads return zeros (dst promises that, like NBD's TRIM+zero). */
    void trim(long offset, long length) throws IOException;

    /** Writes zeros over the range. */
    void writeZeroes(long offset, long length) throws IOException;
}
