package dst.client.frontend.fuse;

import dst.client.core.BlockDevice;
import dst.client.frontend.Frontend;
import dst.protocol.ExportInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * The frontend for kernels without ublk: the export as one FUSE file {@code MOUNTPOINT/EXPORT}, attached to a
 * loop device with direct I/O so the user gets {@code /dev/loopN}.
 *
 * <p>libfuse options, chosen by measurement through loop(direct-io) on this kind of machine:
 * <ul>
 *   <li>{@code big_writes}, {@code max_write=131072}: writes reach Java as 128 KiB requests, not 4 KiB (8x faster);
 *       libfuse2 caps requests at 128 KiB whatever is asked.</li>
 *   <li>{@code -s} (single-threaded loop): the loop device sends one request at a time anyway (no async direct
 *       I/O in libfuse2), and libfuse2's worker threads make jffi attach a new Java thread per callback.</li>
 *   <li>no {@code direct_io}: it halves throughput; loop's own O_DIRECT already bypasses the page cache.</li>
 * </ul>
 */
public final class FuseFrontend implements Frontend {
    private static final Logger LOG = Logger.getLogger(FuseFrontend.class.getName());
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(2);

    private final Path mountPoint;
    private final boolean attachLoop;
    private FuseMount mount;
    private LoopDevice loop;

    /**
     * @param mountPoint directory to mount on (created when missing)
     * @param attachLoop attach a loop device (the usual case); without it the FUSE file itself is the device
     */
    public FuseFrontend(Path mountPoint, boolean attachLoop) {
        this.mountPoint = mountPoint.toAbsolutePath().normalize();
        this.attachLoop = attachLoop;
    }

    @Override
    public String name() {
        return "fuse";
    }

    /** The FUSE mount point (the file {@code EXPORT} is inside). */
    public Path mountPoint() {
        return mountPoint;
    }

    @Override
    public synchronized Path start(BlockDevice device) throws IOException {
        if (mount != null) throw new IllegalStateException("already started");
        ExportInfo info = device.info();
        Files.createDirectories(mountPoint);
        mount = FuseMount.mount(new ExportFileSystem(device, info.name()), mountPoint, libfuseArgs(info));
        Path file = mountPoint.resolve(info.name());
        if (!attachLoop) return file;
        try {
            loop = LoopDevice.attach(file, info.readOnly(), info.blockSize());
        } catch (IOException | RuntimeException e) {
            try {
                mount.unmount();
            } catch (IOException u) {
                e.addSuppressed(u);
            }
            mount = null;
            throw e;
        }
        LOG.info("exported " + info.name() + " as " + file + " on " + loop.path());
        return loop.path();
    }

    static List<String> libfuseArgs(ExportInfo info) {
        List<String> args = new ArrayList<>();
        args.add("-s");
        args.add("-o");
        args.add("big_writes,max_write=131072,max_read=131072,fsname=dst,subtype=dst" + (info.readOnly() ? ",ro" : ""));
        return args;
    }

    /**
     * Loop device first (waits until the kernel has released the file), then the FUSE mount, then the
     * directory. Throws, leaving whatever is still in use in place, when the loop device is held open.
     */
    @Override
    public synchronized void stop() throws IOException {
        if (loop != null) {
            loop.detach(RELEASE_WAIT);
            LOG.info("detached " + loop.path());
            loop = null;
        }
        if (mount != null) {
            mount.unmount();
            mount = null;
            try {
                Files.deleteIfExists(mountPoint);
            } catch (IOException e) {
                LOG.fine("left " + mountPoint + " in place: " + e.getMessage());
            }
        }
    }
}
