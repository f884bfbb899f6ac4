package dst.it.ublk;

import dst.client.core.ClientConfig;
import dst.client.frontend.ublk.UblkFrontend;
import dst.client.frontend.ublk.UblkOptions;
import dst.client.net.RemoteDisk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Runs inside the ublk test guest (see {@code integration-tests/ublk-vm}): attaches a dst export as
 * {@code /dev/ublkbN} with the real client library and ublk frontend, runs a command against it
 * (its environment has {@code DEV=/dev/ublkbN}), then detaches and checks the device is gone.
 * Exits with the command's exit code, or 90+ when the frontend itself failed.
 *
 * <p>usage: {@code UblkGuestMain HOST:PORT/EXPORT COMMAND...}
 */
public final class UblkGuestMain {
    private UblkGuestMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: UblkGuestMain HOST:PORT/EXPORT COMMAND...");
            System.exit(2);
        }
        int rc;
        long t0 = System.nanoTime();
        try (RemoteDisk disk = RemoteDisk.connect(ClientConfig.parse(args[0]))) {
            UblkFrontend ublk = new UblkFrontend(UblkOptions.DEFAULT);
            Path dev = ublk.start(disk);
            System.out.printf("UBLK: attached %s as %s in %d ms%n", args[0], dev, (System.nanoTime() - t0) / 1_000_000);
            try {
                ProcessBuilder pb = new ProcessBuilder(Arrays.copyOfRange(args, 1, args.length)).inheritIO();
                pb.environment().put("DEV", dev.toString());
                rc = pb.start().waitFor();
                System.out.println("UBLK: command exit " + rc);
            } finally {
                long t1 = System.nanoTime();
                ublk.stop();
                System.out.printf("UBLK: detached in %d ms; stats: %s%n", (System.nanoTime() - t1) / 1_000_000, disk.stats().summary());
            }
            if (Files.exists(dev)) {
                System.out.println("UBLK: FAIL " + dev + " still exists after detach");
                rc = 91;
            }
        }
        System.exit(rc);
    }
}
