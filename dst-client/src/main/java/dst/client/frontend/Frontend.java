package dst.client.frontend;

import dst.client.core.BlockDevice;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * How a {@link BlockDevice} becomes a kernel block device: ublk ({@code /dev/ublkbN}) where the kernel
 * has it, otherwise a FUSE file attached to a loop device ({@code /dev/loopN}). The lifecycle code
 * (attach/detach/list) is written against this interface only.
 *
 * <p>A frontend serves one device, once: {@link #start} then {@link #stop}. It never closes the
 * {@code BlockDevice}; its owner does, after {@code stop} returned.
 */
public interface Frontend {
    /** Short name shown to users and accepted by {@code --frontend}, e.g. {@code "fuse"}. */
    String name();

    /**
     * Exposes {@code device} to the kernel and returns once it can take I/O.
     *
     * @return the path the user formats and mounts, e.g. {@code /dev/loop3}
     * @throws IOException when the device could not be set up; whatever was set up is torn down again
     */
    Path start(BlockDevice device) throws IOException;

    /**
     * Tears the kernel device down, last user first (loop device, then the FUSE mount, ...). The
     * caller has checked that nothing uses the device any more (not mounted). Idempotent.
     */
    void stop() throws IOException;

    /** What a later process needs to take the device over (it goes into the device's record); empty by default. */
    default Map<String, String> state() {
        return Map.of();
    }

    /**
     * A planned restart: stop serving so that this process can exit and the next one take the device over, which
     * stays (not torn down, its I/O waiting). Returns once nothing started here is unanswered. Throws when this
     * device cannot be handed over. By default nothing to do: the kernel keeps the device (ublk recovery).
     */
    default void handOver() throws IOException, InterruptedException {
    }

    /** Serves again after a {@link #handOver} that is called off. */
    default void resume() throws IOException {
    }
}
