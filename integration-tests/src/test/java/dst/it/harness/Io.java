package dst.it.harness;

import dst.client.core.BlockDevice;
import io.netty.buffer.Unpooled;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Verified I/O through the client library's {@link BlockDevice}: write {@link Blocks}, read them back, compare. */
public final class Io {
    private static final long TIMEOUT_SECONDS = 20;

    private Io() {
    }

    public static void write(BlockDevice d, long offset, byte[] data) throws Exception {
        d.write(offset, Unpooled.wrappedBuffer(data), false).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    public static byte[] read(BlockDevice d, long offset, int length) throws Exception {
        return ByteBufs.bytes(d.read(offset, length).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    /** Writes block {@code seed} ({@code length} bytes of {@link Blocks#content}, generation 0), flushes, reads it back. */
    public static void writeAndVerify(BlockDevice d, long offset, long seed, int length) throws Exception {
        byte[] data = Blocks.content(seed, 0, length);
        write(d, offset, data);
        d.flush().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertArrayEquals(data, read(d, offset, length), "data read back differs at " + offset);
    }
}
