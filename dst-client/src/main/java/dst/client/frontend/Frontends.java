package dst.client.frontend;

import dst.client.frontend.fuse.FuseFrontend;

import java.nio.file.Path;

/** Picks the frontend {@code --frontend} names; {@code auto} is the best one this kernel supports. */
public final class Frontends {
    private Frontends() {
    }

    /**
     * @param kind       {@code auto}, {@code fuse} or {@code ublk}
     * @param mountPoint where a FUSE frontend mounts its file
     * @param loop       whether a FUSE frontend attaches a loop device
     */
    public static Frontend create(String kind, Path mountPoint, boolean loop) {
        return switch (kind) {
            case "auto", "fuse" -> new FuseFrontend(mountPoint, loop);
            case "ublk" -> throw new IllegalArgumentException("the ublk frontend is not available in this build; use --frontend fuse");
            default -> throw new IllegalArgumentException("unknown frontend '" + kind + "' (expected auto, fuse or ublk)");
        };
    }
}
