package dst.nativebridge.ublk.uapi;

/** {@code UBLK_F_*}: device flags asked for in ADD_DEV and reported by GET_FEATURES. */
public final class UblkFeatures {
    public static final long UBLK_F_SUPPORT_ZERO_COPY = 1L << 0;
    public static final long UBLK_F_URING_CMD_COMP_IN_TASK = 1L << 1;
    public static final long UBLK_F_NEED_GET_DATA = 1L << 2;
    /** The device survives its server's death (QUIESCED) and a new server may adopt it. */
    public static final long UBLK_F_USER_RECOVERY = 1L << 3;
    /** With USER_RECOVERY: requests in flight at the crash are reissued to the new server. */
    public static final long UBLK_F_USER_RECOVERY_REISSUE = 1L << 4;
    public static final long UBLK_F_UNPRIVILEGED_DEV = 1L << 5;
    /** The kernel accepts the ioctl-encoded command numbers (6.5+). */
    public static final long UBLK_F_CMD_IOCTL_ENCODE = 1L << 6;
    public static final long UBLK_F_USER_COPY = 1L << 7;
    public static final long UBLK_F_ZONED = 1L << 8;

    private UblkFeatures() {
    }
}
