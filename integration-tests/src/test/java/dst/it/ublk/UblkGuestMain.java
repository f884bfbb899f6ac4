package dst.it.ublk;

import dst.client.core.ClientConfig;
import dst.client.frontend.ublk.UblkFrontend;
import dst.client.frontend.ublk.UblkOptions;
import dst.client.net.RemoteDisk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * Runs inside the ublk test guest (see {@code integration-tests/ublk-vm}): attaches a dst export as
 * {@code /dev/ublkbN} with the real client library and ublk frontend; with a command, runs it
 * (environment {@code DEV=/dev/ublkbN}), then detaches and checks the device is gone; without one,
 * serves until SIGTERM (and SIGKILL leaves the device waiting for recovery).
 * Exits with the command's exit code, or 91 when the device outlived the detach.
 *
 * It prints the id of its session ({@code UBLK: session N}): a process that adopts the device after a crash resumes it
 * ({@code --resume N}), as {@code dst-client attach --name} does, since the dead one still holds the export's exclusive
 * claim until the server's claim grace runs out.
 *
 * <p>usage: {@code UblkGuestMain [--recover DEVID [--resume SESSION]] HOST:PORT/EXPORT [COMMAND...]}
 */
public final class UblkGuestMain {
    private UblkGuestMain() {
    }

    public static void main(String[] args) throws Exception {
        int recover = -1;
        long resume = 0;
        while (args.length >= 2 && (args[0].equals("--recover") || args[0].equals("--resume"))) {
            if (args[0].equals("--recover")) recover = Integer.parseInt(args[1]);
            else resume = Long.parseLong(args[1]);
            args = Arrays.copyOfRange(args, 2, args.length);
        }
        if (args.length < 1) {
            System.err.println("usage: UblkGuestMain [--recover DEVID [--resume SESSION]] HOST:PORT/EXPORT [COMMAND...]");
            System.exit(2);
        }
        // Everything in the guest is emulated and cold (JIT): allow a slow first handshake and slow requests.
        // -Ddst.crc=false: measure without crc32c (perf experiments).
        ClientConfig c = ClientConfig.parse(args[0]).toBuilder().crc(Boolean.parseBoolean(System.getProperty("dst.crc", "true")))
                .ioTimeout(Duration.ofSeconds(120)).connectTimeout(Duration.ofSeconds(60)).resumeSession(resume).build();
        long t0 = System.nanoTime();
        RemoteDisk disk = RemoteDisk.connect(c);
        System.out.println("UBLK: session " + disk.stats().session());
        UblkFrontend ublk = recover >= 0 ? UblkFrontend.recovering(recover) : new UblkFrontend(UblkOptions.DEFAULT);
        Path dev = ublk.start(disk);
        System.out.printf("UBLK: %s %s as %s in %d ms%n", recover >= 0 ? "recovered" : "attached", args[0], dev,
                (System.nanoTime() - t0) / 1_000_000);
        int rc = 0;
        if (args.length == 1) {
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                detach(ublk, disk);
                stopped.countDown();
            }));
            stopped.await();
            return;
        }
        try {
            ProcessBuilder pb = new ProcessBuilder(Arrays.copyOfRange(args, 1, args.length)).inheritIO();
            pb.environment().put("DEV", dev.toString());
            rc = pb.start().waitFor();
            System.out.println("UBLK: command exit " + rc);
        } finally {
            detach(ublk, disk);
        }
        if (Files.exists(dev)) {
            System.out.println("UBLK: FAIL " + dev + " still exists after detach");
            rc = 91;
        }
        System.exit(rc);
    }

    private static void detach(UblkFrontend ublk, RemoteDisk disk) {
        long t1 = System.nanoTime();
        try {
            ublk.stop();
        } catch (Exception e) {
            System.out.println("UBLK: detach failed: " + e);
        }
        System.out.printf("UBLK: detached in %d ms; stats: %s%n", (System.nanoTime() - t1) / 1_000_000, disk.stats().summary());
        disk.close();
    }
}
