package dst.it.fuse;

import dst.it.harness.ClientCli;
import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FUSE handover under load: ext4 on {@code /dev/loopN} of a FUSE device, a writer busy on it, and the process
 * serving the device is replaced again and again — SIGKILLed and attached again by name (what systemd's Restart=
 * does), or swapped on purpose with {@code dst-client restart}. The writer never sees an error, every byte it wrote
 * reads back, the loop device is the same one throughout, and the server's image checks clean.
 */
class KilledFuseDaemonIsReplacedAndNoWriteIsLostIT {
    private static final int KILLS = 10;
    private static final int RESTARTS = 5;
    /** 1 MiB chunks per file of the writer; it starts a new file after each (at most {@link #FILES}). */
    private static final int CHUNKS = 256;
    private static final int FILES = 7;
    /** New chunks the writer must have finished between two replacements: proves I/O flows through each daemon. */
    private static final int PROGRESS = 3;

    @TempDir
    Path tmp;
    private ClientCli client;
    private ServerProcess server;
    private Path image;
    private Path mnt;
    private Path device;
    private final List<Long> pauses = new ArrayList<>();

    @Test
    void tenSigkillsUnderVerifiedDirectFsyncWrites() throws Exception {
        setUp("handover-dd");
        DdWriter writer = new DdWriter();
        for (int i = 0; i < KILLS; i++) {
            writer.awaitProgress(PROGRESS);
            killAndAttachAgain();
        }
        writer.awaitProgress(PROGRESS);
        writer.stopAndVerify();
        finish("SIGKILL + attach --name", KILLS);
    }

    @Test
    void tenSigkillsUnderFioVerifyAtQueueDepth16() throws Exception {
        Host.assumeRig("fio");
        setUp("handover-fio");
        Fio fio = new Fio();
        for (int i = 0; i < KILLS; i++) {
            fio.awaitRunning();
            Thread.sleep(1000); // well into the run: requests are in flight at the kill
            killAndAttachAgain();
        }
        fio.stopAndCheck();
        finish("SIGKILL + attach --name, fio QD16", KILLS);
    }

    @Test
    void fivePlannedRestartsUnderVerifiedDirectFsyncWrites() throws Exception {
        setUp("handover-restart");
        DdWriter writer = new DdWriter();
        for (int i = 0; i < RESTARTS; i++) {
            writer.awaitProgress(PROGRESS);
            long oldPid = pid();
            long t0 = System.nanoTime();
            String out = client.run("restart", "vol");
            pauses.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            assertTrue(out.contains("restarted vol: " + device), out);
            assertTrue(pid() != oldPid, "still pid " + oldPid + " after restart: " + out);
            assertTrue(Files.readString(client.runDir().resolve("vol.log")).contains("handed " + device + " over"), "no handover in the log");
            assertServedAgain(i + 1);
        }
        writer.awaitProgress(PROGRESS);
        writer.stopAndVerify();
        finish("dst-client restart", RESTARTS);
    }

    private void setUp(String name) throws Exception {
        Host.assumeRig("mkfs.ext4", "e2fsck");
        assumeResend();
        image = tmp.resolve("disk.img");
        server = ServerProcess.start(name, "disk=" + image + ",size=2G");
        client = new ClientCli(tmp.resolve("run"));
        mnt = Files.createDirectories(tmp.resolve("mnt"));
        device = client.attach("127.0.0.1:" + server.port() + "/disk", "--name", "vol", "--frontend", "fuse");
        assertTrue(device.toString().startsWith("/dev/loop"), "not a loop device: " + device);
        Host.run("mkfs.ext4", "-q", device.toString());
        Host.run("mount", device.toString(), mnt.toString());
    }

    /** FUSE_NOTIFY_RESEND: Linux 6.9+. The attach says in status whether this kernel has it. */
    private static void assumeResend() {
        String[] v = System.getProperty("os.version").split("[.-]");
        int major = Integer.parseInt(v[0]);
        int minor = Integer.parseInt(v[1]);
        org.junit.jupiter.api.Assumptions.assumeTrue(major > 6 || (major == 6 && minor >= 9), "FUSE handover needs Linux 6.9+");
    }

    private void killAndAttachAgain() throws Exception {
        long pid = pid();
        ProcessHandle old = ProcessHandle.of(pid).orElseThrow();
        old.destroyForcibly();
        old.onExit().get(30, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        String row = row();
        assertTrue(row.contains(" waiting "), "after SIGKILL the device should be waiting: " + row);
        Path again = client.attach("127.0.0.1:" + server.port() + "/disk", "--name", "vol", "--frontend", "fuse");
        pauses.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        System.out.printf("kill %d: pid %d killed, %s served again after %d ms%n", pauses.size(), pid, again, pauses.get(pauses.size() - 1));
        assertEquals(device, again, "attach --name took over another device");
        assertServedAgain(pauses.size());
    }

    private void assertServedAgain(int restarts) throws Exception {
        String status = client.run("status", "vol");
        assertTrue(status.contains("device:      " + device), status);
        assertTrue(status.contains("restarts:    " + restarts), "restarts not counted:\n" + status);
        String row = row();
        assertTrue(row.contains(" " + pid() + " ") && row.contains(" connected "), "list row: " + row);
    }

    private void finish(String what, int replacements) throws Exception {
        long sum = pauses.stream().mapToLong(Long::longValue).sum();
        System.out.printf("FUSE handover (%s) x%d: device %s throughout, takeover %s ms (mean %d ms)%n", what, replacements, device, pauses,
                sum / pauses.size());
        assertEquals(replacements, pauses.size());
        assertTrue(Host.loopDevicesUnder(client.runDir()).equals(List.of(device.toString())), "loop devices: " + Host.run("losetup", "-a"));
        Host.run("umount", mnt.toString());
        client.run("detach", "vol");
        Host.run("e2fsck", "-fn", image.toString());
    }

    private long pid() throws Exception {
        String status = client.run("status", "vol");
        return Long.parseLong(status.lines().filter(l -> l.startsWith("pid:")).findFirst().orElseThrow().substring(4).trim().split(" ")[0]);
    }

    private String row() throws Exception {
        return client.run("list").lines().filter(l -> l.startsWith("vol ")).findFirst().orElseThrow();
    }

    /**
     * Writes chunk i of a random source file to offset i of a file on the ext4, one {@code dd oflag=direct
     * conv=fsync} each (1 MiB, through the loop device to the server, then a cache flush), file after file; every
     * chunk is written once, so a lost write shows as a mismatch at the end.
     */
    private final class DdWriter {
        private final Path source = tmp.resolve("source");

        private final AtomicInteger done = new AtomicInteger();
        private final AtomicReference<String> failure = new AtomicReference<>();
        private volatile boolean stop;
        private final CompletableFuture<Void> ended;

        DdWriter() throws Exception {
            Host.run("dd", "if=/dev/urandom", "of=" + source, "bs=1M", "count=" + CHUNKS, "status=none");
            ended = CompletableFuture.runAsync(this::run);
        }

        private void run() {
            try {
                for (int n = 0; n < CHUNKS * FILES && !stop && failure.get() == null; n++) {
                    int i = n % CHUNKS;
                    Host.Result r = Host.exec(300, List.of("dd", "if=" + source, "of=" + file(n / CHUNKS), "bs=1M", "count=1", "skip=" + i,
                            "seek=" + i, "oflag=direct", "conv=fsync,notrunc", "status=none"), java.util.Map.of());
                    if (r.exitCode() != 0) failure.set("chunk " + i + ": dd exit " + r.exitCode() + ": " + r.output());
                    else done.incrementAndGet();
                }
            } catch (IOException | InterruptedException e) {
                failure.set(e.toString());
            }
        }

        private Path file(int index) {
            return mnt.resolve("data-" + index);
        }

        void awaitProgress(int chunks) throws Exception {
            int target = done.get() + chunks;
            await(() -> done.get() >= target || failure.get() != null || ended.isDone(), "the writer to write " + chunks + " more chunks");
            assertNull(failure.get(), "the writer saw an error");
            assertTrue(done.get() >= target, "the writer ran out of chunks (" + done.get() + "): raise FILES");
        }

        void stopAndVerify() throws Exception {
            stop = true;
            ended.get(5, TimeUnit.MINUTES);
            assertNull(failure.get(), "the writer saw an error");
            int n = done.get();
            // Read through the page cache after dropping it: what comes back is what the server has.
            Host.run("sync");
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
            for (int f = 0; f * CHUNKS < n; f++) {
                long bytes = (long) Math.min(CHUNKS, n - f * CHUNKS) << 20;
                Host.Result cmp = Host.exec("cmp", "-n", Long.toString(bytes), source.toString(), file(f).toString());
                assertEquals(0, cmp.exitCode(), n + " chunks written, " + file(f) + " reads back different: " + cmp.output());
            }
            System.out.printf("writer: %d MiB written with oflag=direct conv=fsync, all verified%n", n);
        }
    }

    /** fio runs one after another (random 1 MiB and 4 KiB writes at queue depth 16, each verified with crc32c). */
    private final class Fio {
        private final AtomicInteger runs = new AtomicInteger();
        private final AtomicReference<String> failure = new AtomicReference<>();
        private volatile boolean running;
        private volatile boolean stop;
        private final CompletableFuture<Void> ended;

        Fio() {
            ended = CompletableFuture.runAsync(this::run);
        }

        private void run() {
            try {
                while (!stop && failure.get() == null) {
                    int n = runs.get();
                    running = true;
                    Host.Result r = Host.exec(600, List.of("fio", "--name=verify" + n, "--filename=" + mnt.resolve("fio" + (n % 2)),
                            "--size=96M", "--rw=randwrite", "--bsrange=4k-1m", "--ioengine=libaio", "--direct=1", "--iodepth=16",
                            "--verify=crc32c", "--verify_fatal=1", "--do_verify=1", "--verify_state_save=0", "--fsync_on_close=1", "--randseed=" + (n + 1)),
                            java.util.Map.of());
                    running = false;
                    if (r.exitCode() != 0) { // verify_fatal: a mismatch ends fio with an error, as does an I/O error
                        failure.set("fio run " + n + " exit " + r.exitCode() + ":\n" + r.output());
                    }
                    runs.incrementAndGet();
                }
            } catch (IOException | InterruptedException e) {
                failure.set(e.toString());
            }
        }

        void awaitRunning() throws Exception {
            await(() -> running || failure.get() != null, "fio to run");
            assertNull(failure.get(), "fio failed");
        }

        void stopAndCheck() throws Exception {
            stop = true;
            ended.get(10, TimeUnit.MINUTES);
            assertNull(failure.get(), "fio failed");
            assertTrue(runs.get() >= 2, "fio finished only " + runs.get() + " run(s)");
            System.out.printf("fio: %d runs of 96 MiB random writes at QD16, all verified (crc32c)%n", runs.get());
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("waited 3 min for " + what);
            Thread.sleep(50);
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (client != null && client.run("list").lines().anyMatch(l -> l.startsWith("vol ") && l.contains(" waiting "))) {
            client.exec("attach", "127.0.0.1:" + server.port() + "/disk", "--name", "vol", "--connect-timeout", "30"); // serve it, to unmount
        }
        if (mnt != null && Host.isMountPoint(mnt)) Host.exec("umount", mnt.toString());
        if (client != null) client.detachAll();
        if (server != null) server.close();
    }
}
