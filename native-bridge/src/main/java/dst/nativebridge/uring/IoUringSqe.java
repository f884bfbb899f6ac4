package dst.nativebridge.uring;

/** Byte layout of {@code struct io_uring_sqe} (64 bytes, or 128 with {@code IORING_SETUP_SQE128}) and the opcodes dst uses. */
public final class IoUringSqe {
    public static final int SIZEOF = 64;
    public static final int SIZEOF_SQE128 = 128;
    public static final int OPCODE = 0;
    public static final int FLAGS = 1;
    public static final int IOPRIO = 2;
    public static final int FD = 4;
    /** {@code off} / {@code addr2}; for URING_CMD the low half is {@code cmd_op}. */
    public static final int OFF = 8;
    public static final int CMD_OP = 8;
    public static final int ADDR = 16;
    public static final int LEN = 24;
    public static final int OP_FLAGS = 28;
    public static final int USER_DATA = 32;
    public static final int BUF_INDEX = 40;
    public static final int PERSONALITY = 42;
    public static final int FILE_INDEX = 44;
    /** {@code cmd[]}: the command payload of URING_CMD, 16 bytes in a 64-byte SQE, 80 in a 128-byte one. */
    public static final int CMD = 48;

    public static final int IORING_OP_NOP = 0;
    public static final int IORING_OP_READ = 22;
    public static final int IORING_OP_URING_CMD = 46;

    private IoUringSqe() {
    }
}
