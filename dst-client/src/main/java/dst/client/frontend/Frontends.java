package dst.client.frontend;

import dst.client.frontend.fuse.FuseFrontend;
import dst.client.frontend.ublk.UblkFrontend;
import dst.client.frontend.ublk.UblkOptions;

import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * Picks the frontend {@code --frontend} names; {@code auto} is the best one this kernel supports. Also decides
 * what a dead attach left behind that a new one adopts: only a ublk device outlives its serving process (the
 * kernel keeps it, its I/O waiting, for a new server); a FUSE mount and its loop device die with the process.
 */
public final class Frontends {
    private Frontends() {
    }

    /** Fails with a message for the user unless {@code kind} names a frontend this machine can run (see {@link #create}). */
    public static void check(String kind, OptionalInt adopt) {
        create(kind, Path.of("/nonexistent"), true, adopt); // constructors only remember their arguments
    }

    /**
     * @param kind       {@code auto}, {@code fuse} or {@code ublk}
     * @param mountPoint where a FUSE frontend mounts its file
     * @param loop       whether a FUSE frontend attaches a loop device
     * @param adopt      a ublk device id to adopt instead of creating a device (see {@link #leftover}); then
     *                   {@code kind} is ublk whatever it says
     */
    public static Frontend create(String kind, Path mountPoint, boolean loop, OptionalInt adopt) {
        if (adopt.isPresent()) {
            requireUblk();
            return UblkFrontend.recovering(adopt.getAsInt());
        }
        return switch (kind) {
            case "auto" -> UblkFrontend.available() ? new UblkFrontend(UblkOptions.DEFAULT) : new FuseFrontend(mountPoint, loop);
            case "fuse" -> new FuseFrontend(mountPoint, loop);
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

    private static void requireUblk() {
        if (!UblkFrontend.available()) throw new IllegalArgumentException("this kernel has no ublk (/dev/ublk-control); use --frontend fuse");
    }
}
