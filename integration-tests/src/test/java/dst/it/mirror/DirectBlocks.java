package dst.it.mirror;

import dst.it.harness.Blocks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A block device opened with O_DIRECT, written and read in {@link Blocks#SIZE} blocks: no page cache in between. */
final class DirectBlocks implements AutoCloseable {
    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(2 * Blocks.SIZE).alignedSlice(Blocks.SIZE).limit(Blocks.SIZE).slice();

    DirectBlocks(Path device) throws IOException {
        ch = FileChannel.open(device, StandardOpenOption.READ, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
    }

    /** Writes generation {@code generation} of block {@code block} (id = its byte offset on the device). */
    void write(long block, long generation) throws IOException {
        long offset = block * Blocks.SIZE;
        buf.clear();
        buf.put(Blocks.content(offset, generation)).flip();
        while (buf.hasRemaining()) ch.write(buf, offset + buf.position());
    }

    byte[] read(long block) throws IOException {
        long offset = block * Blocks.SIZE;
        buf.clear();
        while (buf.hasRemaining()) {
            if (ch.read(buf, offset + buf.position()) < 0) throw new IOException("end of device at block " + block);
        }
        byte[] b = new byte[Blocks.SIZE];
        buf.flip().get(b);
        return b;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
