package dst.it.cache;

import dst.client.core.ClientConfig;
import dst.it.harness.Blocks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/** Client configuration of the cache tests, and reading their {@link Blocks} back from the server's file. */
final class CacheTestSupport {
    static final int BLOCK = Blocks.SIZE;

    private CacheTestSupport() {
    }

    static ClientConfig config(int port, String export, Duration ioTimeout) {
        return ClientConfig.builder("127.0.0.1", port, export).ioTimeout(ioTimeout)
                .reconnect(Duration.ofMillis(50), Duration.ofMillis(500)).maxQueuedBytes(256L << 20).build();
    }

    static byte[] onServer(Path file, int block) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(BLOCK);
            ch.read(b, (long) block * BLOCK);
            return b.array();
        }
    }
}
