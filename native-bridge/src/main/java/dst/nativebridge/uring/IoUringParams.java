package dst.nativebridge.uring;

/**
 * Byte layout of {@code struct io_uring_params} (in/out argument of {@code io_uring_setup}) with its
 * nested {@code io_sqring_offsets} ({@code SQ_OFF_*}, relative to {@link #SQ_OFF}) and
 * {@code io_cqring_offsets} ({@code CQ_OFF_*}, relative to {@link #CQ_OFF}).
 */
public final class IoUringParams {
    public static final int SIZEOF = 120;
    public static final int SQ_ENTRIES = 0;
    public static final int CQ_ENTRIES = 4;
    public static final int FLAGS = 8;
    public static final int FEATURES = 20;
    public static final int SQ_OFF = 40;
    public static final int CQ_OFF = 80;

    public static final int SQ_OFF_HEAD = 0;
    public static final int SQ_OFF_TAIL = 4;
    public static final int SQ_OFF_RING_MASK = 8;
    public static final int SQ_OFF_RING_ENTRIES = 12;
    public static final int SQ_OFF_FLAGS = 16;
    public static final int SQ_OFF_DROPPED = 20;
    public static final int SQ_OFF_ARRAY = 24;

    public static final int CQ_OFF_HEAD = 0;
    public static final int CQ_OFF_TAIL = 4;
    public static final int CQ_OFF_RING_MASK = 8;
    public static final int CQ_OFF_RING_ENTRIES = 12;
    public static final int CQ_OFF_OVERFLOW = 16;
    public static final int CQ_OFF_CQES = 20;

    /** {@code IORING_SETUP_SQE128}: 128-byte SQEs, whose 80-byte command area carries a ublk control command. */
    public static final int IORING_SETUP_SQE128 = 1 << 10;
    public static final int IORING_SETUP_CQE32 = 1 << 11;

    /** mmap offsets of the three regions of a ring. */
    public static final long IORING_OFF_SQ_RING = 0L;
    public static final long IORING_OFF_CQ_RING = 0x8000000L;
    public static final long IORING_OFF_SQES = 0x10000000L;

    public static final int IORING_ENTER_GETEVENTS = 1;

    private IoUringParams() {
    }
}
