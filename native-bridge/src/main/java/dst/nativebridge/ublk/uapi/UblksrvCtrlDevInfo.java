package dst.nativebridge.ublk.uapi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct ublksrv_ctrl_dev_info}: what ADD_DEV is asked for (and answers with the device id)
 * and what GET_DEV_INFO reports. A flyweight over its own 64-byte direct buffer.
 */
public final class UblksrvCtrlDevInfo {
    public static final int SIZEOF = 64;
    public static final int NR_HW_QUEUES = 0;
    public static final int QUEUE_DEPTH = 2;
    public static final int STATE = 4;
    public static final int MAX_IO_BUF_BYTES = 8;
    public static final int DEV_ID = 12;
    public static final int UBLKSRV_PID = 16;
    public static final int FLAGS = 24;
    public static final int UBLKSRV_FLAGS = 32;

    /** {@code UBLK_S_DEV_*}: device states. */
    public static final int UBLK_S_DEV_DEAD = 0;
    public static final int UBLK_S_DEV_LIVE = 1;
    public static final int UBLK_S_DEV_QUIESCED = 2;

    private final ByteBuffer buf = ByteBuffer.allocateDirect(SIZEOF).order(ByteOrder.LITTLE_ENDIAN);

    public ByteBuffer buffer() {
        return buf;
    }

    public int nrHwQueues() { return Short.toUnsignedInt(buf.getShort(NR_HW_QUEUES)); }
    public UblksrvCtrlDevInfo nrHwQueues(int n) { buf.putShort(NR_HW_QUEUES, (short) n); return this; }
    public int queueDepth() { return Short.toUnsignedInt(buf.getShort(QUEUE_DEPTH)); }
    public UblksrvCtrlDevInfo queueDepth(int n) { buf.putShort(QUEUE_DEPTH, (short) n); return this; }
    public int state() { return Short.toUnsignedInt(buf.getShort(STATE)); }
    public int maxIoBufBytes() { return buf.getInt(MAX_IO_BUF_BYTES); }
    public UblksrvCtrlDevInfo maxIoBufBytes(int n) { buf.putInt(MAX_IO_BUF_BYTES, n); return this; }
    /** -1 in ADD_DEV lets the kernel pick the id. */
    public int devId() { return buf.getInt(DEV_ID); }
    public UblksrvCtrlDevInfo devId(int id) { buf.putInt(DEV_ID, id); return this; }
    public int ublksrvPid() { return buf.getInt(UBLKSRV_PID); }
    public long flags() { return buf.getLong(FLAGS); }
    public UblksrvCtrlDevInfo flags(long f) { buf.putLong(FLAGS, f); return this; }

    public static String stateName(int state) {
        return switch (state) {
            case UBLK_S_DEV_DEAD -> "DEAD";
            case UBLK_S_DEV_LIVE -> "LIVE";
            case UBLK_S_DEV_QUIESCED -> "QUIESCED";
            default -> "state#" + state;
        };
    }

    @Override
    public String toString() {
        return "dev_info{id=" + devId() + " queues=" + nrHwQueues() + " depth=" + queueDepth() + " state=" + stateName(state())
                + " max_io_buf=" + maxIoBufBytes() + " pid=" + ublksrvPid() + " flags=0x" + Long.toHexString(flags()) + "}";
    }
}
