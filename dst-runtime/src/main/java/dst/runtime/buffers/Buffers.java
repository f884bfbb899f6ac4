package dst.runtime.buffers;

import io.netty.buffer.PooledByteBufAllocator;

/**
 * The pooled allocator server and client use for every message buffer.
 *
 * <p>Why not Netty's defaults: Netty 4.2's default (adaptive) allocator showed rare header/payload crc mismatches
 * on loopback under load here (about 1 in 10k frames); the pooled one showed none. And the pooled one's defaults
 * cache only buffers up to 32 KiB, and only on Netty's own threads: a 1 MiB request's buffer went back to its
 * 4 MiB chunk on every release, the emptied chunk was freed and the next request mapped and zeroed a new one
 * (PoolChunk.&lt;init&gt; and Unsafe.setMemory in the profiles of a 1 MiB sequential job), and the FUSE and
 * completion threads took the arena's lock for every reply header. Here every thread caches, up to
 * {@value #MAX_CACHED_BUFFER_BYTES} bytes per buffer (2 MiB: one 1 MiB request with its header, in Netty's size
 * classes); the thread caches give back what they have not reused after Netty's sweep threshold of allocations.
 */
public final class Buffers {
    /** Netty reads this property once, when PooledByteBufAllocator is first loaded; a user's -D wins. */
    private static final String MAX_CACHED_PROPERTY = "io.netty.allocator.maxCachedBufferCapacity";
    private static final int MAX_CACHED_BUFFER_BYTES = 2 << 20;

    static {
        if (System.getProperty(MAX_CACHED_PROPERTY) == null) {
            System.setProperty(MAX_CACHED_PROPERTY, Integer.toString(MAX_CACHED_BUFFER_BYTES));
        }
    }

    public static final PooledByteBufAllocator ALLOCATOR = new PooledByteBufAllocator(true,
            PooledByteBufAllocator.defaultNumHeapArena(), PooledByteBufAllocator.defaultNumDirectArena(),
            PooledByteBufAllocator.defaultPageSize(), PooledByteBufAllocator.defaultMaxOrder(),
            PooledByteBufAllocator.defaultSmallCacheSize(), PooledByteBufAllocator.defaultNormalCacheSize(),
            true);

    private Buffers() {
    }
}
