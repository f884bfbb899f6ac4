package dst.it.transactions;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.SplittableRandom;

/**
 * Self-describing test blocks: each carries its own offset and a generation number, then bytes
 * derived from both. A block read back tells whether it is the expected write, an older one (lost
 * write), a newer one (a write that should never have landed), or garbage (corruption).
 */
final class Blocks {
    static final int SIZE = 4096;

    enum Verdict { OK, LOST, STALE, CORRUPT }

    private Blocks() {
    }

    static byte[] content(long offset, long generation) {
        byte[] b = new byte[SIZE];
        java.nio.ByteBuffer.wrap(b).putLong(offset).putLong(generation);
        new SplittableRandom(offset * 1_000_003L + generation).nextBytes(b); // fill, then restore the header
        java.nio.ByteBuffer.wrap(b).putLong(offset).putLong(generation);
        return b;
    }

    static ByteBuf buffer(long offset, long generation) {
        return Unpooled.wrappedBuffer(content(offset, generation));
    }

    /** Compares {@code actual} (SIZE bytes) with the write of {@code expectedGeneration} at {@code offset}. */
    static Verdict check(byte[] actual, long offset, long expectedGeneration) {
        java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(actual);
        long off = h.getLong();
        long gen = h.getLong();
        boolean allZero = true;
        for (byte x : actual) if (x != 0) { allZero = false; break; }
        if (allZero) return expectedGeneration == 0 ? Verdict.OK : Verdict.LOST;
        if (off != offset || gen < 0) return Verdict.CORRUPT;
        if (!java.util.Arrays.equals(actual, content(offset, gen))) return Verdict.CORRUPT;
        if (gen == expectedGeneration) return Verdict.OK;
        return gen < expectedGeneration ? Verdict.LOST : Verdict.STALE;
    }
}
