package dst.client.frontend.fuse;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestBuffersTest {
    private static final int SIZE = 64 * 1024;

    @Test
    void releasedMemoryIsHandedOutAgainOnlyAfterItsLastReferenceIsGone() {
        RequestBuffers buffers = new RequestBuffers(SIZE, 2);
        ByteBuf first = buffers.take();
        assertEquals(SIZE, first.capacity());
        assertEquals(0, first.writerIndex());
        long address = first.memoryAddress();
        assertEquals(0, address & ((2 << 20) - 1), "2 MiB aligned, so one transparent huge page can back it");
        first.writeLong(42);

        ByteBuf kept = first.retainedSlice(0, 8); // a write in flight keeps the data
        first.release();
        ByteBuf second = buffers.take();
        assertNotEquals(address, second.memoryAddress(), "memory still referenced must not be reused");
        assertEquals(42, kept.getLong(0));

        kept.release();
        ByteBuf third = buffers.take();
        assertEquals(address, third.memoryAddress(), "released memory is reused");
        assertEquals(0, third.writerIndex(), "a reused buffer starts empty");
        assertTrue(third.isDirect());
        second.release();
        third.release();
        buffers.close();
    }

    @Test
    void keepsNoMoreIdleBuffersThanAskedAndTheRestAreFreed() {
        RequestBuffers buffers = new RequestBuffers(SIZE, 1);
        ByteBuf a = buffers.take();
        ByteBuf b = buffers.take();
        long addressA = a.memoryAddress();
        a.release();
        b.release(); // over the limit: freed, not kept
        ByteBuf c = buffers.take();
        ByteBuf d = buffers.take();
        assertEquals(addressA, c.memoryAddress());
        assertNotEquals(addressA, d.memoryAddress(), "only one idle buffer was kept");
        c.release();
        d.release();
        buffers.close();
    }
}
