package dst.server.nbd;

import dst.protocol.nbd.Nbd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * One transmission-phase request: command type, flags, the client's opaque cookie, offset and length (the
 * effect length; for NBD_CMD_WRITE also the payload's), and the payload of a WRITE. {@code payloadDropped} marks
 * a request whose payload was larger than the connection accepts: the decoder skipped it, unbuffered, and the
 * request is answered with an error. Owns its payload: whoever holds it releases it once.
 */
final class NbdRequest extends DefaultByteBufHolder {
    private final int flags;
    private final int type;
    private final long cookie;
    private final long offset;
    private final long length;
    private final boolean payloadDropped;

    NbdRequest(int flags, int type, long cookie, long offset, long length, ByteBuf payload, boolean payloadDropped) {
        super(payload);
        this.flags = flags;
        this.type = type;
        this.cookie = cookie;
        this.offset = offset;
        this.length = length;
        this.payloadDropped = payloadDropped;
    }

    NbdRequest(int flags, int type, long cookie, long offset, long length) {
        this(flags, type, cookie, offset, length, Unpooled.EMPTY_BUFFER, false);
    }

    int flags() {
        return flags;
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    int type() {
        return type;
    }

    long cookie() {
        return cookie;
    }

    /** Unsigned on the wire: a value with bit 63 set is negative here, and out of every export's range. */
    long offset() {
        return offset;
    }

    /** Unsigned on the wire (32 bits compact, 64 bits extended): negative here means beyond 2^63. */
    long length() {
        return length;
    }

    ByteBuf payload() {
        return content();
    }

    boolean payloadDropped() {
        return payloadDropped;
    }

    @Override
    public NbdRequest replace(ByteBuf content) {
        return new NbdRequest(flags, type, cookie, offset, length, content, payloadDropped);
    }

    @Override
    public String toString() {
        return Nbd.commandName(type) + "#" + Long.toHexString(cookie) + "[" + Long.toUnsignedString(offset) + "+"
                + Long.toUnsignedString(length) + ", flags 0x" + Integer.toHexString(flags) + "]";
    }
}
