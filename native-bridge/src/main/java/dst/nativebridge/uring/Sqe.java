package dst.nativebridge.uring;

import dst.nativebridge.Mapping;

import java.nio.ByteBuffer;

/**
 * A flyweight over one submission queue entry of an {@link IoUring}, valid until the next
 * {@link IoUring#nextSqe()}. Setters return {@code this}; the entry starts zeroed.
 */
public final class Sqe {
    private final ByteBuffer sqes;
    private final int size;
    private int base;

    Sqe(ByteBuffer sqes, int size) {
        this.sqes = sqes;
        this.size = size;
    }

    void reset(int index) {
        base = index * size;
        for (int i = 0; i < size; i += 8) {
            sqes.putLong(base + i, 0L);
        }
    }

    /** {@code IORING_OP_URING_CMD} on {@code fd}: the driver's command {@code cmdOp}, payload set with {@code cmd*}. */
    public Sqe uringCmd(int fd, int cmdOp, long userData) {
        sqes.put(base + IoUringSqe.OPCODE, (byte) IoUringSqe.IORING_OP_URING_CMD);
        sqes.putInt(base + IoUringSqe.FD, fd);
        sqes.putInt(base + IoUringSqe.CMD_OP, cmdOp);
        sqes.putLong(base + IoUringSqe.USER_DATA, userData);
        return this;
    }

    /** {@code IORING_OP_READ} of {@code buf}'s remaining bytes from {@code fd} at its current position. */
    public Sqe read(int fd, ByteBuffer buf, long userData) {
        sqes.put(base + IoUringSqe.OPCODE, (byte) IoUringSqe.IORING_OP_READ);
        sqes.putInt(base + IoUringSqe.FD, fd);
        sqes.putLong(base + IoUringSqe.OFF, -1L);
        sqes.putLong(base + IoUringSqe.ADDR, Mapping.addressOf(buf) + buf.position());
        sqes.putInt(base + IoUringSqe.LEN, buf.remaining());
        sqes.putLong(base + IoUringSqe.USER_DATA, userData);
        return this;
    }

    /** Room for the command payload: 16 bytes, 80 with SQE128. */
    public int cmdCapacity() {
        return size - IoUringSqe.CMD;
    }

    public Sqe cmdShort(int offset, int value) {
        sqes.putShort(base + IoUringSqe.CMD + checked(offset, 2), (short) value);
        return this;
    }

    public Sqe cmdInt(int offset, int value) {
        sqes.putInt(base + IoUringSqe.CMD + checked(offset, 4), value);
        return this;
    }

    public Sqe cmdLong(int offset, long value) {
        sqes.putLong(base + IoUringSqe.CMD + checked(offset, 8), value);
        return this;
    }

    private int checked(int offset, int len) {
        if (offset < 0 || offset + len > cmdCapacity()) {
            throw new IndexOutOfBoundsException("command payload offset " + offset + "+" + len + " beyond " + cmdCapacity());
        }
        return offset;
    }
}
