package dst.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * A request: opcode, flags, transaction id, byte range, and for WRITE the payload. Owns its payload:
 * whoever holds the Request releases it once (Netty's {@code ByteBufHolder} contract).
 */
public final class Request extends DefaultByteBufHolder {
    private final int opcode;
    private final int flags;
    private final long transactionId;
    private final long offset;
    private final int length;

    public Request(int opcode, int flags, long transactionId, long offset, int length, ByteBuf payload) {
        super(payload);
        this.opcode = opcode;
        this.flags = flags;
        this.transactionId = transactionId;
        this.offset = offset;
        this.length = length;
    }

    /** A request without payload. */
    public Request(int opcode, int flags, long transactionId, long offset, int length) {
        this(opcode, flags, transactionId, offset, length, Unpooled.EMPTY_BUFFER);
    }

    public int opcode() {
        return opcode;
    }

    public int flags() {
        return flags;
    }

    public boolean fua() {
        return (flags & Opcode.FLAG_FUA) != 0;
    }

    public long transactionId() {
        return transactionId;
    }

    public long offset() {
        return offset;
    }

    /** Bytes the request covers: read/written/trimmed/zeroed. */
    public int length() {
        return length;
    }

    public ByteBuf payload() {
        return content();
    }

    @Override
    public Request replace(ByteBuf content) {
        return new Request(opcode, flags, transactionId, offset, length, content);
    }

    @Override
    public Request retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public String toString() {
        return Opcode.name(opcode) + "#" + transactionId + "[" + offset + "+" + length + (fua() ? ",fua" : "") + "]";
    }
}
