package dst.it.docker;

import dst.client.core.ClientConfig;
import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server in a container, the client library on the host against the container's published port:
 * while the client keeps writing (many requests in flight, a FLUSH after every pass over the disk),
 * the server container is stopped, killed, paused or cut off its network, and brought back. Every
 * write must complete without error, and afterwards the export holds exactly the last generation
 * written to each block, read through the server and straight from the backing file on the host.
 *
 * <p>Prints, per fault, the outage (fault to recovery), how long after recovery the first write was
 * answered again, and the longest any write waited.
 */
class ServerContainerOutagesIT {
    /** The test's data: {@link Blocks} of BLOCK_SIZE, block b of generation g seeded by both. */
    private static final int BLOCK_SIZE = 128 << 10;
    private static final int BLOCKS = 256;
    private static final long SIZE = (long) BLOCK_SIZE * BLOCKS; // 32 MiB
    private static final int IN_FLIGHT = 16;
    private static final Duration OUTAGE = Duration.ofSeconds(2);

    enum Fault {
        STOP(ServerContainer::stop, ServerContainer::start),
        KILL(ServerContainer::kill, ServerContainer::start),
        PAUSE(ServerContainer::pause, ServerContainer::unpause),
        DISCONNECT(ServerContainer::disconnect, ServerContainer::connect);

        final Consumer<ServerContainer> inject;
        final Consumer<ServerContainer> recover;

        Fault(Consumer<ServerContainer> inject, Consumer<ServerContainer> recover) {
            this.inject = inject;
            this.recover = recover;
        }
    }

    @BeforeEach
    void needsDocker() {
        DockerRig.assumeAvailable();
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void writesSurviveTheOutageAndNothingIsLost(Fault fault) throws Exception {
        Path data = ServerContainer.freshDataDir("outage-" + fault.name().toLowerCase());
        try (ServerContainer server = ServerContainer.start(data, "disk0", SIZE)) {
            ClientConfig config = ClientConfig.builder("127.0.0.1", server.hostPort(), "disk0")
                    .ioTimeout(Duration.ofSeconds(120))
                    .keepalive(Duration.ofMillis(500))
                    .reconnect(Duration.ofMillis(50), Duration.ofMillis(500))
                    .build();
            int[] generation = new int[BLOCKS];
            Writer writer;
            long injected;
            long injectDone;
            long recoverStart;
            long recovered;
            try (RemoteDisk disk = RemoteDisk.connect(config)) {
                writer = new Writer(disk, generation);
                Thread t = new Thread(writer, "pattern-writer");
                t.start();
                writer.awaitPasses(2);
                injected = System.nanoTime();
                fault.inject.accept(server);
                injectDone = System.nanoTime();
                ServerContainer.sleep(OUTAGE.toMillis());
                recoverStart = System.nanoTime();
                fault.recover.accept(server);
                recovered = System.nanoTime();
                writer.awaitCompletionsAfter(recovered, 2 * BLOCKS);
                writer.stop();
                t.join(TimeUnit.MINUTES.toMillis(3));
                assertNull(writer.failure.get(), () -> fault + ": a write or flush failed: " + writer.failure.get() + "\n" + server.logs());
                disk.flush().get(60, TimeUnit.SECONDS);
                verifyThroughServer(disk, generation);
            }
            server.stop();
            verifyBackingFile(data.resolve("disk0.img"), generation);
            long firstAfter = writer.firstCompletionAfter(recovered);
            System.out.printf("docker outage %-10s outage %5d ms (fault took %4d ms, recovery %4d ms), first write answered %4d ms after"
                            + " recovery, longest write %5d ms, %d writes in %d passes, all verified%n",
                    fault, ms(recovered - injected), ms(injectDone - injected), ms(recovered - recoverStart), ms(firstAfter - recovered),
                    ms(writer.longestWrite.get()), writer.completions.size(), writer.passes.get());
        }
    }

    private static void verifyThroughServer(RemoteDisk disk, int[] generation) throws Exception {
        for (int b = 0; b < BLOCKS; b++) {
            ByteBuf buf = disk.read((long) b * BLOCK_SIZE, BLOCK_SIZE).get(60, TimeUnit.SECONDS);
            try {
                byte[] got = new byte[BLOCK_SIZE];
                buf.getBytes(buf.readerIndex(), got);
                assertArrayEquals(Blocks.content(b, generation[b], BLOCK_SIZE), got, "block " + b + " read through the server is not generation " + generation[b]);
            } finally {
                buf.release();
            }
        }
    }

    private static void verifyBackingFile(Path file, int[] generation) throws IOException {
        assertEquals(SIZE, Files.size(file));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer got = ByteBuffer.allocate(BLOCK_SIZE);
            for (int b = 0; b < BLOCKS; b++) {
                got.clear();
                while (got.hasRemaining() && ch.read(got, (long) b * BLOCK_SIZE + got.position()) > 0) { }
                assertArrayEquals(Blocks.content(b, generation[b], BLOCK_SIZE), got.array(), "block " + b + " of the backing file is not generation " + generation[b]);
            }
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /**
     * Rewrites every block, pass after pass (generation = pass), with up to {@link #IN_FLIGHT} writes
     * in flight and a FLUSH at the end of each pass, until stopped. A block is never written twice
     * at once (a pass has far more blocks than the window), so its last submitted generation is what
     * it must hold. Records when each write completed.
     */
    private static final class Writer implements Runnable {
        final RemoteDisk disk;
        final int[] generation;
        final Semaphore window = new Semaphore(IN_FLIGHT);
        final AtomicBoolean stopping = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong passes = new AtomicLong();
        final AtomicLong longestWrite = new AtomicLong();
        final ConcurrentLinkedQueue<Long> completions = new ConcurrentLinkedQueue<>();

        Writer(RemoteDisk disk, int[] generation) {
            this.disk = disk;
            this.generation = generation;
        }

        @Override
        public void run() {
            try {
                for (int pass = 1; !stopping.get() && failure.get() == null; pass++) {
                    for (int b = 0; b < BLOCKS && failure.get() == null; b++) {
                        window.acquire();
                        generation[b] = pass;
                        long submitted = System.nanoTime();
                        CompletableFuture<Void> f = disk.write((long) b * BLOCK_SIZE, Blocks.buffer(b, pass, BLOCK_SIZE), false);
                        f.whenComplete((v, e) -> {
                            long now = System.nanoTime();
                            if (e != null) failure.compareAndSet(null, e);
                            completions.add(now);
                            longestWrite.accumulateAndGet(now - submitted, Math::max);
                            window.release();
                        });
                        Thread.sleep(0, 200_000);
                    }
                    window.acquire(IN_FLIGHT);
                    window.release(IN_FLIGHT);
                    disk.flush().get(3, TimeUnit.MINUTES);
                    passes.incrementAndGet();
                }
                window.acquire(IN_FLIGHT);
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }

        void stop() {
            stopping.set(true);
        }

        void awaitPasses(long n) throws InterruptedException {
            while (passes.get() < n && failure.get() == null) Thread.sleep(10);
        }

        void awaitCompletionsAfter(long since, int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (countAfter(since) < n && failure.get() == null && System.nanoTime() < deadline) Thread.sleep(10);
        }

        long countAfter(long since) {
            return completions.stream().filter(t -> t > since).count();
        }

        long firstCompletionAfter(long since) {
            List<Long> after = new ArrayList<>();
            for (long t : completions) if (t > since) after.add(t);
            assertTrue(!after.isEmpty(), "no write completed after recovery");
            return after.stream().min(Long::compare).orElseThrow();
        }
    }
}
