package dst.nativebridge.ublk;

import dst.nativebridge.LibC;
import dst.nativebridge.Mapping;
import dst.nativebridge.NativeException;
import dst.nativebridge.ublk.uapi.UblkCmd;
import dst.nativebridge.ublk.uapi.UblkFeatures;
import dst.nativebridge.ublk.uapi.UblkParams;
import dst.nativebridge.ublk.uapi.UblksrvCtrlCmd;
import dst.nativebridge.ublk.uapi.UblksrvCtrlDevInfo;
import dst.nativebridge.uring.IoUring;
import dst.nativebridge.uring.Sqe;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code /dev/ublk-control}: one command at a time through a small SQE128 ring. Uses the
 * ioctl-encoded command numbers when the kernel reports {@link UblkFeatures#UBLK_F_CMD_IOCTL_ENCODE},
 * the legacy ones otherwise (6.0-6.4 kernels, which also lack GET_FEATURES).
 * Failed commands throw {@link NativeException} with the kernel's errno.
 */
public final class UblkControlDevice implements Closeable {
    public static final Path PATH = Path.of("/dev/ublk-control");

    private final int fd;
    private final IoUring ring;
    private final long features;
    private final boolean ioctlEncoded;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);

    private UblkControlDevice(int fd, IoUring ring) throws NativeException {
        this.fd = fd;
        this.ring = ring;
        long f;
        try {
            f = execute(UblkCmd.UBLK_U_CMD_GET_FEATURES, -1, scratch, 0) >= 0 ? scratch.getLong(0) : 0;
        } catch (NativeException e) {
            f = 0; // kernel before 6.5: no GET_FEATURES, no ioctl encoding
        }
        features = f;
        // -Ddst.ublk.legacyCommands=true forces the legacy numbers, so that tests on new kernels cover the fallback.
        ioctlEncoded = (f & UblkFeatures.UBLK_F_CMD_IOCTL_ENCODE) != 0 && !Boolean.getBoolean("dst.ublk.legacyCommands");
    }

    /** True when this kernel has the ublk driver loaded. */
    public static boolean available() {
        return Files.exists(PATH);
    }

    public static UblkControlDevice open() throws NativeException {
        int fd = NativeException.check("open(" + PATH + ")", LibC.INSTANCE.open(PATH.toString(), LibC.O_RDWR | LibC.O_CLOEXEC, 0));
        try {
            return new UblkControlDevice(fd, IoUring.open(4, true));
        } catch (NativeException e) {
            LibC.INSTANCE.close(fd);
            throw e;
        }
    }

    /** {@code UBLK_F_*} bits this kernel supports (0 when it cannot tell: before 6.5). */
    public long features() {
        return features;
    }

    public boolean ioctlEncoded() {
        return ioctlEncoded;
    }

    /** ADD_DEV: creates a device as described by {@code info} (devId -1 = any); the kernel fills in the id. */
    public void addDev(UblksrvCtrlDevInfo info) throws NativeException {
        command(UblkCmd.UBLK_CMD_ADD_DEV, info.devId(), info.buffer(), 0);
    }

    public void setParams(int devId, UblkParams params) throws NativeException {
        command(UblkCmd.UBLK_CMD_SET_PARAMS, devId, params.buffer(), 0);
    }

    /** START_DEV: returns once the kernel has seen a FETCH_REQ for every tag; {@code pid} is the serving process. */
    public void startDev(int devId, int pid) throws NativeException {
        command(UblkCmd.UBLK_CMD_START_DEV, devId, null, pid);
    }

    /** STOP_DEV: removes /dev/ublkbN; outstanding fetches complete with UBLK_IO_RES_ABORT. */
    public void stopDev(int devId) throws NativeException {
        command(UblkCmd.UBLK_CMD_STOP_DEV, devId, null, 0);
    }

    /** DEL_DEV: forgets the device (waits until its char device is closed by every server). */
    public void delDev(int devId) throws NativeException {
        command(UblkCmd.UBLK_CMD_DEL_DEV, devId, null, 0);
    }

    public UblksrvCtrlDevInfo getDevInfo(int devId) throws NativeException {
        UblksrvCtrlDevInfo info = new UblksrvCtrlDevInfo();
        command(UblkCmd.UBLK_CMD_GET_DEV_INFO, devId, info.buffer(), 0);
        return info;
    }

    /** START_USER_RECOVERY: EBUSY while the kernel still tears down the dead server's queues (retry). */
    public void startUserRecovery(int devId) throws NativeException {
        command(UblkCmd.UBLK_CMD_START_USER_RECOVERY, devId, null, 0);
    }

    /** END_USER_RECOVERY: the new server {@code pid} has fetched every tag; quiesced I/O resumes. */
    public void endUserRecovery(int devId, int pid) throws NativeException {
        command(UblkCmd.UBLK_CMD_END_USER_RECOVERY, devId, null, pid);
    }

    private void command(int legacyOp, int devId, ByteBuffer payload, long data0) throws NativeException {
        int op = ioctlEncoded ? UblkCmd.encoded(legacyOp) : legacyOp;
        int res = execute(op, devId, payload, data0);
        if (res < 0) {
            throw new NativeException("ublk " + UblkCmd.name(legacyOp) + "(dev " + devId + ")", -res);
        }
    }

    /** Sends one command and waits for its completion; returns cqe.res. */
    private synchronized int execute(int op, int devId, ByteBuffer payload, long data0) throws NativeException {
        Sqe sqe = ring.nextSqe();
        sqe.uringCmd(fd, op, 0)
                .cmdInt(UblksrvCtrlCmd.DEV_ID, devId)
                .cmdShort(UblksrvCtrlCmd.QUEUE_ID, -1)
                .cmdShort(UblksrvCtrlCmd.LEN, payload == null ? 0 : payload.capacity())
                .cmdLong(UblksrvCtrlCmd.ADDR, payload == null ? 0 : Mapping.addressOf(payload))
                .cmdLong(UblksrvCtrlCmd.DATA, data0);
        ring.submit(1);
        int[] res = {Integer.MIN_VALUE};
        while (ring.drain((userData, r) -> res[0] = r) == 0) {
            ring.submit(1);
        }
        return res[0];
    }

    @Override
    public synchronized void close() {
        ring.close();
        LibC.INSTANCE.close(fd);
    }
}
