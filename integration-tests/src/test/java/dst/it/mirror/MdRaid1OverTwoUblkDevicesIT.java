package dst.it.mirror;

import dst.client.core.ClientConfig;
import dst.client.daemon.DeviceDaemon;
import dst.client.daemon.DeviceRecord;
import dst.client.daemon.ReconnectHook;
import dst.client.daemon.RunDir;
import dst.client.frontend.Frontends;
import dst.client.frontend.ublk.UblkFrontend;
import dst.client.stack.DiskStack;
import dst.it.harness.Blocks;
import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * "More than one server", the md way: md raid1 with an internal write-intent bitmap over two ublk devices from two
 * dst-server processes, each leg served by the device daemon {@code dst-client attach --frontend ublk} runs
 * ({@link DeviceDaemon}, here in the test's JVM: every JVM start costs the emulated guest half a minute; the CLI's
 * {@code --on-reconnect} is run for real by {@link BtrfsRaid1OverTwoServersIT}) with a short I/O timeout and a
 * reconnect hook that re-adds the leg ({@code mdadm --remove; mdadm --re-add}).
 * Server A is SIGKILLed: md fails leg A at its first EIO and runs degraded while a verified O_DIRECT writer goes on
 * without an error; server A comes back, the hook re-adds the leg and md resyncs only the bitmap's dirty chunks:
 * the bytes written to leg A by the resync (its client's counter) stay far below the device size. Then the array and
 * both legs' backing files, read directly, hold every acknowledged write.
 *
 * <p>Needs ublk and md (the qemu guest: {@link dst.it.ublk.UblkInGuestIT} runs it there), root and mdadm.
 */
class MdRaid1OverTwoUblkDevicesIT {
    private static final long LEG_BYTES = 64L << 20;
    private static final int REGION_BLOCKS = 1024; // the writer's 4 MiB: what the bitmap should limit the resync to
    private static final String BITMAP_CHUNK = "64K";
    private static final int IO_TIMEOUT_SECONDS = 5;
    private static final long DOWN_MILLIS = 3L * IO_TIMEOUT_SECONDS * 1000;
    private static final String MD = "/dev/md117";
    private static final Path MD_SYS = Path.of("/sys/block/md117/md");

    @TempDir
    Path tmp;
    private ServerProcess serverA;
    private ServerProcess serverB;
    private RunDir runDir;
    private final Map<DeviceDaemon, Thread> daemons = new java.util.LinkedHashMap<>();
    private BlockWriter writer;
    private boolean arrayMade;

    @Test
    void raid1WithBitmapRunsDegradedAndTheHookResyncsOnlyDirtyChunks() throws Exception {
        assumeTrue(UblkFrontend.available(), "no ublk in this kernel: UblkInGuestIT runs this test in the qemu guest");
        assumeTrue("root".equals(System.getProperty("user.name")), "ublk devices and md arrays need root");
        assumeTrue(Host.onPath("mdadm") && Files.exists(Path.of("/proc/mdstat")), "needs mdadm and md (raid1) in the kernel");
        Path imageA = tmp.resolve("a.img");
        Path imageB = tmp.resolve("b.img");
        serverA = ServerProcess.builder("mirror-md-a").export("a=" + imageA + ",size=" + LEG_BYTES).arg("--idle-timeout", "120").start();
        serverB = ServerProcess.builder("mirror-md-b").export("b=" + imageB + ",size=" + LEG_BYTES).arg("--idle-timeout", "120").start();
        runDir = new RunDir(tmp.resolve("run"));
        Path hookLog = tmp.resolve("hook.log");
        String hook = "{ mdadm " + MD + " --remove \"$DST_DEVICE\"; mdadm " + MD + " --re-add \"$DST_DEVICE\" && echo \"re-added $DST_DEVICE after $DST_OUTAGE_MS ms\"; } >> " + hookLog + " 2>&1";
        Path devA = attach(serverA.port(), "a", "md-a", hook);
        Path devB = attach(serverB.port(), "b", "md-b", hook);

        // Both legs hold zeros (new sparse files): --assume-clean is the truth, and spares the guest a 64 MiB resync.
        Host.run("mdadm", "--create", MD, "--run", "--assume-clean", "--metadata=1.2", "--level=1", "--raid-devices=2",
                "--bitmap=internal", "--bitmap-chunk=" + BITMAP_CHUNK, devA.toString(), devB.toString());
        arrayMade = true;
        writer = new BlockWriter(Path.of(MD), REGION_BLOCKS, 5);
        // Some writes on the whole array first; patient: the emulated guest on a loaded host did 200 in 60 s, and none in 120 s at load 20.
        awaitTrue(() -> writer.writes() >= 50, 600_000, "writer's first 50 writes");

        long killed = System.nanoTime();
        serverA.kill9();
        awaitTrue(() -> "1".equals(sys("degraded")), 60_000, "md to fail leg A");
        long degradedAfter = ms(System.nanoTime() - killed);
        long writesAtDegraded = writer.writes();
        awaitTrue(() -> "failing".equals(record("md-a").get("connection")), 30_000, "md-a to show state failing");
        Thread.sleep(Math.max(0, DOWN_MILLIS - ms(System.nanoTime() - killed)));
        Throwable writerError = writer.stop();
        long writesDegraded = writer.writes() - writesAtDegraded;
        assertNull(writerError, () -> "the writer saw an error while leg A was gone: " + writerError);
        assertTrue(writesDegraded > 0, "no write while the array was degraded");
        Thread.sleep(1500); // the record's counters are at most a second old
        long writtenToA = record("md-a").number("bytes-written");

        serverA.restart();
        long back = System.nanoTime();
        awaitTrue(() -> Files.exists(hookLog) && read(hookLog).contains("re-added " + devA), 120_000, "the hook to re-add " + devA);
        awaitTrue(() -> "0".equals(sys("degraded")) && "idle".equals(sys("sync_action")), 300_000, "the resync to finish");
        long degradedMillis = ms(System.nanoTime() - killed);
        long resyncMillis = ms(System.nanoTime() - back);
        Thread.sleep(1500);
        DeviceRecord a = record("md-a");
        long resynced = a.number("bytes-written") - writtenToA;
        System.out.printf("GUEST: md raid1 (bitmap chunk %s) over two dst ublk devices (--io-timeout %d s): leg A failed by md %d ms after the kill; "
                        + "%d verified writes while degraded, %d in all, no error; degraded for %d ms; hook: %s; resync %d ms after the server was back, "
                        + "%d bytes (%.1f MiB) written to leg A by it vs %d MiB device, writer's region %d MiB; leg A counters: %s%n",
                BITMAP_CHUNK, IO_TIMEOUT_SECONDS, degradedAfter, writesDegraded, writer.writes(), degradedMillis, read(hookLog).trim().replace('\n', '|'),
                resyncMillis, resynced, resynced / 1048576.0, LEG_BYTES >> 20, REGION_BLOCKS * (long) Blocks.SIZE >> 20, a.get("stats"));
        assertTrue(resynced > 0, "nothing was resynced to leg A");
        assertTrue(resynced <= REGION_BLOCKS * (long) Blocks.SIZE + (1 << 20),
                "resync wrote " + resynced + " bytes to leg A: more than the dirty region (4 MiB) + 1 MiB of metadata, of a " + LEG_BYTES + "-byte device");

        Map<Blocks.Verdict, Integer> viaArray;
        try (DirectBlocks md = new DirectBlocks(Path.of(MD))) {
            viaArray = writer.verify(md::read);
        }
        assertEquals(REGION_BLOCKS, viaArray.get(Blocks.Verdict.OK), "through the array: " + viaArray);
        long dataOffset = dataOffsetBytes(devA);
        Host.run("mdadm", "--stop", MD);
        arrayMade = false;
        for (Path image : new Path[]{imageA, imageB}) {
            Map<Blocks.Verdict, Integer> leg;
            try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ)) {
                leg = writer.verify(block -> {
                    ByteBuffer b = ByteBuffer.allocate(Blocks.SIZE);
                    file.read(b, dataOffset + block * Blocks.SIZE);
                    return b.array();
                });
            }
            assertEquals(REGION_BLOCKS, leg.get(Blocks.Verdict.OK), "in " + image + " (data offset " + dataOffset + "): " + leg);
        }
    }

    /** What {@code attach --frontend ublk --io-timeout 5 --on-reconnect HOOK} runs, on a thread; returns the device. */
    private Path attach(int port, String export, String name, String hook) throws Exception {
        ClientConfig config = ClientConfig.builder("127.0.0.1", port, export).ioTimeout(Duration.ofSeconds(IO_TIMEOUT_SECONDS))
                .connectTimeout(Duration.ofSeconds(120)).build();
        DeviceDaemon daemon = new DeviceDaemon(runDir, runDir.claim(name, true), config,
                Frontends.create("ublk", null, false, null, OptionalInt.empty()), null, new DiskStack(0, 4 << 20), null, java.util.List.of()).onReconnect(new ReconnectHook(hook));
        CompletableFuture<Path> ready = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                daemon.run(ready::complete);
            } catch (Throwable e) {
                ready.completeExceptionally(e);
            }
        }, "daemon-" + name);
        t.start();
        daemons.put(daemon, t);
        return ready.get(5, TimeUnit.MINUTES);
    }

    private DeviceRecord record(String name) {
        try {
            return runDir.find(name).orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Where md's data starts on a member (mdadm -E: "Data Offset : N sectors"). */
    private static long dataOffsetBytes(Path member) throws Exception {
        Matcher m = Pattern.compile("Data Offset : (\\d+) sectors").matcher(Host.run("mdadm", "-E", member.toString()));
        assertTrue(m.find(), "no data offset in mdadm -E " + member);
        return Long.parseLong(m.group(1)) * 512;
    }

    private static String sys(String attribute) {
        return read(MD_SYS.resolve(attribute)).trim();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static void awaitTrue(BooleanSupplier condition, long withinMillis, String what) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMillis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) throw new AssertionError("waited " + withinMillis + " ms for " + what);
            Thread.sleep(100);
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (writer != null) writer.stop();
        if (arrayMade) Host.exec("mdadm", "--stop", MD);
        for (Map.Entry<DeviceDaemon, Thread> d : daemons.entrySet()) {
            d.getKey().requestStop("the test's end");
            d.getValue().join(120_000);
            if (d.getValue().isAlive()) System.out.println("GUEST: a device daemon did not detach within 2 minutes");
        }
        if (serverA != null) serverA.close();
        if (serverB != null) serverB.close();
    }
}
