package dst.client.frontend.fuse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;
import io.netty.util.internal.PlatformDependent;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The 1 MiB buffers the kernel writes FUSE requests into, recycled. A large write's data stays in its request
 * buffer until the server acknowledged it, so a reader needs a fresh buffer after most writes; taking it from
 * the shared pooled allocator churned whole arena chunks (allocated, zeroed and page-faulted anew, then freed as
 * the writes completed): ~4% of the machine's CPU during sequential writes, and every request landed in cold
 * memory. Here the buffer goes back to a free list when its last reference is released, so the same few
 * megabytes (warm in the page tables and caches) serve every request.
 */
final class RequestBuffers {
    private final int size;
    private final ArrayBlockingQueue<ByteBuffer> free;

    /** @param keep how many idle buffers to keep; more are freed when released */
    RequestBuffers(int size, int keep) {
        this.size = size;
        this.free = new ArrayBlockingQueue<>(keep);
    }

    /** An empty buffer of {@link #size} bytes whose memory returns here when its reference count drops to 0. */
    ByteBuf take() {
        if (!PlatformDependent.hasUnsafe()) return Unpooled.directBuffer(size, size); // (Unsafe disabled) no recycling
        ByteBuffer memory = free.poll();
        if (memory == null) memory = ByteBuffer.allocateDirect(size);
        memory.clear();
        return new Recycled(this, memory).clear(); // wrapping makes the whole buffer readable; a request starts empty
    }

    private void recycle(ByteBuffer memory) {
        if (!free.offer(memory)) PlatformDependent.freeDirectBuffer(memory);
    }

    /** Drops the idle buffers (their memory is freed now, not at some later GC). */
    void close() {
        ByteBuffer b;
        while ((b = free.poll()) != null) PlatformDependent.freeDirectBuffer(b);
    }

    private static final class Recycled extends UnpooledUnsafeDirectByteBuf {
        private final RequestBuffers owner;
        private final ByteBuffer memory;

        Recycled(RequestBuffers owner, ByteBuffer memory) {
            super(UnpooledByteBufAllocator.DEFAULT, memory, memory.capacity());
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
