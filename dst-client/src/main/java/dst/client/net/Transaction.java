package dst.client.net;

import dst.client.transactions.TransactionTable;
import dst.protocol.Request;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.concurrent.CompletableFuture;

/**
 * One request held by the client until its reply: what to (re)send, when it expires, and whom to
 * tell. Owns its write payload until completion, so the request can be resent after a reconnect.
 * Mutable state is touched only on the connection's event loop.
 */
final class Transaction extends TransactionTable.Entry {
    final int opcode;
    final int flags;
    final long offset;
    final int length;
    final long cost;          // bytes charged against the queue budget
    final CompletableFuture<ByteBuf> result = new CompletableFuture<>();
    private ByteBuf payload;
    /** FLUSH only: how many acknowledged volatile writes existed when it entered the table (it covers those). */
    long coversUpTo;

    Transaction(long id, int opcode, int flags, long offset, int length, ByteBuf payload, long deadlineNanos, long cost) {
        super(id, deadlineNanos);
        this.opcode = opcode;
        this.flags = flags;
        this.offset = offset;
        this.length = length;
        this.payload = payload == null ? Unpooled.EMPTY_BUFFER : payload;
        this.cost = cost;
    }

    /** A new Request for the wire; it holds its own reference to the payload (the encoder releases it). */
    Request toRequest() {
        return new Request(opcode, flags, id(), offset, length, payload.retainedDuplicate());
    }

    /** Drops the payload: called once, when the transaction leaves the table. */
    void releasePayload() {
        if (payload != null) {
            payload.release();
            payload = null;
        }
    }
}
