package dst.client.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A transaction on its way to the wire, as the session writes it to a channel; the protocol's data codec
 * turns it into its own frame. Ownership: holds its own reference to the payload (a retained duplicate of
 * the transaction's), which whoever consumes the message releases: the codec after encoding, or Netty when
 * the write fails before.
 */
public final class WireRequest extends DefaultByteBufHolder {
    private final long id;
    private final Op op;
    private final boolean fua;
    private final long offset;
    private final int length;

    public WireRequest(long id, Op op, boolean fua, long offset, int length, ByteBuf payload) {
        super(payload);
        this.id = id;
        this.op = op;
        this.fua = fua;
        this.offset = offset;
        this.length = length;
    }

    public long id() {
        return id;
    }

    public Op op() {
        return op;
    }

    public boolean fua() {
        return fua;
    }

    public long offset() {
        return offset;
    }

    /** Bytes the request covers (read, written, trimmed, zeroed); 0 for FLUSH. */
    public int length() {
        return length;
    }

    /** WRITE: the data; empty otherwise. */
    public ByteBuf payload() {
        return content();
    }

    @Override
    public String toString() {
        return op + " #" + id + " " + offset + "+" + Integer.toUnsignedLong(length) + (fua ? " FUA" : "");
    }
}
