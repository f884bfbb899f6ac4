package dst.nativebridge.ublk.uapi;

/**
 * Command numbers of {@code /dev/ublk-control} ({@code UBLK_CMD_*}) and {@code /dev/ublkcN}
 * ({@code UBLK_IO_*}). The legacy numbers are the bare {@code nr}; kernels with
 * {@link UblkFeatures#UBLK_F_CMD_IOCTL_ENCODE} (6.5+) also accept, and may one day require, the
 * ioctl-style encoding {@code _IOR/_IOWR('u', nr, struct)} ({@code UBLK_U_CMD_*}, {@code UBLK_U_IO_*}).
 */
public final class UblkCmd {
    public static final int UBLK_CMD_GET_QUEUE_AFFINITY = 0x01;
    public static final int UBLK_CMD_GET_DEV_INFO = 0x02;
    public static final int UBLK_CMD_ADD_DEV = 0x04;
    public static final int UBLK_CMD_DEL_DEV = 0x05;
    public static final int UBLK_CMD_START_DEV = 0x06;
    public static final int UBLK_CMD_STOP_DEV = 0x07;
    public static final int UBLK_CMD_SET_PARAMS = 0x08;
    public static final int UBLK_CMD_GET_PARAMS = 0x09;
    public static final int UBLK_CMD_START_USER_RECOVERY = 0x10;
    public static final int UBLK_CMD_END_USER_RECOVERY = 0x11;
    public static final int UBLK_CMD_GET_DEV_INFO2 = 0x12;
    /** Since 6.5; older kernels answer -EOPNOTSUPP or -EINVAL. */
    public static final int UBLK_CMD_GET_FEATURES = 0x13;

    public static final int UBLK_IO_FETCH_REQ = 0x20;
    public static final int UBLK_IO_COMMIT_AND_FETCH_REQ = 0x21;
    public static final int UBLK_IO_NEED_GET_DATA = 0x22;

    public static final int UBLK_U_CMD_GET_DEV_INFO = ior(UBLK_CMD_GET_DEV_INFO, UblksrvCtrlCmd.SIZEOF);
    public static final int UBLK_U_CMD_ADD_DEV = iowr(UBLK_CMD_ADD_DEV, UblksrvCtrlCmd.SIZEOF);
    public static final int UBLK_U_CMD_DEL_DEV = iowr(UBLK_CMD_DEL_DEV, UblksrvCtrlCmd.SIZEOF);
    public static final int UBLK_U_CMD_START_DEV = iowr(UBLK_CMD_START_DEV, UblksrvCtrlCmd.SIZEOF);
    public static final int UBLK_U_CMD_STOP_DEV = iowr(UBLK_CMD_STOP_DEV, UblksrvCtrlCmd.SIZEOF);
    public static final int UBLK_U_CMD_SET_PARAMS = iowr(UBLK_CMD_SET_PARAMS, UblksrvCtrlCmd.SIZEOF);
    public static final int UBLK_U_CMD_GET_PARAMS = ior(UBLK_CMD_GET_PARAMS, UblksrvCtrlCmd.SIZEOF);
    public static final int UBLK_U_CMD_START_USER_RECOVERY = iowr(UBLK_CMD_START_USER_RECOVERY, UblksrvCtrlCmd.SIZEOF);
    public static final int UBLK_U_CMD_END_USER_RECOVERY = iowr(UBLK_CMD_END_USER_RECOVERY, UblksrvCtrlCmd.SIZEOF);
    public static final int UBLK_U_CMD_GET_FEATURES = ior(UBLK_CMD_GET_FEATURES, UblksrvCtrlCmd.SIZEOF);
    public static final int UBLK_U_IO_FETCH_REQ = iowr(UBLK_IO_FETCH_REQ, UblksrvIoCmd.SIZEOF);
    public static final int UBLK_U_IO_COMMIT_AND_FETCH_REQ = iowr(UBLK_IO_COMMIT_AND_FETCH_REQ, UblksrvIoCmd.SIZEOF);

    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;

    private UblkCmd() {
    }

    /** The ioctl-encoded form of a legacy number, as the kernel header defines it (read-only for GET_*). */
    public static int encoded(int legacy) {
        return switch (legacy) {
            case UBLK_CMD_GET_DEV_INFO -> UBLK_U_CMD_GET_DEV_INFO;
            case UBLK_CMD_ADD_DEV -> UBLK_U_CMD_ADD_DEV;
            case UBLK_CMD_DEL_DEV -> UBLK_U_CMD_DEL_DEV;
            case UBLK_CMD_START_DEV -> UBLK_U_CMD_START_DEV;
            case UBLK_CMD_STOP_DEV -> UBLK_U_CMD_STOP_DEV;
            case UBLK_CMD_SET_PARAMS -> UBLK_U_CMD_SET_PARAMS;
            case UBLK_CMD_GET_PARAMS -> UBLK_U_CMD_GET_PARAMS;
            case UBLK_CMD_START_USER_RECOVERY -> UBLK_U_CMD_START_USER_RECOVERY;
            case UBLK_CMD_END_USER_RECOVERY -> UBLK_U_CMD_END_USER_RECOVERY;
            case UBLK_CMD_GET_FEATURES -> UBLK_U_CMD_GET_FEATURES;
            case UBLK_IO_FETCH_REQ -> UBLK_U_IO_FETCH_REQ;
            case UBLK_IO_COMMIT_AND_FETCH_REQ -> UBLK_U_IO_COMMIT_AND_FETCH_REQ;
            default -> throw new IllegalArgumentException("no ioctl encoding known for ublk command 0x" + Integer.toHexString(legacy));
        };
    }

    public static String name(int legacy) {
        return switch (legacy) {
            case UBLK_CMD_GET_DEV_INFO -> "GET_DEV_INFO";
            case UBLK_CMD_ADD_DEV -> "ADD_DEV";
            case UBLK_CMD_DEL_DEV -> "DEL_DEV";
            case UBLK_CMD_START_DEV -> "START_DEV";
            case UBLK_CMD_STOP_DEV -> "STOP_DEV";
            case UBLK_CMD_SET_PARAMS -> "SET_PARAMS";
            case UBLK_CMD_GET_PARAMS -> "GET_PARAMS";
            case UBLK_CMD_START_USER_RECOVERY -> "START_USER_RECOVERY";
            case UBLK_CMD_END_USER_RECOVERY -> "END_USER_RECOVERY";
            case UBLK_CMD_GET_FEATURES -> "GET_FEATURES";
            case UBLK_IO_FETCH_REQ -> "FETCH_REQ";
            case UBLK_IO_COMMIT_AND_FETCH_REQ -> "COMMIT_AND_FETCH_REQ";
            default -> "0x" + Integer.toHexString(legacy);
        };
    }

    private static int ior(int nr, int size) {
        return ioc(IOC_READ, nr, size);
    }

    private static int iowr(int nr, int size) {
        return ioc(IOC_READ | IOC_WRITE, nr, size);
    }

    private static int ioc(int dir, int nr, int size) {
        return dir << 30 | size << 16 | 'u' << 8 | nr;
    }
}
