package dst.server.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The event loop's read (preadv2 RWF_NOWAIT) on a real file: the cache's bytes, or a clean refusal. */
class FileBackendReadNowTest {
    private static final int MiB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void cachedBytesAndHolesAreReadNow() throws Exception {
        try (FileBackend file = FileBackend.openFile(dir.resolve("d.img"), 8 * MiB, false)) {
            byte[] data = random(MiB);
            file.write(3 * MiB, Unpooled.wrappedBuffer(data));
            ByteBuf dst = Unpooled.directBuffer(MiB);
            try {
                assertTrue(file.readNow(3 * MiB, dst, MiB), "just written: in the page cache");
                assertEquals(MiB, dst.readableBytes());
                assertArrayEquals(data, bytes(dst));
                dst.clear();
                assertTrue(file.readNow(0, dst, MiB), "a hole reads as zeros without waiting");
                assertArrayEquals(new byte[MiB], bytes(dst));
            } finally {
                dst.release();
            }
        }
    }

    @Test
    void bytesOnlyOnDiskAreLeftToRead() throws Exception {
        Path img = dir.resolve("d.img");
        assumeFalse(Files.getFileStore(dir).type().equals("tmpfs"), "a tmpfs file is always in memory");
        try (FileBackend file = FileBackend.openFile(img, 8 * MiB, false)) {
            byte[] data = random(MiB);
            file.write(MiB, Unpooled.wrappedBuffer(data));
            file.flush(); // clean pages: the cache may drop them
            dropFromPageCache(img);
            ByteBuf dst = Unpooled.directBuffer(MiB);
            try {
                dst.writeByte(7);
                assertFalse(file.readNow(MiB, dst, MiB), "evicted bytes need the disk: not on the event loop");
                assertEquals(1, dst.writerIndex(), "a refused readNow leaves the buffer as it was");
                dst.clear();
                file.read(MiB, dst, MiB);
                assertArrayEquals(data, bytes(dst), "the I/O thread's read still finds the data");
            } finally {
                dst.release();
            }
        }
    }

    /** coreutils dd iflag=nocache: posix_fadvise(DONTNEED) over the whole file. */
    private static void dropFromPageCache(Path file) throws Exception {
        Process p = new ProcessBuilder("dd", "if=" + file, "iflag=nocache", "count=0").redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "dd did not finish");
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }
}
