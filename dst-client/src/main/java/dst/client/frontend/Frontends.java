package dst.client.frontend;

import dst.client.frontend.fuse.FuseFrontend;
import dst.client.frontend.ublk.UblkFrontend;
import dst.client.frontend.ublk.UblkOptions;

import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Picks the frontend {@code --frontend} names; {@code auto} is the best one this kernel supports. Also decides
 * what a dead attach left behind that a new one adopts: a ublk device (the kernel keeps it, its I/O waiting, for
 * a new server), or a FUSE mount and its loop device whose connection a holder process keeps (on kernels with
 * FUSE_NOTIFY_RESEND); without a holder they die with the process.
 */
public final class Frontends {
    private Frontends() {
    }

    /** Fails with a message for the user unless {@code kind} names a frontend this machine can run (see {@link #create}). */
    public static void check(String kind, OptionalInt adopt) {
        create(kind, Path.of("/nonexistent"), true, Path.of("/nonexistent"), adopt); // constructors only remember their arguments
    }

    /**
     * @param kind       {@code auto}, {@code fuse} or {@code ublk}
     * @param mountPoint where a FUSE frontend mounts its file
     * @param loop       whether a FUSE frontend attaches a loop device
     * @param log        the device's log file
     * @param adopt      a ublk device id to adopt instead of creating a device (see {@link #leftover}); then
     *                   {@code kind} is ublk whatever it says
     */
    public static Frontend create(String kind, Path mountPoint, boolean loop, Path log, OptionalInt adopt) {
        if (adopt.isPresent()) {
            requireUblk();
            return UblkFrontend.recovering(adopt.getAsInt());
        }
        return switch (kind) {
            case "auto" -> UblkFrontend.available() ? new UblkFrontend(UblkOptions.DEFAULT) : new FuseFrontend(mountPoint, loop, log);
            case "fuse" -> new FuseFrontend(mountPoint, loop, log);
            case "ublk" -> {
                requireUblk();
                yield new UblkFrontend(UblkOptions.DEFAULT);
            }
            default -> throw new IllegalArgumentException("unknown frontend '" + kind + "' (expected auto, fuse or ublk)");
        };
    }

    /**
     * The kernel device, as a device id for {@link #create}'s {@code adopt}, that a dead attach left waiting for a
     * new server; empty when there is none to adopt.
     *
     * @param frontend the dead attach's frontend ({@link Frontend#name()}, as its record says)
     * @param device   its device path, e.g. {@code /dev/ublkb3}
     */
    public static OptionalInt leftover(String frontend, String device) {
        return "ublk".equals(frontend) ? UblkFrontend.leftover(device) : OptionalInt.empty();
    }

    /**
     * True when the device whose (dead daemon's) record says {@code record} still exists and waits for a daemon to
     * serve it: a ublk device left for recovery, or a FUSE device whose holder runs.
     */
    public static boolean waiting(Function<String, String> record) {
        return switch (record.apply("frontend")) {
            case "ublk" -> leftover("ublk", record.apply("device")).isPresent();
            case "fuse" -> FuseFrontend.holder(record).isPresent();
            default -> false;
        };
    }

    private static void requireUblk() {
        if (!UblkFrontend.available()) throw new IllegalArgumentException("this kernel has no ublk (/dev/ublk-control); use --frontend fuse");
    }
}
