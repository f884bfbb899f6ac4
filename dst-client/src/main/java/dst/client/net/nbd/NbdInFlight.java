package dst.client.net.nbd;

import dst.client.net.Op;
import io.netty.buffer.ByteBuf;

import java.util.HashMap;
import java.util.Map;

/**
 * The requests of one NBD connection that wait for their replies, as its encoder sent them: NBD replies do not
 * say how much data follows (simple replies) or where it goes (structured replies), the request does. Shared by
 * the connection's {@link NbdRequestEncoder} and {@link NbdReplyDecoder}, on its event loop only.
 *
 * <p>Ownership: a structured READ being assembled owns its buffer until its last chunk hands it on;
 * {@link #releaseAll} drops what a closed connection left.
 */
final class NbdInFlight {
    /** One request sent and not fully answered. */
    static final class Pending {
        final Op op;
        final long offset;
        final int length;
        ByteBuf data;     // structured READ: the reply so far (a retained slice of one whole-range chunk, or assembled)
        boolean assembled; // data is a buffer of our own, written chunk by chunk
        int error;        // structured: the first error chunk's errno
        String message = "";

        Pending(Op op, long offset, int length) {
            this.op = op;
            this.offset = offset;
            this.length = length;
        }
    }

    private final Map<Long, Pending> pending = new HashMap<>();
    private long nextKeepaliveId = -1;

    void sent(long id, Op op, long offset, int length) {
        pending.put(id, new Pending(op, offset, length));
    }

    /** Handles of keepalive reads: negative, so they never meet a transaction id. */
    long keepaliveId() {
        return nextKeepaliveId--;
    }

    Pending get(long id) {
        return pending.get(id);
    }

    void answered(long id) {
        pending.remove(id);
    }

    void releaseAll() {
        for (Pending p : pending.values()) {
            if (p.data != null) p.data.release();
        }
        pending.clear();
    }
}
