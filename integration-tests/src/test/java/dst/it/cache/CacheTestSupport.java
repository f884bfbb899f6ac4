package dst.it.cache;

import dst.client.core.ClientConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Blocks whose content is derived from (block, generation), and reading them back from the server's file. */
final class CacheTestSupport {
    static final int BLOCK = 4096;

    private CacheTestSupport() {
    }

    static ClientConfig config(int port, String export, Duration ioTimeout) {
        return ClientConfig.builder("127.0.0.1", port, export).ioTimeout(ioTimeout)
                .reconnect(Duration.ofMillis(50), Duration.ofMillis(500)).maxQueuedBytes(256L << 20).build();
    }

    static byte[] content(int block, int generation) {
        byte[] b = new byte[BLOCK];
        new SplittableRandom(block * 1_000_003L + generation).nextBytes(b);
        ByteBuffer.wrap(b).putInt(block).putInt(generation);
        return b;
    }

    static ByteBuf buffer(int block, int generation) {
        return Unpooled.wrappedBuffer(content(block, generation));
    }

    static byte[] onServer(Path file, int block) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(BLOCK);
            ch.read(b, (long) block * BLOCK);
            return b.array();
        }
    }

    static boolean isGeneration(byte[] actual, int block, int generation) {
        return Arrays.equals(actual, content(block, generation));
    }
}
