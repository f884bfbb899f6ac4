package dst.client.frontend;

import dst.client.frontend.fuse.FuseFrontend;
import dst.client.frontend.ublk.UblkFrontend;
import dst.client.frontend.ublk.UblkOptions;

import java.nio.file.Path;

/** Picks the frontend {@code --frontend} names; {@code auto} is the best one this kernel supports. */
public final class Frontends {
    private Frontends() {
    }

    /** Fails with a message for the user unless {@code kind} names a frontend this machine can run. */
    public static void check(String kind) {
        create(kind, Path.of("/nonexistent"), true); // constructors only remember their arguments
    }

    /**
     * @param kind       {@code auto}, {@code fuse} or {@code ublk}
     * @param mountPoint where a FUSE frontend mounts its file
     * @param loop       whether a FUSE frontend attaches a loop device
     */
    public static Frontend create(String kind, Path mountPoint, boolean loop) {
        return switch (kind) {
            case "auto" -> UblkFrontend.available() ? new UblkFrontend(UblkOptions.DEFAULT) : new FuseFrontend(mountPoint, loop);
            case "fuse" -> new FuseFrontend(mountPoint, loop);
            case "ublk" -> {
                if (!UblkFrontend.available()) throw new IllegalArgumentException("this kernel has no ublk (/dev/ublk-control); use --frontend fuse");
                yield new UblkFrontend(UblkOptions.DEFAULT);
            }
            default -> throw new IllegalArgumentException("unknown frontend '" + kind + "' (expected auto, fuse or ublk)");
        };
    }
}
