package dst.client.frontend.fuse;

import dst.client.core.BlockDevice;
import dst.client.frontend.Frontend;
import dst.client.frontend.fuse.holder.Holder;
import dst.protocol.ExportInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The frontend for kernels without ublk: the export as one FUSE file {@code MOUNTPOINT/EXPORT}, attached to a
 * loop device with direct I/O so the user gets {@code /dev/loopN}.
 *
 * <p>The FUSE side speaks the kernel protocol on {@code /dev/fuse} itself ({@link FuseSession}) rather than
 * through libfuse2: libfuse2 cannot ask for asynchronous direct I/O or requests over 128 KiB, so the loop device
 * could only ever have one request in flight (one network round trip each). With {@code FUSE_ASYNC_DIO} and
 * 1 MiB requests the loop device's whole queue reaches the network.
 *
 * <p>Handover: where the kernel takes FUSE_NOTIFY_RESEND, a {@link Holder} process keeps a copy of the connection's
 * descriptor, so the mount and the loop device outlive this process; a new one ({@link #takingOver}) copies the
 * descriptor from the holder, asks the kernel to queue again what this one left unanswered, and serves on.
 */
public final class FuseFrontend implements Frontend {
    private static final Logger LOG = Logger.getLogger(FuseFrontend.class.getName());
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(2);
    /** How long a planned handover waits for requests already sent to the server. */
    private static final long HANDOVER_DRAIN_MS = 30_000;
    static final String NO_RESEND = "this kernel has no FUSE_NOTIFY_RESEND (FUSE_HAS_RESEND, Linux 6.9+): requests a dead"
            + " dst-client took could never be answered, so a FUSE device cannot be handed to a new process here; it dies"
            + " with its dst-client (ENOTCONN, I/O errors) and 'dst-client restart' is refused. Use ublk or a newer kernel.";

    /** Record keys (see {@link #state}). */
    public static final String HOLDER_PID = "holder-pid";
    public static final String HOLDER_FD = "holder-fd";
    public static final String RESEND = "fuse-resend";

    private final Path mountPoint;
    private final boolean attachLoop;
    private final Path log;
    /** The record of the process this one takes over from, or null for a new device. */
    private final Function<String, String> previous;
    private FuseSession mount;
    private LoopDevice loop;
    private Holder holder;

    /**
     * @param mountPoint directory to mount on (created when missing)
     * @param attachLoop attach a loop device (the usual case); without it the FUSE file itself is the device
     * @param log        the device's log (the holder appends to it)
     */
    public FuseFrontend(Path mountPoint, boolean attachLoop, Path log) {
        this(mountPoint, attachLoop, log, null);
    }

    private FuseFrontend(Path mountPoint, boolean attachLoop, Path log, Function<String, String> previous) {
        this.mountPoint = mountPoint.toAbsolutePath().normalize();
        this.attachLoop = attachLoop;
        this.log = log;
        this.previous = previous;
    }

    /**
     * A frontend whose {@link #start} takes over the device of a dead (or handed-over) daemon, from its record
     * ({@code previous}: {@code mountpoint}, {@code device}, {@code size} and the {@link #state} keys).
     */
    public static FuseFrontend takingOver(Function<String, String> previous, Path log) {
        return new FuseFrontend(Path.of(previous.apply("mountpoint")), previous.apply("device").startsWith("/dev/loop"), log, previous);
    }

    /** The holder of a device whose record says {@code record}, while it runs: the device waits for a daemon. */
    public static Optional<Holder> holder(Function<String, String> record) {
        try {
            return Holder.find(Long.parseLong(record.apply(HOLDER_PID)), Integer.parseInt(record.apply(HOLDER_FD)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
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
        return previous == null ? create(device) : takeOver(device);
    }

    private Path create(BlockDevice device) throws IOException {
        ExportInfo info = device.info();
        Files.createDirectories(mountPoint);
        mount = FuseSession.mount(device, mountPoint);
        Path file = mountPoint.resolve(info.name());
        if (attachLoop) {
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
        }
        if (!mount.kernelResends()) {
            LOG.warning(NO_RESEND);
        } else {
            try {
                holder = Holder.start(mount.device(), log);
            } catch (IOException e) {
                LOG.warning("no handover for this device: " + e.getMessage() + "; it dies with this process");
            }
        }
        LOG.info("exported " + info.name() + " as " + file + (loop == null ? "" : " on " + loop.path())
                + (holder == null ? "" : " (FUSE connection held by pid " + holder.pid() + ")"));
        return loop == null ? file : loop.path();
    }

    private Path takeOver(BlockDevice device) throws IOException {
        long size = Long.parseLong(previous.apply("size"));
        if (device.info().size() != size) {
            throw new IOException("the export is " + device.info().size() + " bytes now, the device " + size + ": not taking it over");
        }
        Holder h = holder(previous).orElseThrow(() -> new IOException("nobody holds the FUSE connection of " + previous.apply("device")
                + " any more (its holder, pid " + previous.apply(HOLDER_PID) + ", is gone): it cannot be taken over; detach it"));
        Path file = mountPoint.resolve(device.info().name());
        LoopDevice l = attachLoop ? LoopDevice.existing(Path.of(previous.apply("device")), file) : null;
        mount = FuseSession.takeOver(device, h.take(mountPoint), Boolean.parseBoolean(previous.apply(RESEND)));
        holder = h;
        loop = l;
        LOG.info("took over " + file + (loop == null ? "" : " on " + loop.path()) + " from the holder (pid " + h.pid() + "): unanswered requests resent");
        return loop == null ? file : loop.path();
    }

    @Override
    public synchronized Map<String, String> state() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(RESEND, Boolean.toString(mount != null && mount.kernelResends()));
        m.put(HOLDER_PID, holder == null ? "" : Long.toString(holder.pid()));
        m.put(HOLDER_FD, holder == null ? "" : Integer.toString(holder.fd()));
        return m;
    }

    /** Stops answering (what is read from now on is resent to the next daemon) and waits for what the server has. */
    @Override
    public synchronized void handOver() throws IOException, InterruptedException {
        if (holder == null) throw new IOException(mount != null && !mount.kernelResends() ? NO_RESEND : "nothing holds this device's FUSE connection");
        if (!mount.handOver(HANDOVER_DRAIN_MS)) {
            LOG.warning("requests still unanswered after " + HANDOVER_DRAIN_MS + " ms: the next daemon gets them again");
        }
    }

    /** Answers again, starting with what was left unanswered since {@link #handOver} (resent by the kernel). */
    @Override
    public synchronized void resume() throws IOException {
        if (mount != null) mount.resume();
    }

    /**
     * Loop device first (waits until the kernel has released the file), then the FUSE mount, then the holder and
     * the directory. Throws, leaving whatever is still in use in place, when the loop device is held open.
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
            if (holder != null) holder.stop();
            holder = null;
            try {
                Files.deleteIfExists(mountPoint);
            } catch (IOException e) {
                LOG.fine("left " + mountPoint + " in place: " + e.getMessage());
            }
        }
    }
}
