package dst.nativebridge.ublk.uapi;

/** {@code struct ublksrv_ctrl_cmd}: a control command, carried in the command area of a 128-byte SQE. */
public final class UblksrvCtrlCmd {
    public static final int SIZEOF = 32;
    public static final int DEV_ID = 0;
    /** u16; -1 when the command is not about one queue. */
    public static final int QUEUE_ID = 4;
    /** u16 length of the buffer at {@link #ADDR}. */
    public static final int LEN = 6;
    public static final int ADDR = 8;
    /** {@code __u64 data[2]}: inline argument, e.g. the server pid for START_DEV. */
    public static final int DATA = 16;

    private UblksrvCtrlCmd() {
    }
}
