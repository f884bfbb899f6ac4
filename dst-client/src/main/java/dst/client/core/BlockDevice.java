package dst.client.core;

import dst.protocol.ExportInfo;
import io.netty.buffer.ByteBuf;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The client API every frontend (FUSE, ublk, copy, bench) is written against: an asynchronous disk.
 * Requests of any size are accepted and split by the implementation as the export requires.
 * Failures complete the future exceptionally with a {@link dst.protocol.DstException} whose errno
 * a frontend can hand to the kernel as it is.
 *
 * <p>Thread-safety: every method may be called from any thread except a Netty event loop thread
 * (a submitter may be made to wait for queue space: backpressure).
 */
public interface BlockDevice extends AutoCloseable {
    /** What was negotiated with the server: size, block size, read-only, features. */
    ExportInfo info();

    /** Reads {@code length} bytes at {@code offset}. The caller owns (must release) the returned buffer. */
    CompletableFuture<ByteBuf> read(long offset, int length);

    /** Writes the readable bytes of {@code data} at {@code offset}. Takes ownership of {@code data}. */
    CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua);

    /** Makes every write completed before this call durable on the server. */
    CompletableFuture<Void> flush();

    /** Discards the range (reads return zeros afterwards). */
    CompletableFuture<Void> trim(long offset, long length);

    /** Writes zeros over the range without sending them. */
    CompletableFuture<Void> writeZeroes(long offset, long length);

    /**
     * Which parts of {@code offset+length} read as zeros, from {@code offset} on, in order; they may cover less
     * than asked (ask again from where they end), never nothing. Without a server that tells (dst, an NBD server
     * without base:allocation), and in every layer that may hold data of its own (caches), the whole range is data.
     */
    default CompletableFuture<List<Extent>> extents(long offset, long length) {
        return CompletableFuture.completedFuture(List.of(new Extent(offset, length, false)));
    }

    /** Live counters and connection state, for {@code list}/{@code status} views. */
    DeviceStats stats();

    /** Waits for requests in flight (bounded), then closes the connection. */
    @Override
    void close();
}
