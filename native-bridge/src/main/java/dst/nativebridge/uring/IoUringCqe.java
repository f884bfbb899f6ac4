package dst.nativebridge.uring;

/** Byte layout of {@code struct io_uring_cqe} (16 bytes; 32 with {@code IORING_SETUP_CQE32}). */
public final class IoUringCqe {
    public static final int SIZEOF = 16;
    public static final int USER_DATA = 0;
    /** Result: like a syscall's, {@code -errno} on failure. */
    public static final int RES = 8;
    public static final int FLAGS = 12;

    private IoUringCqe() {
    }
}
