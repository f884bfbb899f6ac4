package dst.client.frontend.fuse;

import dst.nativebridge.Mapping;
import dst.nativebridge.NativeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;
import io.netty.util.internal.PlatformDependent;

import java.nio.ByteOrder;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The 1 MiB buffers the kernel writes FUSE requests into, recycled. A large write's data stays in its request
 * buffer until the server acknowledged it, so a reader needs a fresh buffer after most writes; taking it from
 * the shared pooled allocator churned whole arena chunks (allocated, zeroed and page-faulted anew, then freed as
 * the writes completed): ~4% of the machine's CPU during sequential writes, and every request landed in cold
 * memory. Here the buffer goes back to a free list when its last reference is released, so the same few
 * megabytes (warm in the page tables and caches) serve every request. Each buffer is a 2 MiB transparent huge page
 * where the kernel has them ({@link Mapping#hugeAnonymous}): the kernel pins the buffer for every request it copies
 * in, and pinning 256 small pages per 1 MiB write was ~7% of the client's CPU in sequential writes (perf).
 */
final class RequestBuffers {
    private final int size;
    private final ArrayBlockingQueue<Mapping> free;

    /** @param keep how many idle buffers to keep; more are freed when released */
    RequestBuffers(int size, int keep) {
        this.size = size;
        this.free = new ArrayBlockingQueue<>(keep);
    }

    /** An empty buffer of {@link #size} bytes whose memory returns here when its reference count drops to 0. */
    ByteBuf take() {
        if (!PlatformDependent.hasUnsafe()) return Unpooled.directBuffer(size, size); // (Unsafe disabled) no recycling
        Mapping memory = free.poll();
        if (memory == null) {
            try {
                memory = Mapping.hugeAnonymous(size);
            } catch (NativeException e) {
                throw new IllegalStateException("no memory for a FUSE request buffer: " + e.getMessage(), e);
            }
        }
        return new Recycled(this, memory).clear(); // wrapping makes the whole buffer readable; a request starts empty
    }

    private void recycle(Mapping memory) {
        if (!free.offer(memory)) memory.close();
    }

    /** Drops the idle buffers (their memory is freed now, not at some later GC). */
    void close() {
        Mapping b;
        while ((b = free.poll()) != null) b.close();
    }

    private static final class Recycled extends UnpooledUnsafeDirectByteBuf {
        private final RequestBuffers owner;
        private final Mapping memory;

        Recycled(RequestBuffers owner, Mapping memory) {
            super(UnpooledByteBufAllocator.DEFAULT, memory.buffer().duplicate().order(ByteOrder.BIG_ENDIAN).limit(owner.size), owner.size);
            this.owner = owner;
            this.memory = memory;
        }

        @Override
        protected void deallocate() {
            super.deallocate(); // constructed over an existing ByteBuffer: forgets it without freeing it
            owner.recycle(memory);
        }
    }
}
