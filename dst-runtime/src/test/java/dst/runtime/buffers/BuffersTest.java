package dst.runtime.buffers;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BuffersTest {
    /**
     * A 1 MiB request buffer, released on a plain (non-Netty) thread such as a FUSE reader, comes back from that
     * thread's cache on the next allocation: the same memory, not a new chunk mapped and zeroed.
     */
    @Test
    void requestSizedBuffersAreReusedOnAnyThread() throws Exception {
        CompletableFuture<long[]> addresses = new CompletableFuture<>();
        Thread plain = new Thread(() -> {
            try {
                long[] seen = new long[2];
                for (int size : new int[] {1 << 20, 4096}) {
                    ByteBuf first = Buffers.ALLOCATOR.directBuffer(size, size);
                    long address = first.memoryAddress();
                    first.release();
                    ByteBuf second = Buffers.ALLOCATOR.directBuffer(size, size);
                    seen[size == 4096 ? 1 : 0] = second.memoryAddress() == address ? 1 : 0;
                    second.release();
                }
                addresses.complete(seen);
            } catch (Throwable t) {
                addresses.completeExceptionally(t);
            }
        }, "plain-thread");
        plain.start();
        long[] reused = addresses.get();
        assertEquals(1, reused[0], "a released 1 MiB buffer was not reused from the thread cache");
        assertEquals(1, reused[1], "a released 4 KiB buffer was not reused from the thread cache");
    }
}
