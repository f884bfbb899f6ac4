package dst.client.frontend.ublk;

import dst.protocol.Errno;
import dst.client.core.BlockDevice;
import dst.client.frontend.Frontend;
import dst.nativebridge.NativeException;
import dst.nativebridge.ublk.UblkCharDevice;
import dst.nativebridge.ublk.UblkControlDevice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * {@link Frontend} on Linux's ublk driver: {@code /dev/ublkbN} with real queue depth. Start: ADD_DEV,
 * SET_PARAMS, one {@link UblkQueue} thread per queue fetching its tags, START_DEV. Stop: STOP_DEV
 * (the kernel drains in-flight requests through the still running queues), join the queues, DEL_DEV.
 */
public final class UblkFrontend implements Frontend {
    private static final Logger LOG = Logger.getLogger(UblkFrontend.class.getName());

    private UblkOptions options;
    /** Device to adopt after its server died, or -1 to create a new one. */
    private final int adoptDevId;
    private UblkControlDevice ctrl;
    private UblkControl control;
    private UblkCharDevice cdev;
    private final List<UblkQueue> queues = new ArrayList<>();
    /** This process may stop and delete the device: it created it, or finished adopting it. */
    private boolean owned;

    public UblkFrontend(UblkOptions options) {
        this.options = options;
        this.adoptDevId = -1;
    }

    private UblkFrontend(int adoptDevId) {
        this.adoptDevId = adoptDevId;
    }

    /**
     * A frontend whose {@link #start} adopts existing device {@code devId} instead of creating one: the
     * device's previous server died, the kernel kept the device (USER_RECOVERY) and holds its I/O; it
     * resumes, requests in flight at the crash reissued, once this process serves it.
     */
    public static UblkFrontend recovering(int devId) {
        return new UblkFrontend(devId);
    }

    /**
     * The id of {@code device} when it is a ublk block device that still exists: after its server died, a ublk
     * device created recoverable ({@link UblkOptions#recoverable()}) waits for {@link #recovering} to adopt it.
     */
    public static OptionalInt leftover(String device) {
        OptionalInt devId = UblkCharDevice.devIdOf(device);
        return devId.isPresent() && Files.exists(Path.of(device)) ? devId : OptionalInt.empty();
    }

    /** True when this kernel can serve ublk devices ({@code /dev/ublk-control} exists). */
    public static boolean available() {
        return UblkControlDevice.available();
    }

    @Override
    public String name() {
        return "ublk";
    }

    @Override
    public synchronized Path start(BlockDevice device) throws IOException {
        if (ctrl != null) throw new IllegalStateException("already started");
        ctrl = UblkControlDevice.open();
        try {
            if (adoptDevId < 0) {
                control = UblkControl.create(ctrl, device.info(), options);
                owned = true;
            } else {
                options = UblkControl.options(ctrl.getDevInfo(adoptDevId));
                control = UblkControl.adopt(ctrl, adoptDevId, 30_000);
            }
            cdev = control.openCharDevice();
            for (int q = 0; q < options.queues(); q++) {
                UblkQueue queue = new UblkQueue(cdev, ctrl, q, options, device);
                queues.add(queue);
                Thread t = new Thread(queue, "ublk" + control.devId() + "-q" + q);
                t.setDaemon(true);
                t.start();
            }
            for (UblkQueue q : queues) await(q.ready, "queue start");
            if (adoptDevId < 0) {
                control.start();
            } else {
                control.endRecovery();
                owned = true;
            }
            LOG.info(() -> "ublk: " + control.blockDevice() + (adoptDevId < 0 ? " started (" : " recovered (") + options.queues() + " queue(s) x " + options.depth()
                    + " tags, features 0x" + Long.toHexString(ctrl.features()) + (ctrl.ioctlEncoded() ? ", ioctl-encoded commands)" : ", legacy commands)"));
            return control.blockDevice();
        } catch (IOException | RuntimeException e) {
            try {
                stop();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public synchronized void stop() throws IOException {
        if (ctrl == null) return;
        try {
            if (control != null && !owned) {
                // A failed adoption: the device is still the user's, quiesced, for another attempt.
                if (cdev != null) cdev.close();
            } else if (control != null) {
                try {
                    control.stop();
                } catch (NativeException e) {
                    if (e.errno() != Errno.ENODEV /* never started */) throw e;
                }
                for (UblkQueue q : queues) {
                    try {
                        await(q.ended, "queue end");
                    } catch (IOException e) {
                        LOG.warning("ublk: " + e.getMessage());
                    }
                }
                if (cdev != null) cdev.close();
                control.delete();
            }
        } finally {
            queues.clear();
            owned = false;
            control = null;
            cdev = null;
            ctrl.close();
            ctrl = null;
        }
    }

    /**
     * A planned restart ({@code dst-client restart}): the queues stop committing results, so the kernel keeps every
     * request this process has not answered and reissues it to the next one (USER_RECOVERY_REISSUE), which adopts the
     * device once this process has exited. Writes reissued that way were either never done or are done again with the
     * same data at the same offset.
     */
    @Override
    public synchronized void handOver() throws IOException {
        if (control == null || !owned) throw new IOException("not serving a ublk device");
        if (!options.recoverable()) throw new IOException(control.blockDevice() + " was made without USER_RECOVERY: it cannot outlive this process");
        for (UblkQueue q : queues) q.handOver();
    }

    @Override
    public synchronized void resume() {
        for (UblkQueue q : queues) q.resume();
    }

    /** Device id, e.g. for {@code status}; -1 when not started. */
    public synchronized int devId() {
        return control == null ? -1 : control.devId();
    }

    private static void await(CompletableFuture<Void> f, String what) throws IOException {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("ublk " + what + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("ublk " + what + " timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for ublk " + what);
        }
    }

    /**
     * The kernel command that grows a live ublk device, UBLK_U_CMD_UPDATE_SIZE, came with Linux 6.16 (UBLK_F_UPDATE_SIZE);
     * dst does not send it yet, so the device keeps its size until it is attached again.
     */
    @Override
    public long grow(long newSize) throws IOException {
        throw new IOException("growing a live ublk device needs UBLK_U_CMD_UPDATE_SIZE (Linux 6.16+), which dst does not send yet: "
                + "the export has the new size; detach and attach again (or use --frontend fuse) to see it");
    }
}
