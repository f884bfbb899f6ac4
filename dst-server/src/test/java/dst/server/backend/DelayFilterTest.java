package dst.server.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A filter changes only its own behaviour: what the backend below can do still shows through it. */
class DelayFilterTest {
    private static final int MIB = 1 << 20;

    @Test
    void capabilitiesAndExtentsOfTheBackendBelowShowThrough() throws Exception {
        MemoryBackend memory = new MemoryBackend(4L * MIB);
        Backend filtered = new DelayFilter(memory, Duration.ofMillis(1), 1);
        ByteBuf data = Unpooled.buffer(4096).writeZero(4096);
        try {
            filtered.write(2L * MIB, data);
        } finally {
            data.release();
        }
        assertTrue(filtered.canMultiConn(), "CAN_MULTI_CONN of the memory export hidden by the filter");
        assertTrue(filtered.zeroesFast(), "fast zeroing of the memory export hidden by the filter");
        assertFalse(filtered.neverBlocks(), "the filter sleeps: it must not run on an event loop");
        assertEquals(List.of(new Extent(2L * MIB, true), new Extent(MIB, false), new Extent(MIB, true)), filtered.extents(0, 4L * MIB),
                "the holes of the memory export");
        assertEquals(memory.extents(0, 4L * MIB), filtered.extents(0, 4L * MIB));
    }
}
