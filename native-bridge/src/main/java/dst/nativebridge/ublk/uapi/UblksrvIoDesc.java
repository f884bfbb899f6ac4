package dst.nativebridge.ublk.uapi;

/**
 * {@code struct ublksrv_io_desc}: one per tag, written by the kernel into the read-only descriptor
 * area of {@code /dev/ublkcN} (queue {@code q} at {@link #queueOffset}) before it completes a fetch.
 */
public final class UblksrvIoDesc {
    public static final int SIZEOF = 24;
    /** op in bits 0-7, {@code UBLK_IO_F_*} flags above. */
    public static final int OP_FLAGS = 0;
    public static final int NR_SECTORS = 4;
    public static final int START_SECTOR = 8;
    public static final int ADDR = 16;

    public static final int UBLK_IO_OP_READ = 0;
    public static final int UBLK_IO_OP_WRITE = 1;
    public static final int UBLK_IO_OP_FLUSH = 2;
    public static final int UBLK_IO_OP_DISCARD = 3;
    public static final int UBLK_IO_OP_WRITE_SAME = 4;
    public static final int UBLK_IO_OP_WRITE_ZEROES = 5;

    public static final int UBLK_IO_F_FAILFAST_DEV = 1 << 8;
    public static final int UBLK_IO_F_META = 1 << 11;
    public static final int UBLK_IO_F_FUA = 1 << 13;
    public static final int UBLK_IO_F_NOUNMAP = 1 << 15;

    /** {@code UBLKSRV_CMD_BUF_OFFSET}: mmap offset of queue 0's descriptors. */
    public static final long UBLKSRV_CMD_BUF_OFFSET = 0;
    /** {@code UBLK_MAX_QUEUE_DEPTH}: tags are 12 bits. */
    public static final int UBLK_MAX_QUEUE_DEPTH = 4096;
    /** The kernel sizes each queue's area for the maximum depth, page aligned ({@code ublk_queue_cmd_buf_size} rounds up). */
    public static final int MAX_QUEUE_AREA = UBLK_MAX_QUEUE_DEPTH * SIZEOF;

    private UblksrvIoDesc() {
    }

    /** mmap offset of queue {@code q}'s descriptors: queues are spaced by the largest possible area. */
    public static long queueOffset(int q) {
        return UBLKSRV_CMD_BUF_OFFSET + (long) q * MAX_QUEUE_AREA;
    }

    /** Bytes to map for a queue of {@code depth} tags (whole pages). */
    public static long queueArea(int depth, int pageSize) {
        long b = (long) depth * SIZEOF;
        return (b + pageSize - 1) / pageSize * pageSize;
    }
}
