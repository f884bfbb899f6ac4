package dst.it.harness;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The one kit for test data: self-describing blocks. Block {@code id} (an offset, a block number or just a seed)
 * of generation {@code g} starts with {@code id} and {@code g} (8 bytes each, big-endian), followed by bytes
 * drawn from a generator seeded by both. A block read back (through the server, or straight from its backing
 * file) tells whether it is the expected write, an older one (a lost write), a newer one (a write that should
 * never have landed), or garbage (corruption); a stale or torn block cannot pass. Blocks are at least 16 bytes.
 */
public final class Blocks {
    /** The block size tests use unless they say otherwise. */
    public static final int SIZE = 4096;
    private static final int HEADER = 16;

    public enum Verdict { OK, LOST, STALE, CORRUPT }

    private Blocks() {
    }

    /** {@code size} bytes of block {@code id}, generation {@code generation}. */
    public static byte[] content(long id, long generation, int size) {
        if (size < HEADER) throw new IllegalArgumentException("a block needs at least " + HEADER + " bytes, not " + size);
        byte[] b = new byte[size];
        new SplittableRandom(id * 1_000_003L + generation).nextBytes(b);
        ByteBuffer.wrap(b).putLong(id).putLong(generation);
        return b;
    }

    public static byte[] content(long id, long generation) {
        return content(id, generation, SIZE);
    }

    /** {@link #content} as a buffer for {@code BlockDevice.write}, which takes ownership of it. */
    public static ByteBuf buffer(long id, long generation, int size) {
        return Unpooled.wrappedBuffer(content(id, generation, size));
    }

    public static ByteBuf buffer(long id, long generation) {
        return buffer(id, generation, SIZE);
    }

    /** Whether {@code actual} is exactly generation {@code generation} of block {@code id}. */
    public static boolean isGeneration(byte[] actual, long id, long generation) {
        return Arrays.equals(actual, content(id, generation, actual.length));
    }

    /**
     * Compares {@code actual} with the write of {@code expectedGeneration} of block {@code id}; all zeros is
     * generation 0 (never written).
     */
    public static Verdict check(byte[] actual, long id, long expectedGeneration) {
        boolean allZero = true;
        for (byte x : actual) if (x != 0) { allZero = false; break; }
        if (allZero) return expectedGeneration == 0 ? Verdict.OK : Verdict.LOST;
        ByteBuffer h = ByteBuffer.wrap(actual);
        long at = h.getLong();
        long gen = h.getLong();
        if (at != id || gen < 0 || !isGeneration(actual, id, gen)) return Verdict.CORRUPT;
        if (gen == expectedGeneration) return Verdict.OK;
        return gen < expectedGeneration ? Verdict.LOST : Verdict.STALE;
    }
}
