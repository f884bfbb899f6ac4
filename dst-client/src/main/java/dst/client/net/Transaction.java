package dst.client.net;

import dst.protocol.Request;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

import java.util.concurrent.CompletableFuture;

/**
 * One request held by the client until its reply: what to (re)send, when it expires, and whom to
 * tell. Owns its write payload until completion, so the request can be resent after a reconnect.
 * Mutable state is touched only on the connection's event loop.
 */
final class Transaction {
    final long id;
    final int opcode;
    final int flags;
    final long offset;
    final int length;
    final long deadlineNanos; // Long.MAX_VALUE: no deadline
    final long cost;          // bytes charged against the queue budget
    final CompletableFuture<ByteBuf> result = new CompletableFuture<>();
    private ByteBuf payload;
    /** The connection this transaction was last written to, null when never sent. */
    Channel sentOn;
    int sends;
    /** FLUSH only: how many acknowledged volatile writes existed when it entered the table (it covers those). */
    long coversUpTo;

    Transaction(long id, int opcode, int flags, long offset, int length, ByteBuf payload, long deadlineNanos, long cost) {
        this.id = id;
        this.opcode = opcode;
        this.flags = flags;
        this.offset = offset;
        this.length = length;
        this.payload = payload == null ? Unpooled.EMPTY_BUFFER : payload;
        this.deadlineNanos = deadlineNanos;
        this.cost = cost;
    }

    /** A new Request for the wire; it holds its own reference to the payload (the encoder releases it). */
    Request toRequest() {
        return new Request(opcode, flags, id, offset, length, payload.retainedDuplicate());
    }

    /** Drops the payload: called once, when the transaction leaves the table. */
    void releasePayload() {
        if (payload != null) {
            payload.release();
            payload = null;
        }
    }
}
