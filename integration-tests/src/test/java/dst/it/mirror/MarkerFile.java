package dst.it.mirror;

import dst.it.harness.Blocks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * A file of self-describing {@link Blocks} (block i = id {@code i}, one generation), so that its data blocks can be
 * found again in a RAID leg's backing file, byte for byte, and damaged there on purpose.
 */
final class MarkerFile {
    final int blocks;
    final long generation;

    MarkerFile(int blocks, long generation) {
        this.blocks = blocks;
        this.generation = generation;
    }

    void write(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int i = 0; i < blocks; i++) ch.write(ByteBuffer.wrap(Blocks.content(i, generation)), (long) i * Blocks.SIZE);
            ch.force(true);
        }
    }

    /** Every block of the file reads back as written. */
    boolean intact(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() != (long) blocks * Blocks.SIZE) return false;
            for (int i = 0; i < blocks; i++) {
                if (!Blocks.isGeneration(read(ch, (long) i * Blocks.SIZE), i, generation)) return false;
            }
        }
        return true;
    }

    /** Where the blocks lie in {@code image} (a device's backing file): block number -> offset, for those found. */
    Map<Integer, Long> locate(Path image) throws IOException {
        Map<Integer, Long> at = new TreeMap<>();
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            for (long base = 0; base < ch.size(); base += chunk.capacity()) {
                chunk.clear();
                while (chunk.hasRemaining() && ch.read(chunk, base + chunk.position()) > 0) { /* fill */ }
                for (int off = 0; off + Blocks.SIZE <= chunk.position(); off += Blocks.SIZE) {
                    long id = chunk.getLong(off);
                    if (id < 0 || id >= blocks || chunk.getLong(off + 8) != generation) continue;
                    byte[] b = new byte[Blocks.SIZE];
                    chunk.get(off, b);
                    if (Blocks.isGeneration(b, id, generation)) at.put((int) id, base + off);
                }
            }
        }
        return at;
    }

    /** The block at {@code offset} of {@code image} is block {@code id} as written. */
    boolean intactAt(Path image, long offset, int id) throws IOException {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            return Blocks.isGeneration(read(ch, offset), id, generation);
        }
    }

    /** Flips one bit of the byte at {@code offset} of {@code file}, in place. */
    static void flipBit(Path file, long offset, int bit) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ (1 << bit)));
            one.rewind();
            ch.write(one, offset);
            ch.force(false);
        }
    }

    private static byte[] read(FileChannel ch, long offset) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Blocks.SIZE);
        while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) { /* fill */ }
        return b.array();
    }
}
