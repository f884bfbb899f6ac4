package dst.it.mirror;

import dst.it.fuse.FileTree;
import dst.it.harness.ClientCli;
import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "More than one server", the btrfs way: btrfs raid1 (data and metadata) over two dst devices (FUSE + loop) from two
 * dst-server processes, each leg attached with a short {@code --io-timeout} and an {@code --on-reconnect} hook that
 * scrubs the filesystem.
 * <ol>
 *   <li>Files with known hashes are written; then server A is SIGKILLed and kept down for four I/O deadlines while an
 *       application writes and syncs round after round: it sees no error (btrfs gets EIO from leg A and carries on
 *       with B), leg A shows {@code failing} in {@code dst-client status}, btrfs counts write errors on it.</li>
 *   <li>Server A comes back: the hook runs (with the device and the outage in its environment) and its scrub
 *       corrects the blocks A missed, none uncorrectable.</li>
 *   <li>Leg A alone (B detached, A mounted degraded, read-only) serves every file correctly: the scrub repaired it.</li>
 *   <li>Bits flipped in server B's backing file, in the located data blocks of a marker file, are found and repaired
 *       by a scrub from leg A: B's file holds the right bytes again, every file verifies.</li>
 * </ol>
 */
class BtrfsRaid1OverTwoServersIT {
    private static final String SIZE = "512M"; // room for the 40 MiB tree, the writer's at most 160 MiB and btrfs' raid1 chunks
    private static final int IO_TIMEOUT_SECONDS = 3;
    private static final long DOWN_MILLIS = 4L * IO_TIMEOUT_SECONDS * 1000;
    private static final int FLIPS = 16;

    @TempDir
    Path tmp;
    private ClientCli client;
    private ServerProcess serverA;
    private ServerProcess serverB;
    private Path mnt;
    private TreeWriter writer;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void raid1RidesOutALegsOutageAndScrubRepairsOutageAndBitFlips() throws Exception {
        Host.assumeRig("mkfs.btrfs", "btrfs", "sync");
        Path imageA = tmp.resolve("a.img");
        Path imageB = tmp.resolve("b.img");
        serverA = ServerProcess.start("mirror-btrfs-a", "a=" + imageA + ",size=" + SIZE);
        serverB = ServerProcess.start("mirror-btrfs-b", "b=" + imageB + ",size=" + SIZE);
        client = new ClientCli(tmp.resolve("run"));
        mnt = Files.createDirectories(tmp.resolve("mnt"));
        Path hookLog = tmp.resolve("hook.log");
        Path hookScrub = tmp.resolve("hook-scrub.txt");
        String hook = "echo \"$DST_NAME $DST_DEVICE $DST_OUTAGE_MS\" >> " + hookLog + "; btrfs scrub start -B -R " + mnt + " > " + hookScrub + " 2>&1";
        Path devA = client.attach("127.0.0.1:" + serverA.port() + "/a", "--name", "mirror-a", "--io-timeout", "" + IO_TIMEOUT_SECONDS, "--fail-fast", "--on-reconnect", hook);
        Path devB = attachB();

        Host.runPastBrokenMounts("mkfs.btrfs", "-q", "-f", "-d", "raid1", "-m", "raid1", devA.toString(), devB.toString());
        Host.run("mount", devA.toString(), mnt.toString());
        FileTree before = FileTree.write(mnt.resolve("before"), 40L << 20, 17);
        MarkerFile marker = new MarkerFile(256, 7);
        marker.write(mnt.resolve("marker.bin"));
        Host.run("sync", "-f", mnt.toString());
        Host.Result detachMounted = client.exec("detach", "mirror-b");
        assertNotEquals(0, detachMounted.exitCode(), "detach of a mounted btrfs leg must be refused: " + detachMounted.output());

        // 1. Leg A's server is gone for four deadlines while the application writes.
        writer = new TreeWriter(mnt.resolve("during"), 2L << 20, 200, 160L << 20);
        Thread.sleep(2000);
        long killed = System.nanoTime();
        serverA.kill9();
        long failingAfter = awaitState("mirror-a", "failing", killed, 4L * IO_TIMEOUT_SECONDS * 1000);
        Thread.sleep(Math.max(0, DOWN_MILLIS - ms(System.nanoTime() - killed)));
        long roundsWhileDown = writer.roundsDoneAfter(killed);
        serverA.restart();
        long back = System.nanoTime();

        // 2. The hook runs and scrubs; the writer keeps going meanwhile.
        String hookLine = awaitLine(hookLog, 60_000);
        long hookAfter = ms(System.nanoTime() - back);
        Map<String, Long> hookCounters = Btrfs.scrubCounters(awaitScrubOutput(hookScrub, 300_000));
        Throwable writerError = writer.stop();
        long writeErrorsA = Btrfs.deviceStat(mnt, devA, "write_io_errs");
        System.out.printf("btrfs raid1, leg A down %d ms (--io-timeout %d s): state failing after %d ms, writer %d rounds (%d MiB) without error "
                        + "(%d rounds made durable while A was down), btrfs write_io_errs on A %d; hook '%s' %d ms after the server was back; "
                        + "its scrub: %s%n", ms(back - killed), IO_TIMEOUT_SECONDS, failingAfter, writer.rounds(), writer.bytes() >> 20, roundsWhileDown,
                writeErrorsA, hookLine, hookAfter, hookCounters);
        assertNull(writerError, () -> "the application saw an error: " + writerError);
        assertTrue(roundsWhileDown > 0, "no round of writes was made durable while leg A was down");
        assertTrue(writeErrorsA > 0, "btrfs saw no write error on the leg whose server was down");
        String[] h = hookLine.split(" ");
        assertEquals("mirror-a", h[0], "hook's DST_NAME: " + hookLine);
        assertEquals(devA.toString(), h[1], "hook's DST_DEVICE: " + hookLine);
        assertTrue(Long.parseLong(h[2]) >= DOWN_MILLIS - 1000, "hook's DST_OUTAGE_MS shorter than the outage: " + hookLine);
        assertTrue(hookCounters.get("corrected_errors") > 0, "the hook's scrub corrected nothing: " + hookCounters);
        assertEquals(0, hookCounters.get("uncorrectable_errors"), "uncorrectable errors: " + hookCounters);
        awaitStatusLine("mirror-a", "on-reconnect: " + hook + " (runs 1, last: exit ", 30_000);

        // 3. Leg A alone holds every file.
        Host.run("umount", mnt.toString());
        client.run("detach", "mirror-b");
        Host.run("mount", "-o", "degraded,ro", devA.toString(), mnt.toString());
        before.verify(mnt.resolve("before"));
        writer.verify(mnt.resolve("during"));
        assertTrue(marker.intact(mnt.resolve("marker.bin")), "marker file damaged on leg A");
        Host.run("umount", mnt.toString());

        // 4. Bit flips in B's backing file (no client attached: nothing caches it), repaired from A by a scrub.
        Map<Integer, Long> located = marker.locate(imageB);
        assertEquals(marker.blocks, located.size(), "marker blocks found in " + imageB + ": " + located.size());
        List<Integer> damaged = located.keySet().stream().filter(i -> i % (marker.blocks / FLIPS) == 0).toList();
        for (int i : damaged) MarkerFile.flipBit(imageB, located.get(i) + 100 + i, i % 8);
        for (int i : damaged) assertTrue(!marker.intactAt(imageB, located.get(i), i), "flip did not land");
        devB = attachB();
        Host.run("btrfs", "device", "scan", devB.toString());
        Host.run("mount", devA.toString(), mnt.toString());
        Map<String, Long> flipScrub = Btrfs.scrub(mnt);
        System.out.printf("btrfs raid1, %d bit flips in leg B's backing file: scrub %s%n", damaged.size(), flipScrub);
        assertTrue(flipScrub.get("csum_errors") >= damaged.size(), "scrub found fewer csum errors than flipped blocks: " + flipScrub);
        assertTrue(flipScrub.get("corrected_errors") >= damaged.size(), "scrub corrected fewer blocks than were flipped: " + flipScrub);
        assertEquals(0, flipScrub.get("uncorrectable_errors"), "uncorrectable errors: " + flipScrub);
        Host.run("umount", mnt.toString());
        for (int i : damaged) assertTrue(marker.intactAt(imageB, located.get(i), i), "block " + i + " not repaired in " + imageB);
        Host.run("mount", devA.toString(), mnt.toString());
        before.verify(mnt.resolve("before"));
        writer.verify(mnt.resolve("during"));
        assertTrue(marker.intact(mnt.resolve("marker.bin")), "marker file damaged after the repair");
    }

    private Path attachB() throws Exception {
        return client.attach("127.0.0.1:" + serverB.port() + "/b", "--name", "mirror-b", "--io-timeout", "" + IO_TIMEOUT_SECONDS, "--fail-fast");
    }

    /** Polls {@code dst-client status NAME} until its state is {@code state}; returns the ms since {@code since}. */
    private long awaitState(String name, String state, long since, long withinMillis) throws Exception {
        awaitStatus(name, s -> s.lines().anyMatch(l -> l.matches("state:\\s+" + state + "\\b.*")), "state " + state, withinMillis);
        return ms(System.nanoTime() - since);
    }

    /**
     * Polls {@code dst-client status NAME} until it contains {@code text}: the hook's scrub prints its counters a moment
     * before the hook process exits and the daemon records the run in its status.
     */
    private void awaitStatusLine(String name, String text, long withinMillis) throws Exception {
        awaitStatus(name, s -> s.contains(text), "'" + text + "'", withinMillis);
    }

    private void awaitStatus(String name, Predicate<String> shows, String what, long withinMillis) throws Exception {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMillis);
        String status = "";
        while (System.nanoTime() < until) {
            status = client.run("status", name);
            if (shows.test(status)) return;
            Thread.sleep(200);
        }
        throw new AssertionError("status of " + name + " does not show " + what + " within " + withinMillis + " ms:\n" + status);
    }

    private static String awaitLine(Path file, long withinMillis) throws Exception {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMillis);
        while (System.nanoTime() < until) {
            if (Files.exists(file) && !Files.readString(file).isBlank()) return Files.readAllLines(file).get(0).trim();
            Thread.sleep(100);
        }
        throw new AssertionError("the --on-reconnect hook did not run within " + withinMillis + " ms (no " + file + ")");
    }

    /** The hook's scrub output once it is complete (scrub -B -R prints its counters at the end). */
    private static String awaitScrubOutput(Path file, long withinMillis) throws Exception {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMillis);
        while (System.nanoTime() < until) {
            if (Files.exists(file) && Files.readString(file).contains("last_physical")) return Files.readString(file);
            Thread.sleep(200);
        }
        throw new AssertionError("the hook's scrub did not finish within " + withinMillis + " ms: "
                + (Files.exists(file) ? Files.readString(file) : "no output"));
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (writer != null) writer.stop();
        if (mnt != null && Host.isMountPoint(mnt)) Host.exec("umount", mnt.toString());
        if (client != null) client.detachAll();
        if (serverA != null) serverA.close();
        if (serverB != null) serverB.close();
    }
}
