package dst.it.fuse;

import dst.it.harness.Host;
import dst.it.harness.ReplacedDaemonRig;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * FUSE handover under load: ext4 on {@code /dev/loopN} of a FUSE device, a writer busy on it, and the process
 * serving the device is replaced again and again — SIGKILLed and attached again by name (what systemd's Restart=
 * does), or swapped on purpose with {@code dst-client restart}. The writer never sees an error, every byte it wrote
 * reads back, the loop device is the same one throughout, and the server's image checks clean.
 */
class KilledFuseDaemonIsReplacedAndNoWriteIsLostIT extends ReplacedDaemonRig {
    private static final int KILLS = 10;
    private static final int RESTARTS = 5;
    /** New chunks the writer must have finished between two replacements: proves I/O flows through each daemon. */
    private static final int PROGRESS = 3;

    KilledFuseDaemonIsReplacedAndNoWriteIsLostIT() {
        super("fuse", "/dev/loop");
    }

    @Override
    protected List<String> devicesInUse() throws Exception {
        return Host.loopDevicesUnder(client.runDir());
    }

    @Test
    void tenSigkillsUnderVerifiedDirectFsyncWrites() throws Exception {
        setUpFuse("handover-dd");
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
        setUpFuse("handover-fio");
        Fio fio = new Fio("96M");
        for (int i = 0; i < KILLS; i++) {
            fio.awaitRunning();
            Thread.sleep(1000); // well into the run: requests are in flight at the kill
            killAndAttachAgain();
        }
        fio.stopAndCheck(2);
        finish("SIGKILL + attach --name, fio QD16", KILLS);
    }

    @Test
    void fivePlannedRestartsUnderVerifiedDirectFsyncWrites() throws Exception {
        setUpFuse("handover-restart");
        DdWriter writer = new DdWriter();
        for (int i = 0; i < RESTARTS; i++) {
            writer.awaitProgress(PROGRESS);
            restart();
        }
        writer.awaitProgress(PROGRESS);
        writer.stopAndVerify();
        finish("dst-client restart", RESTARTS);
    }

    private void setUpFuse(String name) throws Exception {
        assumeResend();
        setUp(name, "2G");
    }

    /** FUSE_NOTIFY_RESEND: Linux 6.9+. The attach says in status whether this kernel has it. */
    private static void assumeResend() {
        String[] v = System.getProperty("os.version").split("[.-]");
        int major = Integer.parseInt(v[0]);
        int minor = Integer.parseInt(v[1]);
        org.junit.jupiter.api.Assumptions.assumeTrue(major > 6 || (major == 6 && minor >= 9), "FUSE handover needs Linux 6.9+");
    }
}
