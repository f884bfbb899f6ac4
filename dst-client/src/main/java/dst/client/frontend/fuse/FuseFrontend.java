package dst.client.frontend.fuse;

import dst.client.core.BlockDevice;
import dst.client.frontend.Frontend;
import dst.protocol.ExportInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * The frontend for kernels without ublk: the export as one FUSE file {@code MOUNTPOINT/EXPORT}, attached to a
 * loop device with direct I/O so the user gets {@code /dev/loopN}.
 *
 * <p>The FUSE side speaks the kernel protocol on {@code /dev/fuse} itself ({@link FuseSession}) rather than
 * through libfuse2: libfuse2 cannot ask for asynchronous direct I/O or requests over 128 KiB, so the loop device
 * could only ever have one request in flight (one network round trip each). With {@code FUSE_ASYNC_DIO} and
 * 1 MiB requests the loop device's whole queue reaches the network.
 */
public final class FuseFrontend implements Frontend {
    private static final Logger LOG = Logger.getLogger(FuseFrontend.class.getName());
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(2);

    private final Path mountPoint;
    private final boolean attachLoop;
    private FuseSession mount;
    private LoopDevice loop;
    private Path file;

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
        mount = FuseSession.mount(device, mountPoint);
        file = mountPoint.resolve(info.name());
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

    /**
     * The FUSE file takes the new size; a stat makes the kernel fetch it (the loop driver reads the file's cached
     * size); then {@code losetup -c} gives it to the loop device.
     */
    @Override
    public synchronized long grow(long newSize) throws IOException {
        if (mount == null) throw new IOException("not started");
        mount.grow(newSize);
        long fileSize = Files.size(file);
        if (fileSize != newSize) throw new IOException(file + " still has " + fileSize + " bytes after the kernel was told " + newSize);
        if (loop == null) return fileSize;
        long deviceSize = loop.refreshCapacity();
        if (deviceSize != newSize) throw new IOException(loop.path() + " has " + deviceSize + " bytes after losetup -c, not " + newSize);
        LOG.info("grew " + file + " and " + loop.path() + " to " + newSize + " bytes");
        return deviceSize;
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
