package dst.it.ublk;

import dst.client.core.ClientConfig;
import dst.client.frontend.ublk.UblkFrontend;
import dst.client.frontend.ublk.UblkOptions;
import dst.client.net.RemoteDisk;
import dst.it.harness.Repo;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The ublk frontend against a real dst-server process and the kernel's ublk driver. Needs root and
 * {@code /dev/ublk-control}; on a host without ublk it is skipped, and {@link UblkInGuestIT} runs it
 * for real inside the qemu guest. The device checks are shell scripts under
 * {@code integration-tests/ublk-vm/guest/} so that they can also be run by hand.
 */
class UblkDeviceIT {
    private static final Path GUEST = Repo.root().resolve("integration-tests/ublk-vm/guest");
    private static ServerProcess server;

    /** Per test, so that each is reported as skipped, with the reason, where ublk is missing. */
    @BeforeEach
    void ublkKernelAndServer() {
        assumeTrue(UblkFrontend.available(), "no ublk in this kernel (/dev/ublk-control missing): "
                + "UblkInGuestIT runs these tests in a qemu guest with a ublk kernel");
        assumeTrue("root".equals(System.getProperty("user.name")), "ublk devices need root");
        // The emulated guest runs Java several times slower: give handshakes time before the idle timeout.
        if (server == null) server = ServerProcess.builder("ublk").export("disk=mem:256M").arg("--idle-timeout", "120").start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
    }

    /** Patient timeouts: in the emulated guest the first handshake and requests are slow (cold JIT). */
    private static ClientConfig config() {
        return ClientConfig.builder("127.0.0.1", server.port(), "disk").ioTimeout(Duration.ofSeconds(120))
                .connectTimeout(Duration.ofSeconds(60)).build();
    }

    @Test
    void directIoPatternAndExt4WorkOnUblkbAndDetachRemovesTheDevice() throws Exception {
        Path dev;
        int devId;
        try (RemoteDisk disk = RemoteDisk.connect(config())) {
            UblkFrontend ublk = new UblkFrontend(UblkOptions.DEFAULT);
            dev = ublk.start(disk);
            devId = ublk.devId();
            try {
                assertEquals(Path.of("/dev/ublkb" + devId), dev);
                assertTrue(Files.exists(dev), dev + " does not exist after start");
                assertEquals(0, sh(GUEST.resolve("checks.sh"), "DEV", dev.toString()), "checks.sh failed on " + dev);
                writeAtTheEndIsEnospc(disk, dev);
            } finally {
                ublk.stop();
            }
            assertEquals(0, disk.stats().errors.sum(), "requests failed: " + disk.stats().summary());
        }
        assertFalse(Files.exists(dev), dev + " still exists after detach");
        assertFalse(Files.exists(Path.of("/dev/ublkc" + devId)), "/dev/ublkc" + devId + " still exists after detach");
    }

    /**
     * The ublk half of SameBadRequestGetsTheSameErrnoOnEveryPathIT: a write at the end of the device is ENOSPC
     * through /dev/ublkbN (the kernel bounds block devices and agrees with the rule) and through the library.
     */
    private static void writeAtTheEndIsEnospc(RemoteDisk disk, Path dev) throws Exception {
        long size = disk.info().size();
        Process dd = new ProcessBuilder("dd", "if=/dev/zero", "of=" + dev, "bs=4096", "count=1", "seek=" + size / 4096, "conv=notrunc")
                .redirectErrorStream(true).start();
        String out = new String(dd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(dd.waitFor(2, TimeUnit.MINUTES) && dd.exitValue() != 0 && out.contains("No space left on device"),
                "dd at the end of " + dev + ": expected ENOSPC, got: " + out);
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> disk.write(size, io.netty.buffer.Unpooled.wrappedBuffer(new byte[4096]), false).get());
        assertEquals(dst.protocol.Errno.ENOSPC, dst.protocol.DstException.errnoOf(e), "the library: " + e);
    }

    @Test
    void killedClientIsRecoveredAndNoAcknowledgedWriteIsLost() throws Exception {   // see guest/recover.sh
        String cp = Repo.clientJar() + ":" + Repo.root().resolve("integration-tests/target/test-classes");
        // Both client processes use the legacy command numbers: the fallback for kernels before 6.5 is covered too.
        assertEquals(0, sh(GUEST.resolve("recover.sh"), "CP", cp, "JAVA_OPTS", "-XX:+UseSerialGC -Ddst.ublk.legacyCommands=true",
                "TARGET", "127.0.0.1:" + server.port() + "/disk"), "recover.sh failed");
    }

    @Test
    void cliAttachWithFrontendUblkPrintsUblkbAndDetachRemovesIt() throws Exception {
        Path runDir = Files.createTempDirectory("dst-ublk-run");
        String target = "127.0.0.1:" + server.port() + "/disk";
        String out = cli(runDir, "attach", target, "--frontend", "ublk", "--name", "u", "--connect-timeout", "60", "--ready-timeout", "300");
        Path dev = Path.of(lastLine(out));
        assertTrue(dev.toString().matches("/dev/ublkb\\d+"), "attach --frontend ublk printed '" + out + "'");
        try {
            assertTrue(Files.exists(dev), dev + " missing after attach");
            ProcessHandle daemon = daemonOf(runDir, "u");
            assertEquals(0, sh(GUEST.resolve("pattern.sh"), daemon, "DEV", dev.toString()), "pattern.sh failed on " + dev);
        } catch (Throwable t) {
            printDaemonLogs(runDir);
            throw t;
        } finally {
            cli(runDir, "detach", "u");
        }
        assertFalse(Files.exists(dev), dev + " still exists after dst-client detach");
    }

    @Test
    void cliAttachRecoverAdoptsTheDeviceOfAKilledClient() throws Exception {
        Path runDir = Files.createTempDirectory("dst-ublk-run");
        String target = "127.0.0.1:" + server.port() + "/disk";
        String out = cli(runDir, "attach", target, "--frontend", "ublk", "--name", "r", "--connect-timeout", "60", "--ready-timeout", "300");
        Path dev = Path.of(lastLine(out));
        int devId = Integer.parseInt(dev.toString().replace("/dev/ublkb", ""));
        kill9(daemonOf(runDir, "r"));
        assertTrue(Files.exists(dev), dev + " vanished with its server: it must wait for recovery");
        String again = cli(runDir, "attach", target, "--recover", String.valueOf(devId), "--name", "r", "--connect-timeout", "60", "--ready-timeout", "300");
        try {
            assertEquals(dev.toString(), lastLine(again), "attach --recover printed another device");
            assertEquals(0, sh(GUEST.resolve("pattern.sh"), daemonOf(runDir, "r"), "DEV", dev.toString()), "pattern.sh failed on the recovered " + dev);

            // What a supervisor does (dst-client@.service restarts `attach --name r`): no device id given, the
            // leftover device of that name is adopted all the same.
            kill9(daemonOf(runDir, "r"));
            String restarted = cli(runDir, "attach", target, "--name", "r", "--connect-timeout", "60", "--ready-timeout", "300");
            assertEquals(dev.toString(), lastLine(restarted), "a restarted attach --name r made another device");
            assertTrue(restarted.contains("was left by a dead dst-client (pid ") && restarted.contains("taking it over"), "attach did not say it recovers the leftover device:\n" + restarted);
            assertEquals(0, sh(GUEST.resolve("pattern.sh"), daemonOf(runDir, "r"), "DEV", dev.toString()), "pattern.sh failed on the re-adopted " + dev);
        } catch (Throwable t) {
            printDaemonLogs(runDir);
            throw t;
        } finally {
            cli(runDir, "detach", "r");
        }
        assertFalse(Files.exists(dev), dev + " still exists after dst-client detach");
    }

    /** {@code java -jar dst-client.jar ARGS} with its own run directory; must exit 0; returns its output. */
    private static String cli(Path runDir, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(Repo.java(), "-XX:+UseSerialGC", "-jar", Repo.clientJar().toString()));
        cmd.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DST_RUN_DIR", runDir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "dst-client " + String.join(" ", args) + " hung");
        System.out.println("dst-client " + String.join(" ", args) + " -> " + p.exitValue() + "\n" + out);
        assertEquals(0, p.exitValue(), "dst-client " + String.join(" ", args) + ":\n" + out);
        return out;
    }

    private static int sh(Path script, String... env) throws Exception {
        return sh(script, null, env);
    }

    /**
     * Runs {@code script}; fails at once when {@code daemon} (the process serving the device, may be null) exits
     * meanwhile: I/O on a ublk device whose server is gone waits for a recovery that will not come.
     */
    private static int sh(Path script, ProcessHandle daemon, String... env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", script.toString()).inheritIO();
        for (int i = 0; i < env.length; i += 2) pb.environment().put(env[i], env[i + 1]);
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!p.waitFor(1, TimeUnit.SECONDS)) {
            if (daemon != null && !daemon.isAlive()) {
                p.destroyForcibly();
                throw new AssertionError("the dst-client process serving the device (pid " + daemon.pid() + ") exited while " + script + " ran");
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError(script + " did not finish within 10 minutes");
            }
        }
        return p.exitValue();
    }

    /** What attach printed last: the device. */
    private static String lastLine(String output) {
        return output.lines().reduce((a, b) -> b).orElse("").trim();
    }

    /** SIGKILLs a device's dst-client and waits until it is gone (its ublk device stays, waiting for recovery). */
    private static void kill9(ProcessHandle daemon) throws Exception {
        daemon.destroyForcibly();
        daemon.onExit().get(60, TimeUnit.SECONDS);
    }

    private static ProcessHandle daemonOf(Path runDir, String name) throws Exception {
        String status = cli(runDir, "status", name);
        long pid = Long.parseLong(status.lines().filter(l -> l.startsWith("pid:")).findFirst().orElseThrow().replaceAll("\\D*(\\d+).*", "$1"));
        return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("dst-client process " + pid + " of " + name + " is gone"));
    }

    /** The guest's files vanish with it: a failing test prints the device daemons' logs into the guest's console log. */
    private static void printDaemonLogs(Path runDir) {
        try (var files = Files.walk(runDir)) {
            for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                System.out.println("---- " + log + " (last 60 lines)");
                java.util.List<String> lines = Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1);
                lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.out::println);
            }
        } catch (Exception e) {
            System.out.println("could not print the daemon logs under " + runDir + ": " + e);
        }
        try { // an OOM kill or a crash of the daemon leaves its trace in the kernel log only
            Process p = new ProcessBuilder("dmesg").redirectErrorStream(true).start();
            java.util.List<String> lines = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1).lines().toList();
            System.out.println("---- dmesg (last 30 lines)");
            lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(System.out::println);
        } catch (Exception e) {
            System.out.println("could not run dmesg: " + e);
        }
    }
}
