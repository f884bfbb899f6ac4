package dst.nativebridge.ublk.uapi;

/** {@code struct ublksrv_io_cmd}: FETCH_REQ / COMMIT_AND_FETCH_REQ, carried in a 64-byte SQE's command area. */
public final class UblksrvIoCmd {
    public static final int SIZEOF = 16;
    public static final int Q_ID = 0;
    public static final int TAG = 2;
    /** Bytes done, or {@code -errno}; read by COMMIT_AND_FETCH_REQ only. */
    public static final int RESULT = 4;
    /** Address of this tag's buffer in the server's memory. */
    public static final int ADDR = 8;

    /** cqe.res of a fetch: a request is waiting in the tag's descriptor. */
    public static final int UBLK_IO_RES_OK = 0;
    public static final int UBLK_IO_RES_NEED_GET_DATA = 1;
    /** cqe.res when the device is stopping: the tag must not be fetched again. */
    public static final int UBLK_IO_RES_ABORT = -19;

    private UblksrvIoCmd() {
    }
}
