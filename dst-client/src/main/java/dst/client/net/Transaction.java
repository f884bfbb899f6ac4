package dst.client.net;

import dst.client.transactions.TransactionTable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.concurrent.CompletableFuture;

/**
 * One request held by the client until its reply: what to (re)send, when it expires, and whom to
 * tell. Owns its write payload until completion, so the request can be resent after a reconnect.
 * Mutable state is touched only on the connection's event loop.
 */
final class Transaction extends TransactionTable.Entry {
    final Op op;
    final boolean fua;
    final long offset;
    final int length;
    final long cost;          // bytes charged against the queue budget
    final long startNanos = System.nanoTime(); // when the caller asked: latency is measured from here, resends included
    final CompletableFuture<ByteBuf> result = new CompletableFuture<>();
    private ByteBuf payload;
    /** FLUSH only: how many acknowledged volatile writes existed when it entered the table (it covers those). */
    long coversUpTo;

    Transaction(long id, Op op, boolean fua, long offset, int length, ByteBuf payload, long deadlineNanos, long cost) {
        super(id, deadlineNanos, op.changesData(), offset, Integer.toUnsignedLong(length));
        this.op = op;
        this.fua = fua;
        this.offset = offset;
        this.length = length;
        this.payload = payload == null ? Unpooled.EMPTY_BUFFER : payload;
        this.cost = cost;
    }

    /** A new message for the wire; it holds its own reference to the payload (the codec releases it). */
    WireRequest toWire() {
        return new WireRequest(id(), op, fua, offset, length, payload.retainedDuplicate());
    }

    /** For messages: e.g. {@code WRITE 4096+512}. */
    String describe() {
        return op + " " + offset + "+" + Integer.toUnsignedLong(length);
    }

    /** Drops the payload: called once, when the transaction leaves the table. */
    void releasePayload() {
        if (payload != null) {
            payload.release();
            payload = null;
        }
    }
}
