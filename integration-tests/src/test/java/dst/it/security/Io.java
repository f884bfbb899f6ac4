package dst.it.security;

import dst.client.core.BlockDevice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Verified I/O through a BlockDevice: write a pattern, read it back, compare. */
final class Io {
    private Io() {
    }

    static byte[] pattern(long seed, int length) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    static void write(BlockDevice d, long offset, byte[] data) throws Exception {
        d.write(offset, Unpooled.wrappedBuffer(data), false).get(20, TimeUnit.SECONDS);
    }

    static byte[] read(BlockDevice d, long offset, int length) throws Exception {
        ByteBuf b = d.read(offset, length).get(20, TimeUnit.SECONDS);
        try {
            byte[] out = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), out);
            return out;
        } finally {
            b.release();
        }
    }

    static void writeAndVerify(BlockDevice d, long offset, long seed, int length) throws Exception {
        byte[] data = pattern(seed, length);
        write(d, offset, data);
        d.flush().get(20, TimeUnit.SECONDS);
        assertArrayEquals(data, read(d, offset, length), "data read back differs at " + offset);
    }
}
