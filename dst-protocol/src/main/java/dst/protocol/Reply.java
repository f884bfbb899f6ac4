package dst.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;

/**
 * A reply: the opcode and transaction id of its request, a status (0 or an errno), and a payload:
 * the data of a successful READ, or a UTF-8 message explaining a failure. Owns its payload.
 */
public final class Reply extends DefaultByteBufHolder {
    /** Longest error message put on the wire. */
    public static final int MAX_MESSAGE = 1024;

    private final int opcode;
    private final long transactionId;
    private final int status;

    public Reply(int opcode, long transactionId, int status, ByteBuf payload) {
        super(payload);
        this.opcode = opcode;
        this.transactionId = transactionId;
        this.status = status;
    }

    public static Reply ok(int opcode, long transactionId) {
        return new Reply(opcode, transactionId, Errno.OK, Unpooled.EMPTY_BUFFER);
    }

    public static Reply error(int opcode, long transactionId, int errno, String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        int len = Math.min(text.length, MAX_MESSAGE);
        return new Reply(opcode, transactionId, errno, Unpooled.wrappedBuffer(text, 0, len));
    }

    /** The server's notification that the export is now {@code size} bytes ({@link Opcode#SIZE_CHANGED}). */
    public static Reply sizeChanged(long size) {
        return new Reply(Opcode.SIZE_CHANGED, 0, Errno.OK, Unpooled.buffer(8, 8).writeLong(size));
    }

    /** The new size a {@link Opcode#SIZE_CHANGED} notification carries, or -1 when its payload is not 8 bytes. */
    public long notifiedSize() {
        return content().readableBytes() == 8 ? content().getLong(content().readerIndex()) : -1;
    }

    public int opcode() {
        return opcode;
    }

    public long transactionId() {
        return transactionId;
    }

    public int status() {
        return status;
    }

    public boolean isOk() {
        return status == Errno.OK;
    }

    public ByteBuf payload() {
        return content();
    }

    /** The error text of a failed reply. */
    public String message() {
        return content().toString(StandardCharsets.UTF_8);
    }

    @Override
    public Reply replace(ByteBuf content) {
        return new Reply(opcode, transactionId, status, content);
    }

    @Override
    public String toString() {
        return Opcode.name(opcode) + "#" + transactionId + " -> " + Errno.name(status);
    }
}
