package dst.client.frontend.ublk;

import dst.protocol.Errno;
import dst.nativebridge.NativeException;
import dst.nativebridge.ublk.UblkCharDevice;
import dst.nativebridge.ublk.UblkControlDevice;
import dst.nativebridge.ublk.uapi.UblkFeatures;
import dst.nativebridge.ublk.uapi.UblkParams;
import dst.nativebridge.ublk.uapi.UblksrvCtrlDevInfo;
import dst.protocol.ExportInfo;
import dst.protocol.Features;

import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The control path of one ublk device: creates it with parameters derived from the negotiated
 * export, starts, stops and deletes it. Deletes only a device it created itself.
 */
final class UblkControl {
    private static final Logger LOG = Logger.getLogger(UblkControl.class.getName());
    /** TRIM / WRITE_ZEROES are sent in pieces of at most this many sectors (1 GiB). */
    private static final int MAX_RANGE_SECTORS = 1 << 21;

    private final UblkControlDevice ctrl;
    private final int devId;

    private UblkControl(UblkControlDevice ctrl, int devId) {
        this.ctrl = ctrl;
        this.devId = devId;
    }

    /** ADD_DEV + SET_PARAMS. On failure the half-made device is deleted again. */
    static UblkControl create(UblkControlDevice ctrl, ExportInfo export, UblkOptions o) throws NativeException {
        long flags = o.recoverable() ? UblkFeatures.UBLK_F_USER_RECOVERY | UblkFeatures.UBLK_F_USER_RECOVERY_REISSUE : 0;
        UblksrvCtrlDevInfo info = new UblksrvCtrlDevInfo().devId(-1).nrHwQueues(o.queues()).queueDepth(o.depth())
                .maxIoBufBytes(o.bufferBytes()).flags(flags);
        ctrl.addDev(info);
        UblkControl c = new UblkControl(ctrl, info.devId());
        try {
            ctrl.setParams(c.devId, params(export, o));
        } catch (NativeException e) {
            c.delete();
            throw e;
        }
        LOG.fine(() -> "ublk: added " + info + ", kernel features 0x" + Long.toHexString(ctrl.features()));
        return c;
    }

    /**
     * Adopts a device whose server died (state QUIESCED, created with USER_RECOVERY): START_USER_RECOVERY,
     * retried while the kernel still releases the dead server's queues (EBUSY). The caller then fetches
     * every tag with the options {@link #options(UblksrvCtrlDevInfo)} derives, and calls {@link #endRecovery()}.
     */
    static UblkControl adopt(UblkControlDevice ctrl, int devId, long waitMillis) throws NativeException {
        UblksrvCtrlDevInfo info = ctrl.getDevInfo(devId);
        if ((info.flags() & UblkFeatures.UBLK_F_USER_RECOVERY) == 0) {
            throw new NativeException("ublk device " + devId + " was created without USER_RECOVERY: it cannot be adopted", Errno.EINVAL);
        }
        long deadline = System.nanoTime() + waitMillis * 1_000_000;
        while (true) {
            try {
                ctrl.startUserRecovery(devId);
                break;
            } catch (NativeException e) {
                if (e.errno() != Errno.EBUSY /* old server not gone yet, or device not quiesced */ || System.nanoTime() > deadline) throw e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NativeException("START_USER_RECOVERY interrupted", 4);
            }
        }
        LOG.fine(() -> "ublk: recovering " + info);
        return new UblkControl(ctrl, devId);
    }

    /** The options a device was created with, for a server adopting it. */
    static UblkOptions options(UblksrvCtrlDevInfo info) {
        return new UblkOptions(info.nrHwQueues(), info.queueDepth(), info.maxIoBufBytes(),
                (info.flags() & UblkFeatures.UBLK_F_USER_RECOVERY) != 0);
    }

    /** What the kernel is told: geometry, cache behaviour and limits, all from what the server granted. */
    static UblkParams params(ExportInfo e, UblkOptions o) {
        int lbs = Integer.numberOfTrailingZeros(e.blockSize());
        int attrs = (e.readOnly() ? UblkParams.UBLK_ATTR_READ_ONLY : 0)
                | (e.has(Features.FLUSH) ? UblkParams.UBLK_ATTR_VOLATILE_CACHE : 0)
                | (e.has(Features.FLUSH) && e.has(Features.FUA) ? UblkParams.UBLK_ATTR_FUA : 0);
        UblkParams p = new UblkParams().basic(attrs, lbs, Math.max(lbs, 12), 12, lbs, o.bufferBytes() >> 9, e.size() >> 9);
        if (e.has(Features.TRIM) || e.has(Features.WRITE_ZEROES)) {
            p.discard(e.blockSize(), e.has(Features.TRIM) ? MAX_RANGE_SECTORS : 0,
                    e.has(Features.WRITE_ZEROES) ? MAX_RANGE_SECTORS : 0, 1);
        }
        return p;
    }

    int devId() {
        return devId;
    }

    Path blockDevice() {
        return Path.of(UblkCharDevice.blockPath(devId));
    }

    UblkCharDevice openCharDevice() throws NativeException {
        return UblkCharDevice.open(devId, 5000);
    }

    /** START_DEV; every queue must have fetched all its tags first (the kernel waits for that). */
    void start() throws NativeException {
        ctrl.startDev(devId, (int) ProcessHandle.current().pid());
    }

    /** END_USER_RECOVERY: every queue has fetched its tags again; waiting I/O resumes, served by this process. */
    void endRecovery() throws NativeException {
        ctrl.endUserRecovery(devId, (int) ProcessHandle.current().pid());
    }

    /** STOP_DEV: /dev/ublkbN goes away once in-flight requests are done; queues see their fetches aborted. */
    void stop() throws NativeException {
        ctrl.stopDev(devId);
    }

    /** DEL_DEV: the char device must be closed (queues ended) first. */
    void delete() throws NativeException {
        ctrl.delDev(devId);
    }

    UblksrvCtrlDevInfo info() throws NativeException {
        return ctrl.getDevInfo(devId);
    }
}
