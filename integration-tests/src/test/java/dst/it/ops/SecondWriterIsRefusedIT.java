package dst.it.ops;

import dst.it.harness.ClientCli;
import dst.it.harness.Host;
import dst.it.harness.Repo;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exclusive attach with real processes: while one client holds an export read-write, a second read-write
 * {@code attach} exits 4 with a message naming the holder; read-only attaches always work; {@code --shared} on both
 * lets two writers in; a holder that detaches ends its claim at once (RELEASE); a holder killed with SIGKILL keeps its
 * claim for the server's --claim-grace (its own reconnect would find it), then the claim lapses and another writer gets
 * in. All of it is the server's default; --no-exclusive-writers lets every writer in.
 */
class SecondWriterIsRefusedIT {
    /** Long enough that the refusal right after the kill is inside it on a loaded machine (a JVM start is a few s). */
    private static final int GRACE_SECONDS = 20;

    @TempDir
    Path tmp;
    private ServerProcess server;
    private ClientCli first;
    private ClientCli second;
    private Process holder;

    @Test
    void secondWriterIsRefusedNamingTheHolderReadersAndSharedWritersAreNot() throws Exception {
        Host.assumeRig("losetup");
        server = ServerProcess.builder("exclusive").export("disk=mem:64M").export("gfs=mem:64M")
                .arg("--claim-grace", Integer.toString(GRACE_SECONDS)).start();
        first = new ClientCli(tmp.resolve("run1"));
        second = new ClientCli(tmp.resolve("run2"));
        String disk = "127.0.0.1:" + server.port() + "/disk";

        first.attach(disk);
        Host.Result refused = second.exec("attach", disk, "--connect-timeout", "30");
        assertEquals(4, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains("export 'disk' is attached exclusive read-write by an anonymous client from 127.0.0.1:"),
                refused.output());
        assertTrue(refused.output().contains("--read-only") && refused.output().contains("--shared"), refused.output());

        Path ro = second.attach(disk, "--read-only");
        assertEquals("1", Host.run("blockdev", "--getro", ro.toString()), "a --read-only attach is not read-only");
        second.run("detach", "disk");
        first.run("detach", "disk");
        // the detach ended first's session (RELEASE): another writer gets in now, not a claim grace later (attach does
        // not retry a refusal: an EBUSY would fail it)
        second.attach(disk);
        second.run("detach", "disk");

        String gfs = "127.0.0.1:" + server.port() + "/gfs";
        first.attach(gfs, "--shared");
        Host.Result exclusive = second.exec("attach", gfs, "--connect-timeout", "30");
        assertEquals(4, exclusive.exitCode(), "an exclusive writer next to a shared one: " + exclusive.output());
        assertTrue(exclusive.output().contains("attached shared read-write"), exclusive.output());
        second.attach(gfs, "--shared");
        second.run("detach", "gfs");
        first.run("detach", "gfs");
    }

    @Test
    void aKilledHoldersClaimLapsesAfterTheGrace() throws Exception {
        Host.assumeRig("losetup");
        server = ServerProcess.builder("exclusive-kill").export("disk=mem:64M")
                .arg("--claim-grace", Integer.toString(GRACE_SECONDS)).start();
        second = new ClientCli(tmp.resolve("run2"));
        String disk = "127.0.0.1:" + server.port() + "/disk";
        // the holder: a writing bench (a read-write session without kernel devices, so SIGKILL leaves nothing behind)
        holder = new ProcessBuilder(Repo.java(), "-Xmx256m", "-jar", Repo.clientJar().toString(), "bench", disk, "--rw", "randwrite",
                "--duration", "600", "--connect-timeout", "30")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("bench.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!server.logText().contains("(exclusive read-write)")) {
            assertTrue(System.nanoTime() < deadline, "the bench never opened its session");
            Thread.sleep(100);
        }
        holder.destroyForcibly().waitFor();
        long killed = System.nanoTime();

        Host.Result refused = second.exec("attach", disk, "--connect-timeout", "30");
        long after = System.nanoTime() - killed;
        if (after < TimeUnit.SECONDS.toNanos(GRACE_SECONDS)) { // else the machine was too slow to see the grace: only the lapse counts
            assertEquals(4, refused.exitCode(), refused.output());
            assertTrue(refused.output().contains("disconnected") && refused.output().contains("claim lapses"), refused.output());
        }
        // after the grace the claim lapses: polled, bounded well above the grace
        deadline = killed + TimeUnit.SECONDS.toNanos(GRACE_SECONDS + 60);
        Host.Result r;
        do {
            Thread.sleep(1000);
            r = second.exec("attach", disk, "--connect-timeout", "30");
        } while (r.exitCode() == 4 && System.nanoTime() < deadline);
        assertEquals(0, r.exitCode(), "the killed holder's claim never lapsed: " + r.output());
        assertTrue(System.nanoTime() - killed >= TimeUnit.SECONDS.toNanos(GRACE_SECONDS), "the claim lapsed before the grace");
        second.run("detach", "disk");
    }

    @Test
    void withNoExclusiveWritersEveryWriterGetsIn() throws Exception {
        Host.assumeRig("losetup");
        server = ServerProcess.builder("exclusive-off").export("disk=mem:64M").arg("--no-exclusive-writers").start();
        first = new ClientCli(tmp.resolve("run1"));
        second = new ClientCli(tmp.resolve("run2"));
        String disk = "127.0.0.1:" + server.port() + "/disk";
        first.attach(disk);
        Path dev = second.attach(disk);
        assertEquals("0", Host.run("blockdev", "--getro", dev.toString()), "the second writer was downgraded");
        second.run("detach", "disk");
        first.run("detach", "disk");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (holder != null) holder.destroyForcibly();
        if (first != null) first.detachAll();
        if (second != null) second.detachAll();
        if (server != null) server.close();
    }
}
