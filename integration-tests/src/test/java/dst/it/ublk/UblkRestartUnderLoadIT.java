package dst.it.ublk;

import dst.client.frontend.ublk.UblkFrontend;
import dst.it.harness.Host;
import dst.it.harness.ReplacedDaemonRig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code dst-client restart} on a ublk device under load: ext4 on {@code /dev/ublkbN}, a verified {@code dd oflag=direct
 * conv=fsync} writer and fio verify at queue depth 16 at the same time, and the serving process replaced five times.
 * The old process flushes and exits with the device live (USER_RECOVERY keeps it, its I/O waiting; what it had not
 * answered is reissued: USER_RECOVERY_REISSUE); the new one adopts it (START/END_USER_RECOVERY). Neither writer sees
 * an error, all data verifies, the device is the same throughout, e2fsck on the server's file is clean. Runs in the
 * qemu guest ({@link UblkInGuestIT}); skipped on a kernel without ublk.
 */
class UblkRestartUnderLoadIT extends ReplacedDaemonRig {
    private static final int RESTARTS = 5;
    private static final int PROGRESS = 2;

    UblkRestartUnderLoadIT() {
        super("ublk", "/dev/ublkb");
    }

    @Override
    protected List<String> devicesInUse() throws Exception {
        try (Stream<Path> dev = Files.list(Path.of("/dev"))) {
            return dev.map(Path::toString).filter(p -> p.startsWith("/dev/ublkb")).sorted().toList();
        }
    }

    @Test
    void fiveRestartsUnderDirectFsyncWritesAndFioVerify() throws Exception {
        assumeTrue(UblkFrontend.available(), "no ublk in this kernel (/dev/ublk-control missing): UblkInGuestIT runs this test in a qemu guest");
        Host.assumeRig("fio");
        setUp("ublk-restart", "1G");
        DdWriter writer = new DdWriter();
        Fio fio = new Fio("32M");
        for (int i = 0; i < RESTARTS; i++) {
            writer.awaitProgress(PROGRESS);
            fio.awaitRunning();
            restart();
        }
        writer.awaitProgress(PROGRESS);
        writer.stopAndVerify();
        fio.stopAndCheck(1);
        finish("dst-client restart under dd + fio QD16", RESTARTS);
    }
}
