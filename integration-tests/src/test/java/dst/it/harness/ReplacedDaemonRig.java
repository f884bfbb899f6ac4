package dst.it.harness;

import org.junit.jupiter.api.AfterEach;
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
 * The rig of the tests that replace the process serving a device while a filesystem on it is busy: a server with a
 * file export, a device attached by name ({@code vol}) with the subclass's frontend, ext4 on it, mounted; verified
 * writers ({@link DdWriter}, {@link Fio}); the two ways to replace the daemon (SIGKILL + {@code attach --name}, and
 * {@code dst-client restart}), each checked to serve the same device again; and the end: same device throughout,
 * detach, e2fsck on the server's file.
 */
public abstract class ReplacedDaemonRig {
    /** 1 MiB chunks per file of the writer; it starts a new file after each (at most {@link #FILES}). */
    private static final int CHUNKS = 256;
    private static final int FILES = 7;

    @TempDir
    protected Path tmp;
    protected ClientCli client;
    protected ServerProcess server;
    private Path image;
    protected Path mnt;
    protected Path device;
    private final List<Long> pauses = new ArrayList<>();
    private final String frontend;
    private final String devicePrefix;

    /**
     * @param frontend     {@code fuse} or {@code ublk}
     * @param devicePrefix how its devices are named, e.g. {@code /dev/loop}
     */
    protected ReplacedDaemonRig(String frontend, String devicePrefix) {
        this.frontend = frontend;
        this.devicePrefix = devicePrefix;
    }

    /** Server, attach, mkfs.ext4, mount; the export is {@code size} (a sparse file). */
    protected void setUp(String name, String size) throws Exception {
        Host.assumeRig("mkfs.ext4", "e2fsck");
        image = tmp.resolve("disk.img");
        // A long idle timeout: in the emulated ublk guest a cold JVM can be slow to send its first keepalive.
        server = ServerProcess.builder(name).export("disk=" + image + ",size=" + size).arg("--idle-timeout", "120").start();
        client = new ClientCli(tmp.resolve("run"));
        mnt = Files.createDirectories(tmp.resolve("mnt"));
        device = attachByName();
        assertTrue(device.toString().startsWith(devicePrefix), "not a " + frontend + " device: " + device);
        Host.run("mkfs.ext4", "-q", device.toString());
        Host.run("mount", device.toString(), mnt.toString());
    }

    private Path attachByName() throws Exception {
        return client.attach("127.0.0.1:" + server.port() + "/disk", "--name", "vol", "--frontend", frontend, "--ready-timeout", "300");
    }

    /** SIGKILL the serving process, then {@code attach --name vol} (what systemd's Restart= does) takes the device over. */
    protected void killAndAttachAgain() throws Exception {
        long pid = pid();
        ProcessHandle old = ProcessHandle.of(pid).orElseThrow();
        old.destroyForcibly();
        old.onExit().get(30, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        String row = row();
        assertTrue(row.contains(" waiting "), "after SIGKILL the device should be waiting: " + row);
        Path again = attachByName();
        pauses.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        System.out.printf("kill %d: pid %d killed, %s served again after %d ms%n", pauses.size(), pid, again, pauses.get(pauses.size() - 1));
        assertEquals(device, again, "attach --name took over another device");
        assertServedAgain(pauses.size());
    }

    /** {@code dst-client restart vol}: a new process, the same device, the handover in the old one's log. */
    protected void restart() throws Exception {
        long oldPid = pid();
        long t0 = System.nanoTime();
        String out = client.run(330, "restart", "vol", "--timeout", "300"); // patient: a JVM starts slowly in the emulated guest
        pauses.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        System.out.printf("restart %d: %s%n", pauses.size(), out);
        assertTrue(out.contains("restarted vol: " + device), out);
        assertTrue(pid() != oldPid, "still pid " + oldPid + " after restart: " + out);
        assertTrue(Files.readString(client.runDir().resolve("vol.log")).contains("handed " + device + " over"), "no handover in the log");
        assertServedAgain(pauses.size());
    }

    private void assertServedAgain(int restarts) throws Exception {
        String status = client.run("status", "vol");
        assertTrue(status.contains("device:      " + device), status);
        assertTrue(status.contains("restarts:    " + restarts), "restarts not counted:\n" + status);
        String row = row();
        assertTrue(row.contains(" " + pid(status) + " ") && row.contains(" connected "), "list row: " + row);
    }

    /** The devices of this frontend that exist under the client's run dir / on the machine: just {@link #device}. */
    protected abstract List<String> devicesInUse() throws Exception;

    protected void finish(String what, int replacements) throws Exception {
        long sum = pauses.stream().mapToLong(Long::longValue).sum();
        System.out.printf("%s handover (%s) x%d: device %s throughout, takeover %s ms (mean %d ms)%n", frontend, what, replacements, device, pauses,
                sum / pauses.size());
        assertEquals(replacements, pauses.size());
        assertEquals(List.of(device.toString()), devicesInUse(), "the device changed");
        Host.run("umount", mnt.toString());
        client.run("detach", "vol");
        Host.run("e2fsck", "-fn", image.toString());
    }

    private long pid() throws Exception {
        return pid(client.run("status", "vol"));
    }

    private static long pid(String status) {
        return Long.parseLong(status.lines().filter(l -> l.startsWith("pid:")).findFirst().orElseThrow().substring(4).trim().split(" ")[0]);
    }

    private String row() throws Exception {
        return client.run("list").lines().filter(l -> l.startsWith("vol ")).findFirst().orElseThrow();
    }

    /**
     * Writes chunk i of a random source file to offset i of a file on the ext4, one {@code dd oflag=direct
     * conv=fsync} each (1 MiB, through the device to the server, then a cache flush), file after file; every
     * chunk is written once, so a lost write shows as a mismatch at the end.
     */
    protected final class DdWriter {
        private final Path source = tmp.resolve("source");

        private final AtomicInteger done = new AtomicInteger();
        private final AtomicReference<String> failure = new AtomicReference<>();
        private volatile boolean stop;
        private final CompletableFuture<Void> ended;

        public DdWriter() throws Exception {
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

        public void awaitProgress(int chunks) throws Exception {
            int target = done.get() + chunks;
            await(() -> done.get() >= target || failure.get() != null || ended.isDone(), "the writer to write " + chunks + " more chunks");
            assertNull(failure.get(), "the writer saw an error");
            assertTrue(done.get() >= target, "the writer ran out of chunks (" + done.get() + "): raise FILES");
        }

        public void stopAndVerify() throws Exception {
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

    /** fio runs one after another (random 4 KiB-1 MiB writes at queue depth 16 in a file of {@code size}, each verified with crc32c). */
    protected final class Fio {
        private final String size;
        private final AtomicInteger runs = new AtomicInteger();
        private final AtomicReference<String> failure = new AtomicReference<>();
        private volatile boolean running;
        private volatile boolean stop;
        private final CompletableFuture<Void> ended;

        public Fio(String size) {
            this.size = size;
            ended = CompletableFuture.runAsync(this::run);
        }

        private void run() {
            try {
                while (!stop && failure.get() == null) {
                    int n = runs.get();
                    running = true;
                    Host.Result r = Host.exec(600, List.of("fio", "--name=verify" + n, "--filename=" + mnt.resolve("fio" + (n % 2)),
                            "--size=" + size, "--rw=randwrite", "--bsrange=4k-1m", "--ioengine=libaio", "--direct=1", "--iodepth=16",
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

        public void awaitRunning() throws Exception {
            await(() -> running || failure.get() != null, "fio to run");
            assertNull(failure.get(), "fio failed");
        }

        public void stopAndCheck(int minRuns) throws Exception {
            stop = true;
            ended.get(10, TimeUnit.MINUTES);
            assertNull(failure.get(), "fio failed");
            assertTrue(runs.get() >= minRuns, "fio finished only " + runs.get() + " run(s)");
            System.out.printf("fio: %d runs of %s random writes at QD16, all verified (crc32c)%n", runs.get(), size);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("waited 5 min for " + what);
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
