package dst.it.ublk;

import dst.it.harness.Repo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The ublk frontend end to end in a kernel that has ublk: boots the project's test guest (qemu,
 * Debian's 6.12 kernel; see {@code integration-tests/ublk-vm/README.md}), where a real dst-server
 * serves a memory export and {@link UblkGuestMain} attaches it as {@code /dev/ublkb0}; then an
 * O_DIRECT pattern is written and verified, fio measures it, ext4 is made, used, and checked with
 * {@code e2fsck -fn}, and the device is detached and must be gone. About 1-2 minutes.
 */
class UblkInGuestIT {
    private static final Path VM_HOME = Path.of(System.getenv().getOrDefault("DST_VM_HOME", "/var/tmp/dst-ublk-vm"));

    @Test
    void attachWriteVerifyMkfsFsckDetachInAUblkGuest() throws Exception {
        assumeTrue(onPath("qemu-system-x86_64") && Files.isRegularFile(VM_HOME.resolve("vmlinuz")) && Files.isRegularFile(VM_HOME.resolve("initrd.gz")),
                "ublk test guest not set up (needs qemu and a kernel with ublk in " + VM_HOME + "): run integration-tests/ublk-vm/setup.sh");
        Path log = Repo.targetDir("ublk-vm").resolve("ublk-e2e.log");
        Process p = new ProcessBuilder(Repo.root().resolve("integration-tests/ublk-vm/run-e2e.sh").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(12, TimeUnit.MINUTES)) {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        List<String> out = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        out.stream().filter(l -> l.startsWith("RESULT:") || l.startsWith("UBLK:") || l.startsWith("vmrun:")).forEach(System.out::println);
        assertEquals(0, p.exitValue(), "guest test failed, see " + log);
        assertTrue(out.contains("RESULT: pattern ok"), "O_DIRECT pattern not verified, see " + log);
        assertTrue(out.contains("RESULT: ext4 ok"), "ext4 + e2fsck not done, see " + log);
        assertTrue(out.stream().anyMatch(l -> l.startsWith("GUEST: ublk-e2e exit 0; devices left: ") && l.trim().endsWith("left:")),
                "/dev/ublk* left behind after detach, see " + log);
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }
}
