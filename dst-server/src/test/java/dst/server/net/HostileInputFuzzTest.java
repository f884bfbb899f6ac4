package dst.server.net;

import dst.protocol.HandshakeDecoder;
import dst.protocol.HandshakeFrame;
import dst.protocol.Tlv;
import dst.protocol.auth.AuthProof;
import dst.protocol.auth.ClientKey;
import dst.protocol.nbd.Nbd;
import dst.runtime.buffers.Buffers;
import dst.server.auth.ClientKeys;
import dst.server.auth.ServerSecurity;
import dst.server.backend.FileBackend;
import dst.server.backend.MemoryBackend;
import dst.server.export.Export;
import dst.server.export.ExportSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.ImmediateEventExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Feeds at least a million hostile frames to the server: mutated handshakes and requests, random
 * bytes, split at random points, many frames per connection. They go through pipelines built by the
 * real {@link ServerInitializer} (the same exports, keys and limits a running server has), and a
 * share of them through real loopback sockets to a running {@link DstServer}, while a well-behaved
 * client keeps writing and verifying its own region of the same exports. Proves: nothing escapes
 * the pipeline as an exception (NBD frames through the NBD front door too), no access outside an export ever reaches a backend, no file next to
 * a file export changes, memory stays under a fixed bound, and the good client is served throughout.
 *
 * <p>Fixed seed. {@code -Ddst.fuzz.frames=N} and {@code -Ddst.fuzz.seed=S} for longer or other runs
 * ({@code scripts/fuzz.sh}).
 */
class HostileInputFuzzTest {
    private static final long FRAMES = Long.getLong("dst.fuzz.frames", 1_000_000);
    private static final long SEED = Long.getLong("dst.fuzz.seed", 20261125);
    private static final long EXPORT_SIZE = 1 << 20;
    private static final int MAX_REQUEST = 1 << 20;
    /** Pooled memory in use may never exceed this: one connection's frame plus one READ, with room for pool chunks. */
    private static final long MEMORY_BOUND = 64L << 20;
    private static final byte[] ALICE = ClientKey.generate();
    private static final long PARANOID_FRAMES = Long.getLong("dst.fuzz.paranoidFrames", 50_000);
    /** NBD frames on top of the dst ones, through the NBD front door. */
    private static final long NBD_FRAMES = Long.getLong("dst.fuzz.nbdFrames", FRAMES / 5);

    @TempDir
    Path tmp;

    @Test
    void millionHostileFramesNeverHurtTheServer() throws Exception {
        // the file export on tmpfs when there is one: FLUSH and FUA would otherwise measure the disk's fsync
        Path shm = Path.of("/dev/shm");
        Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "dst-fuzz") : tmp;
        try {
            run(dir);
        } finally {
            if (dir != tmp) {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) Files.delete(p);
                }
                Files.delete(dir);
            }
        }
    }

    private void run(Path dir) throws Exception {
        Path file = dir.resolve("disk.img");
        Path neighbour = dir.resolve("neighbour.img");
        byte[] neighbourBytes = new byte[64 * 1024];
        new Random(1).nextBytes(neighbourBytes);
        Files.write(neighbour, neighbourBytes);
        BoundsCheckingBackend mem = new BoundsCheckingBackend(new MemoryBackend(EXPORT_SIZE));
        BoundsCheckingBackend disk = new BoundsCheckingBackend(FileBackend.openFile(file, EXPORT_SIZE, false));
        Map<String, Export> exports = new LinkedHashMap<>();
        exports.put("mem", new Export(new ExportSpec("mem", "mem:1M", false, EXPORT_SIZE, 512), mem, 1));
        exports.put("disk", new Export(new ExportSpec("disk", file.toString(), false, EXPORT_SIZE, 4096,
                0, 0, dst.server.export.ExportAccess.parse("alice:rw+anonymous:rw")), disk, 2));
        // the good client's own export: the fuzz never addresses it, so what it reads back must be what it wrote
        Export goodExport = new Export(new ExportSpec("good", "mem:64K", false, 65536, 512), new MemoryBackend(65536), 3);
        ServerSecurity security = new ServerSecurity(ClientKeys.none().with("alice", ALICE), true, null);
        ServerConfig config = new ServerConfig(MAX_REQUEST, 2, Duration.ofSeconds(30), Duration.ofSeconds(5), security);

        List<Export> served = new java.util.ArrayList<>(exports.values());
        served.add(goodExport);
        DstServer server = DstServer.start(served, config, new InetSocketAddress("127.0.0.1", 0));
        WellBehavedClient good = new WellBehavedClient(server.localAddress().getPort(), "good", 8192, 4096);
        Thread goodThread = new Thread(good, "good-client");
        goodThread.start();
        long started = System.nanoTime();
        Stats stats = new Stats();
        java.util.logging.Logger dstLog = java.util.logging.Logger.getLogger("dst");
        java.util.logging.Level level = dstLog.getLevel();
        dstLog.setLevel(java.util.logging.Level.OFF); // a million "bad frame" warnings would measure the console
        try {
            ServerInitializer initializer = new ServerInitializer(exports, new SessionRegistry(), config, Runnable::run,
                    new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE));
            FrameFuzzer fuzz = new FrameFuzzer(SEED, EXPORT_SIZE);
            long socketShare = FRAMES / 50; // 2% over real sockets: slower, but the real transport and threads
            // Every buffer of the first PARANOID_FRAMES is tracked by the leak detector (as in all tests); after that
            // it samples (SIMPLE), or a million frames would take minutes. Leaks are still reported, and the
            // allocator's use is checked against the bound throughout.
            ResourceLeakDetector.Level leakLevel = ResourceLeakDetector.getLevel();
            try {
                while (stats.frames < FRAMES - socketShare) {
                    if (stats.frames >= PARANOID_FRAMES) ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
                    embeddedConnection(initializer, fuzz, stats);
                }
            } finally {
                ResourceLeakDetector.setLevel(leakLevel);
            }
            while (stats.frames < FRAMES) {
                socketConnection(server.localAddress().getPort(), fuzz, stats);
            }
            // the NBD front door: the same exports and backends through the real NBD initializer
            dst.server.nbd.NbdServerInitializer nbd = new dst.server.nbd.NbdServerInitializer(exports, new SessionRegistry(), config,
                    Runnable::run, new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE));
            NbdFrameFuzzer nbdFuzz = new NbdFrameFuzzer(fuzz.random(), EXPORT_SIZE);
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
            try {
                for (long end = stats.frames + NBD_FRAMES; stats.frames < end; ) nbdConnection(nbd, nbdFuzz, stats);
            } finally {
                ResourceLeakDetector.setLevel(leakLevel);
            }
        } finally {
            dstLog.setLevel(level);
            good.stop = true;
            goodThread.join(30_000);
            server.close();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("fuzz: %d frames (%d bytes) in %d connections (%d over sockets), %.1f s, %.0f frames/s; "
                        + "peak buffer memory %.1f MiB, peak heap %.1f MiB; good client verified %d write+read pairs; "
                        + "writes that reached the backends: %d%n",
                stats.frames, stats.bytes, stats.connections, stats.socketConnections, seconds, stats.frames / seconds,
                stats.peakPooled / 1048576.0, stats.peakHeap / 1048576.0, good.verified.get(), mem.writes.get() + disk.writes.get());

        assertNull(good.failure.get(), () -> "the well-behaved client failed: " + good.failure.get());
        assertTrue(good.verified.get() > 0, "the well-behaved client got served");
        assertNull(mem.violation.get(), "memory export accessed out of range");
        assertNull(disk.violation.get(), "file export accessed out of range");
        assertEquals(EXPORT_SIZE, Files.size(file), "the file export's size changed");
        assertTrue(java.util.Arrays.equals(neighbourBytes, Files.readAllBytes(neighbour)), "a file next to the export changed");
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no file appeared next to the export");
        }
        assertTrue(stats.peakPooled <= MEMORY_BOUND, "pooled memory peaked at " + stats.peakPooled);
        assertTrue(stats.frames >= FRAMES);
    }

    /** Counters of the run. */
    private static final class Stats {
        long frames;
        long bytes;
        long connections;
        long socketConnections;
        long peakPooled;
        long peakHeap;

        void sample() {
            var pooled = Buffers.ALLOCATOR.metric();
            long used = pooled.usedDirectMemory() + pooled.usedHeapMemory();
            if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p && p != Buffers.ALLOCATOR) {
                used += p.metric().usedDirectMemory() + p.metric().usedHeapMemory();
            }
            peakPooled = Math.max(peakPooled, used);
            Runtime r = Runtime.getRuntime();
            peakHeap = Math.max(peakHeap, r.totalMemory() - r.freeMemory());
        }
    }

    /** One connection through an in-memory pipeline built by the real initializer. */
    private static void embeddedConnection(ServerInitializer initializer, FrameFuzzer fuzz, Stats stats) {
        Random rnd = fuzz.random();
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        stats.connections++;
        EmbeddedChannel replies = new EmbeddedChannel(new HandshakeDecoder());
        try {
            int budget = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 20_000 : 400);
            boolean requestsNext = false;
            switch (rnd.nextInt(10)) {
                case 0, 1, 2, 3, 4 -> { // anonymous login, often valid
                    byte[] hello = fuzz.hello(rnd.nextInt(8) == 0 ? "nope" : rnd.nextBoolean() ? "mem" : "disk", "", new byte[0]);
                    feed(ch, rnd.nextInt(5) == 0 ? fuzz.mutate(hello, false) : hello, stats, rnd);
                    requestsNext = true;
                }
                case 5, 6, 7 -> { // authenticated login with the right key (mostly) and the real challenge
                    byte[] nc = AuthProof.nonce();
                    String export = rnd.nextBoolean() ? "mem" : "disk";
                    feed(ch, fuzz.hello(export, "alice", nc), stats, rnd);
                    HandshakeFrame challenge = drain(ch, replies);
                    if (challenge != null && challenge.type() == HandshakeFrame.CHALLENGE) {
                        byte[] ns = challenge.bytes(Tlv.NONCE).orElseThrow();
                        byte[] proof = rnd.nextInt(4) == 0 ? AuthProof.nonce() : AuthProof.client(ALICE, nc, ns, "alice", export);
                        byte[] auth = FrameFuzzer.auth(proof);
                        feed(ch, rnd.nextInt(6) == 0 ? fuzz.mutate(auth, false) : auth, stats, rnd);
                    }
                    requestsNext = true;
                }
                default -> { // hostile from the first byte
                }
            }
            for (int i = 0; i < budget && ch.isOpen(); i++) {
                int kind = rnd.nextInt(100);
                byte[] f;
                if (requestsNext && kind < 96) { // mostly survivable: many frames per connection
                    byte[] r = fuzz.request(true);
                    f = rnd.nextInt(3) == 0 ? fuzz.mutate(r, true, 9) : r;
                } else if (kind < 98) {
                    f = fuzz.mutate(fuzz.hello("mem", rnd.nextBoolean() ? "" : "alice", AuthProof.nonce()), false);
                } else {
                    f = fuzz.randomBytes(1 + rnd.nextInt(rnd.nextInt(20) == 0 ? 70_000 : 200));
                }
                feed(ch, f, stats, rnd);
            }
            if (stats.connections % 64 == 0) stats.sample();
        } finally {
            ch.finishAndReleaseAll();
            replies.finishAndReleaseAll();
            stats.sample();
        }
    }

    /** One NBD connection through an in-memory pipeline built by the real NBD initializer. */
    private static void nbdConnection(dst.server.nbd.NbdServerInitializer initializer, NbdFrameFuzzer fuzz, Stats stats) {
        Random rnd = fuzz.random();
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        stats.connections++;
        try {
            String export = rnd.nextInt(8) == 0 ? "nope" : rnd.nextBoolean() ? "mem" : "disk";
            boolean hostileStart = rnd.nextInt(10) == 0;
            feed(ch, hostileStart ? fuzz.randomBytes(1 + rnd.nextInt(64)) : fuzz.clientFlags(), stats, rnd);
            boolean extended = false;
            for (int i = rnd.nextInt(4); i > 0 && ch.isOpen(); i--) {
                byte[] o = fuzz.haggle(export);
                extended |= ByteBuffer.wrap(o).getInt(8) == dst.protocol.nbd.Nbd.OPT_EXTENDED_HEADERS;
                feed(ch, rnd.nextInt(6) == 0 ? fuzz.mutate(o) : o, stats, rnd);
            }
            byte[] go = fuzz.go(export);
            feed(ch, rnd.nextInt(8) == 0 ? fuzz.mutate(go) : go, stats, rnd);
            int budget = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 5_000 : 200);
            for (int i = 0; i < budget && ch.isOpen(); i++) {
                byte[] r = rnd.nextInt(50) == 0 ? fuzz.randomBytes(1 + rnd.nextInt(100)) : fuzz.request(extended);
                feed(ch, rnd.nextInt(10) == 0 ? fuzz.mutate(r) : r, stats, rnd);
            }
            if (stats.connections % 64 == 0) stats.sample();
        } finally {
            ch.finishAndReleaseAll();
            stats.sample();
        }
    }

    /** Feeds {@code f} in one or a few pieces, runs what it scheduled, and throws away the answers. */
    private static void feed(EmbeddedChannel ch, byte[] f, Stats stats, Random rnd) {
        stats.frames++;
        stats.bytes += f.length;
        int at = 0;
        while (at < f.length && ch.isOpen()) {
            int n = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(f.length - at) : f.length - at;
            ch.writeInbound(Unpooled.wrappedBuffer(f, at, n)); // rethrows anything that escaped the pipeline
            at += n;
            ch.runPendingTasks();
        }
        for (Object m; (m = ch.readOutbound()) != null; ) io.netty.util.ReferenceCountUtil.release(m);
        for (Object m; (m = ch.readInbound()) != null; ) io.netty.util.ReferenceCountUtil.release(m);
    }

    /** The handshake frame the server answered, if any (other output is released). */
    private static HandshakeFrame drain(EmbeddedChannel ch, EmbeddedChannel decoder) {
        ch.runPendingTasks();
        HandshakeFrame answer = null;
        for (Object m; (m = ch.readOutbound()) != null; ) {
            if (m instanceof ByteBuf b && answer == null) {
                try {
                    decoder.writeInbound(b.retain());
                    answer = decoder.readInbound();
                } catch (RuntimeException e) {
                    // not a handshake frame: no answer
                }
            }
            io.netty.util.ReferenceCountUtil.release(m);
        }
        return answer;
    }

    /** One connection over a real socket: a valid login, then a burst of mutated requests, written blindly. */
    private static void socketConnection(int port, FrameFuzzer fuzz, Stats stats) throws Exception {
        Random rnd = fuzz.random();
        stats.connections++;
        stats.socketConnections++;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoLinger(true, 0);
            OutputStream out = s.getOutputStream();
            Thread drainer = new Thread(() -> {
                try {
                    s.getInputStream().transferTo(OutputStream.nullOutputStream());
                } catch (Exception ignored) {
                    // closed
                }
            });
            drainer.setDaemon(true);
            drainer.start();
            java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
            burst.write(fuzz.hello(rnd.nextBoolean() ? "mem" : "disk", "", new byte[0]));
            stats.frames++;
            for (int i = rnd.nextInt(300); i >= 0; i--) {
                byte[] r = fuzz.request(true);
                burst.write(rnd.nextInt(8) == 0 ? fuzz.mutate(r, true) : r);
                stats.frames++;
            }
            stats.bytes += burst.size();
            try {
                out.write(burst.toByteArray());
                out.flush();
            } catch (java.io.IOException closedEarly) {
                // the server closed after a bad frame, as it should
            }
            s.shutdownOutput();
            drainer.join(10_000);
        } catch (java.net.SocketException reset) {
            // reset by the server: fine
        }
        if (stats.socketConnections % 16 == 0) stats.sample();
    }
}
