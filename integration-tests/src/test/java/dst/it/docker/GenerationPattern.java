package dst.it.docker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.SplittableRandom;

/**
 * The bytes a test writes: block {@code b} of generation {@code g} is a pseudo-random sequence seeded
 * by both, so any block read back (from the server or straight from its backing file) tells whether
 * it holds exactly the generation the test last wrote there, and a stale or torn block cannot pass.
 */
final class GenerationPattern {
    final int blockSize;
    final int blocks;

    GenerationPattern(int blockSize, int blocks) {
        this.blockSize = blockSize;
        this.blocks = blocks;
    }

    long size() {
        return (long) blockSize * blocks;
    }

    byte[] block(int block, int generation) {
        byte[] b = new byte[blockSize];
        SplittableRandom r = new SplittableRandom(block * 1_000_003L + generation);
        for (int i = 0; i < b.length; i += 8) {
            long v = r.nextLong();
            for (int k = 0; k < 8; k++) b[i + k] = (byte) (v >>> (8 * k));
        }
        return b;
    }

    /** A buffer for {@code BlockDevice.write}, which takes ownership of it. */
    ByteBuf buffer(int block, int generation) {
        return Unpooled.wrappedBuffer(block(block, generation));
    }
}
