package dst.client.cache;

import dst.client.core.BlockDevice;
import dst.client.core.DeviceStats;
import dst.protocol.ExportInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The read-ahead policy against a disk that generates its bytes from their offsets and counts what it was asked. */
class ReadAheadTest {
    private static final int MIB = 1 << 20;
    private static final long SIZE = 256L * MIB;

    private static byte at(long p) {
        return (byte) (p ^ (p >>> 8) ^ (p >>> 16) ^ (p >>> 24));
    }

    /** Reads are answered at once; the bytes read from it are counted. */
    private static final class PatternDisk implements BlockDevice {
        long bytesRead;

        @Override
        public ExportInfo info() {
            return new ExportInfo("t", SIZE, 512, MIB, false, 0, 1, 1, 1);
        }

        @Override
        public synchronized CompletableFuture<ByteBuf> read(long offset, int length) {
            bytesRead += length;
            ByteBuf b = Unpooled.buffer(length);
            for (int i = 0; i < length; i++) b.writeByte(at(offset + i));
            return CompletableFuture.completedFuture(b);
        }

        @Override
        public CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
            data.release();
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> flush() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> trim(long offset, long length) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> writeZeroes(long offset, long length) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public DeviceStats stats() {
            return new DeviceStats();
        }

        @Override
        public void close() {
        }
    }

    private static void readAndCheck(BlockDevice d, long offset, int length) {
        ByteBuf b = d.read(offset, length).join();
        try {
            assertEquals(length, b.readableBytes());
            for (int i = 0; i < length; i += 4093) assertEquals(at(offset + i), b.getByte(b.readerIndex() + i), "byte at " + (offset + i));
            assertEquals(at(offset + length - 1), b.getByte(b.readerIndex() + length - 1));
        } finally {
            b.release();
        }
    }

    @Test
    void aSequentialStreamArrivingSlightlyOutOfOrderIsReadOnce() {
        PatternDisk disk = new PatternDisk();
        ReadAhead ra = new ReadAhead(disk, 4 * MIB, MIB);
        // how loop at queue depth 8 through several FUSE readers delivers 1 MiB reads: pairs swapped, now and then
        List<Long> order = new ArrayList<>();
        for (long i = 0; i < 200; i += 2) {
            if (i % 6 == 0) {
                order.add(i + 1);
                order.add(i);
            } else {
                order.add(i);
                order.add(i + 1);
            }
        }
        for (long block : order) readAndCheck(ra, block * MIB, MIB);
        long asked = 200L * MIB;
        assertTrue(disk.bytesRead <= asked + 6L * MIB,
                "read-ahead must not read the stream twice: " + disk.bytesRead / MIB + " MiB read for " + asked / MIB + " MiB asked");
        ra.close();
    }

    @Test
    void smallRandomReadsStartNoReadAhead() {
        PatternDisk disk = new PatternDisk();
        ReadAhead ra = new ReadAhead(disk, 4 * MIB, MIB);
        Random rnd = new Random(7);
        for (int i = 0; i < 5000; i++) readAndCheck(ra, (rnd.nextLong(SIZE / 4096)) * 4096, 4096);
        assertTrue(disk.bytesRead <= 5000L * 4096 + 8L * MIB, "random 4 KiB reads read " + disk.bytesRead + " bytes");
        ra.close();
    }

    @Test
    void aPlainSequentialReaderIsServedFromPrefetchedChunks() {
        PatternDisk disk = new PatternDisk();
        ReadAhead ra = new ReadAhead(disk, 4 * MIB, MIB);
        for (long off = 0; off < 64L * MIB; off += 128 * 1024) readAndCheck(ra, off, 128 * 1024);
        assertTrue(disk.bytesRead <= 64L * MIB + 5L * MIB, disk.bytesRead / MIB + " MiB read for 64 MiB asked");
        ra.close();
    }
}
