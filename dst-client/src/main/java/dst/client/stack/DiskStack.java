package dst.client.stack;

import dst.client.cache.ReadAhead;
import dst.client.cache.WriteBackCache;
import dst.client.core.BlockDevice;
import dst.client.core.ClientConfig;
import dst.client.net.RemoteDisk;
import dst.protocol.DstException;

/**
 * The one place the client's layers are put together, for every command that opens an export (attach's
 * device daemon, bench, copy, info):
 * <pre>
 *   ReadAhead (readAheadBytes &gt; 0)  ──►  WriteBackCache (cacheBytes &gt; 0)  ──►  RemoteDisk  ──►  server
 * </pre>
 * Read-ahead sits on top so that its prefetches see cached writes; the cache sits on the connection, whose
 * queue is made large enough to hold what the cache streams at once.
 *
 * @param cacheBytes     write-back cache capacity ({@link WriteBackCache}); 0 = write-through
 * @param readAheadBytes sequential read-ahead window ({@link ReadAhead}, in requests of at most 1 MiB); 0 = none
 */
public record DiskStack(long cacheBytes, int readAheadBytes) {
    /** Just the connection: what copy and info use. */
    public static final DiskStack PLAIN = new DiskStack(0, 0);
    /** Size of one read-ahead request. */
    public static final int READ_AHEAD_CHUNK = 1 << 20;
    /** Room on the connection beyond a full cache, for reads and other requests alongside it. */
    private static final long QUEUE_HEADROOM = 64L << 20;

    public DiskStack {
        if (cacheBytes < 0) throw new IllegalArgumentException("cache size must be >= 0, not " + cacheBytes);
        if (readAheadBytes < 0) throw new IllegalArgumentException("read-ahead must be >= 0, not " + readAheadBytes);
    }

    /** Connects (failing fast, as {@link RemoteDisk#connect}) and stacks the layers on the connection. */
    public BlockDevice open(ClientConfig config) throws DstException {
        BlockDevice disk = RemoteDisk.connect(connection(config));
        if (cacheBytes > 0) disk = new WriteBackCache(disk, cacheBytes);
        if (readAheadBytes > 0) disk = new ReadAhead(disk, readAheadBytes, Math.min(readAheadBytes, READ_AHEAD_CHUNK));
        return disk;
    }

    /** {@code config} with a queue that can hold a full cache: the cache streams up to cacheBytes of writes at once. */
    public ClientConfig connection(ClientConfig config) {
        if (cacheBytes == 0) return config;
        return config.toBuilder().maxQueuedBytes(Math.max(config.maxQueuedBytes(), cacheBytes + QUEUE_HEADROOM)).build();
    }

    /** Direct memory the layers' data may take at most (cached writes and prefetched reads). */
    public long dataBytes() {
        return cacheBytes + readAheadBytes;
    }
}
