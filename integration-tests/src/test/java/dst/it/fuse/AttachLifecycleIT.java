package dst.it.fuse;

import dst.it.harness.ClientCli;
import dst.it.harness.Host;

import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * attach / list / status / detach as a user meets them, around the one promise that matters: the process
 * serving a device never goes away while the device is in use — not on {@code detach}, not on SIGTERM, not
 * when the server dies and comes back — and after a real detach nothing is left: no mount, no loop device,
 * no process, no record.
 */
class AttachLifecycleIT {
    @TempDir
    Path tmp;
    private ClientCli client;
    private ServerProcess server;
    private Path mnt;

    @Test
    void deviceInUseOutlivesDetachSigtermAndServerRestartThenForceDetachLeavesNothing() throws Exception {
        Host.assumeRig("mkfs.ext4", "e2fsck");
        Path image = tmp.resolve("disk.img");
        server = ServerProcess.start("fuse-lifecycle", "disk=" + image + ",size=256M");
        client = new ClientCli(tmp.resolve("run"));
        mnt = Files.createDirectories(tmp.resolve("mnt"));

        Path device = client.attach("dst://127.0.0.1:" + server.port() + "/disk", "--name", "vol");
        String list = client.run("list");
        String row = list.lines().filter(l -> l.startsWith("vol ")).findFirst().orElseThrow(() -> new AssertionError("vol not listed:\n" + list));
        for (String expected : new String[]{device.toString(), "127.0.0.1:" + server.port(), "disk", "256 MiB", "connected", "reads", "writes"}) {
            assertTrue(row.contains(expected), "list row lacks '" + expected + "': " + row);
        }
        String status = client.run("status", device.toString());
        long pid = Long.parseLong(field(status, "pid").split(" ")[0]);
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "no serving process " + pid);

        Host.run("mkfs.ext4", "-q", device.toString());
        Host.run("mount", device.toString(), mnt.toString());
        Host.run("dd", "if=/dev/urandom", "of=" + mnt.resolve("a"), "bs=1M", "count=8", "conv=fsync", "status=none");

        // detach refuses while mounted, and says why.
        Host.Result refused = client.exec("detach", "vol");
        assertEquals(1, refused.exitCode(), "detach of a mounted device: " + refused.output());
        assertTrue(refused.output().contains("mounted on " + mnt), "detach should name the mount: " + refused.output());
        assertTrue(refused.output().contains("--force"), "detach should say how to force: " + refused.output());

        // SIGTERM while mounted: logged, refused, still serving.
        ProcessHandle.of(pid).orElseThrow().destroy();
        Thread.sleep(1500);
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the serving process exited on SIGTERM while mounted");
        assertTrue(Files.readString(client.runDir().resolve("vol.log")).contains("refused"), "no refusal in the log");
        Host.run("dd", "if=/dev/urandom", "of=" + mnt.resolve("b"), "bs=1M", "count=4", "conv=fsync", "status=none");

        // The server dies and comes back on the same port: the mounted filesystem keeps working.
        server.kill9();
        awaitListState("vol", "reconnecting", Duration.ofSeconds(10));
        server.restart();
        awaitListState("vol", "connected", Duration.ofSeconds(20));
        Host.run("dd", "if=/dev/urandom", "of=" + mnt.resolve("c"), "bs=1M", "count=4", "conv=fsync", "status=none");
        String counters = field(client.run("status", "vol"), "counters");
        assertTrue(counters.matches(".*reconnects=[1-9].*"), "reconnect not counted: " + counters);

        // --force unmounts, then the device goes away completely.
        String out = client.run("detach", "--force", device.toString());
        assertTrue(out.contains("detached vol"), out);
        assertFalse(Host.isMountPoint(mnt), "still mounted after detach --force");
        assertTrue(Host.loopDevicesUnder(client.runDir()).isEmpty(), "loop device left: " + Host.run("losetup", "-a"));
        assertFalse(Host.isMountPoint(client.runDir().resolve("vol").resolve("fuse")), "FUSE mount left");
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "serving process left");
        assertFalse(Files.exists(client.runDir().resolve("vol")), "record left");
        assertEquals(1, client.run("list").lines().count(), "list not empty after detach");
        Host.run("e2fsck", "-fn", image.toString());
    }

    @Test
    void attachToAServerThatIsNotThereFailsAndLeavesNothing() throws Exception {
        Host.assumeRig();
        client = new ClientCli(tmp.resolve("run"));
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Host.Result r = client.exec("attach", "127.0.0.1:" + port + "/nothing", "--connect-timeout", "2");
        assertEquals(3, r.exitCode(), "exit code for an unreachable server: " + r.output());
        assertTrue(r.output().contains("attach failed"), r.output());
        assertEquals(1, client.run("list").lines().count(), "list not empty after a failed attach");
        assertFalse(Files.exists(client.runDir().resolve("nothing")), "record left after a failed attach");
    }

    @Test
    void sigtermDetachesAnUnusedDeviceAndAKilledOneIsCleanedUpByDetach() throws Exception {
        Host.assumeRig();
        server = ServerProcess.start("fuse-sigterm", "m=mem:16M");
        client = new ClientCli(tmp.resolve("run"));
        // two devices of one export: shared writers (exclusive attach would refuse the second); the takeover below says
        // --shared too, so it resumes the dead process's (shared) session
        Path first = client.attach("127.0.0.1:" + server.port() + "/m", "--shared");
        Path second = client.attach("127.0.0.1:" + server.port() + "/m", "--shared");
        assertFalse(first.equals(second), "two attaches, one device: " + first);
        String list = client.run("list");
        assertTrue(list.contains("m ") && list.contains("m-2 "), "names should be m and m-2:\n" + list);

        long pid = Long.parseLong(field(client.run("status", "m-2"), "pid").split(" ")[0]);
        ProcessHandle.of(pid).orElseThrow().destroy(); // SIGTERM, unused: detaches and exits
        assertTrue(ProcessHandle.of(pid).orElseThrow().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS) != null);
        assertFalse(Host.run("losetup", "-a").contains(second + ":"), "SIGTERM left " + second);
        assertFalse(client.run("list").contains("m-2 "), "m-2 still listed after SIGTERM");

        Host.Result unknown = client.exec("detach", "no-such-device");
        assertEquals(2, unknown.exitCode(), unknown.output());
        assertTrue(unknown.output().contains("no attached device"), unknown.output());

        // The serving process is killed (-9): its holder keeps the device, list says waiting, a read waits (it neither
        // fails nor returns) until attach --name takes the device over; killed again, detach gives the device up.
        long firstPid = Long.parseLong(field(client.run("status", "m"), "pid").split(" ")[0]);
        ProcessHandle.of(firstPid).orElseThrow().destroyForcibly();
        ProcessHandle.of(firstPid).orElseThrow().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(client.run("list").lines().anyMatch(l -> l.startsWith("m ") && l.contains(" waiting ")), client.run("list"));
        Process read = new ProcessBuilder("dd", "if=" + first, "of=/dev/null", "bs=4k", "count=1", "iflag=direct", "skip=7").start();
        assertFalse(read.waitFor(2, java.util.concurrent.TimeUnit.SECONDS), () -> "a read of a waiting device should wait, it ended: " + read.exitValue());
        assertEquals(first, client.attach("127.0.0.1:" + server.port() + "/m", "--name", "m", "--shared"), "attach --name took over another device");
        assertTrue(read.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the waiting read did not finish after the takeover");
        assertEquals(0, read.exitValue(), "the waiting read failed");
        assertTrue(field(client.run("status", "m"), "restarts").startsWith("1"), client.run("status", "m"));
        long secondPid = Long.parseLong(field(client.run("status", "m"), "pid").split(" ")[0]);
        ProcessHandle.of(secondPid).orElseThrow().destroyForcibly();
        ProcessHandle.of(secondPid).orElseThrow().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(client.run("detach", "m").contains("already exited"));
        assertEquals(1, Host.exec("pgrep", "-f", "HolderMain .*" + client.runDir()).exitCode(), "a FUSE holder is left");
        assertTrue(Host.loopDevicesUnder(client.runDir()).isEmpty(), "loop device left: " + Host.run("losetup", "-a"));
        assertFalse(Host.isMountPoint(client.runDir().resolve("m").resolve("fuse")), "FUSE mount left");
        assertEquals(1, client.run("list").lines().count(), "list not empty after detach");
    }

    @Test
    void foregroundAttachPrintsTheDeviceAndCtrlCDetaches() throws Exception {
        Host.assumeRig();
        server = ServerProcess.start("fuse-foreground", "f=mem:16M");
        client = new ClientCli(tmp.resolve("run"));
        ProcessBuilder pb = new ProcessBuilder(dst.it.harness.Repo.java(), "-Xmx256m", "-jar", dst.it.harness.Repo.clientJar().toString(),
                "attach", "--foreground", "--connect-timeout", "30", "127.0.0.1:" + server.port() + "/f")
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("DST_RUN_DIR", client.runDir().toString());
        Process p = pb.start();
        try {
            String device = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
            assertTrue(device != null && device.startsWith("/dev/loop"), "foreground attach printed " + device);
            assertTrue(client.run("list").contains(device), "not listed: " + device);
            Host.run("kill", "-INT", Long.toString(p.pid())); // what Ctrl-C sends
            assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "foreground attach did not end on SIGINT");
            assertEquals(0, p.exitValue());
            assertFalse(Host.run("losetup", "-a").contains(device + ":"), "SIGINT left " + device);
            assertEquals(1, client.run("list").lines().count(), "list not empty after SIGINT");
        } finally {
            p.destroyForcibly();
        }
    }

    private void awaitListState(String name, String state, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = client.run("list");
            if (last.lines().anyMatch(l -> l.startsWith(name + " ") && l.contains(" " + state + " "))) return;
            Thread.sleep(500);
        }
        throw new AssertionError(name + " not " + state + " within " + timeout + ":\n" + last);
    }

    private static String field(String status, String key) {
        return status.lines().filter(l -> l.startsWith(key + ":")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + key + " in:\n" + status)).substring(key.length() + 1).trim();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (mnt != null && Host.isMountPoint(mnt)) Host.exec("umount", mnt.toString());
        if (client != null) client.detachAll();
        if (server != null) server.close();
    }
}
