package dst.it.ublk;

import dst.it.harness.Repo;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs {@link UblkDeviceIT} for real in a kernel that has ublk: boots the project's qemu test guest
 * (Debian's 6.12 kernel; see {@code integration-tests/ublk-vm/README.md}) through
 * {@code ublk-vm/run-e2e.sh}, which runs the test class there with {@link GuestJUnit}. 8-10 minutes
 * on 2 idle cores. {@code DST_UBLK_PERF=1} adds the throughput measurements and the C baseline.
 * The same boot runs the other tests that need a kernel module this host lacks:
 * {@link dst.it.nbd.KernelNbdClientCarriesExt4OnDstExportIT} (nbd.ko + nbd-client against dst-server's NBD port),
 * {@link dst.it.nbd.NbdServerKillLoopKernelClientVsDstIT} (nbdkit killed ten times under nbd-client -persist and under
 * dst-client on ublk) and {@code dst.it.mirror.MdRaid1OverTwoUblkDevicesIT} (md raid1 over two dst devices: md-mod and
 * raid1 are modules there), {@link dst.it.ops.OnlineResizeGrowsAMountedExt4IT} (resize2fs on a mounted ext4 needs
 * CAP_SYS_RESOURCE, which only the guest has; FUSE+loop there) and {@link UblkRestartUnderLoadIT} (five
 * {@code dst-client restart}s of a ublk device under verified writers).
 */
class UblkInGuestIT {
    private static final Path VM_HOME = Path.of(System.getenv().getOrDefault("DST_VM_HOME", "/var/tmp/dst-ublk-vm"));

    @Test
    void ublkDeviceTestsPassInAGuestKernelWithUblk() throws Exception {
        assumeTrue(onPath("qemu-system-x86_64") && Files.isRegularFile(VM_HOME.resolve("vmlinuz")) && Files.isRegularFile(VM_HOME.resolve("initrd.gz")),
                "ublk test guest not set up (needs qemu and a kernel with ublk in " + VM_HOME + "): run integration-tests/ublk-vm/setup.sh");
        Path log = Repo.targetDir("ublk-vm").resolve("ublk-in-guest.log");
        boolean perf = "1".equals(System.getenv("DST_UBLK_PERF"));
        ProcessBuilder pb = new ProcessBuilder(Repo.root().resolve("integration-tests/ublk-vm/run-e2e.sh").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("GUEST_CP", guestClasspath());
        pb.environment().put("PERF", perf ? "1" : "0");
        // The NBD kill loops add 3-6 minutes to the 2-4 of the ublk tests, the md raid1 test restarts a server JVM in the
        // guest (1-2 minutes under TCG), the online resize and the ublk restart tests ~25 more (53 minutes on 2 idle cores
        // in all on 2026-12-02). The cap keeps the whole CI run under its 90 minutes; a guest past it is reported as skipped.
        pb.environment().putIfAbsent("VM_TIMEOUT", "3000");
        Process p = pb.start();
        if (!p.waitFor(52, TimeUnit.MINUTES)) {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        List<String> out = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        out.stream().filter(l -> l.startsWith("JUNIT:") || l.startsWith("RESULT:") || l.startsWith("UBLK:")
                || l.startsWith("RECOVER:") || l.startsWith("NBDKILL") || l.startsWith("RESIZE:") || l.startsWith("vmrun:") || l.startsWith("GUEST:")).forEach(System.out::println);
        // The software-emulated guest itself is occasionally flaky (an early oops, a SIGILL in freshly
        // JIT-patched code; vmrun.sh already retried the boot once). That says nothing about dst: report it
        // as an aborted (skipped) test with the reason, never as a pass.
        boolean emulatorTrouble = p.exitValue() == 124 || p.exitValue() == 125
                || out.stream().anyMatch(l -> l.contains("SIGILL") || l.contains("A fatal error has been detected by the Java Runtime"));
        org.junit.jupiter.api.Assumptions.assumeFalse(emulatorTrouble,
                "the emulated ublk guest failed on its own (exit " + p.exitValue() + ": boot failure, timeout or JVM crash), see " + log);
        assertEquals(0, p.exitValue(), "ublk tests failed in the guest, see " + log);
        assertTrue(out.stream().anyMatch(l -> l.startsWith("JUNIT: PASSED")), "the JUnit run in the guest did not pass, see " + log);
        assertTrue(out.stream().anyMatch(l -> l.startsWith("GUEST: ublk-e2e exit 0; devices left: ") && l.trim().endsWith("left:")),
                "/dev/ublk* left behind, see " + log);
        assertTrue(out.stream().anyMatch(l -> l.trim().equals("GUEST: nbd devices still connected:")),
                "an nbd device was left connected, see " + log);
        if (System.getenv("GUEST_TESTS") == null) { // the default set includes the online resize test: the host can't run it online
            assertTrue(out.stream().anyMatch(l -> l.startsWith("RESIZE: ext4 grew online")), "ext4 was not grown online in the guest, see " + log);
        }
    }

    /** This module's test classes, the shaded client, and the JUnit jars, all readable in the guest (host / is shared). */
    private static String guestClasspath() throws Exception {
        Set<String> cp = new LinkedHashSet<>();
        cp.add(Repo.root().resolve("integration-tests/target/test-classes").toString());
        cp.add(Repo.clientJar().toString());
        for (String anchor : List.of("org.junit.jupiter.api.Test", "org.junit.jupiter.engine.JupiterTestEngine",
                "org.junit.platform.launcher.core.LauncherFactory", "org.junit.platform.engine.TestEngine",
                "org.junit.platform.commons.util.ReflectionUtils", "org.opentest4j.AssertionFailedError", "org.apiguardian.api.API")) {
            cp.add(Path.of(Class.forName(anchor).getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        return String.join(":", cp);
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }
}
