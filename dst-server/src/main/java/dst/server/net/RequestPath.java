package dst.server.net;

import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.Opcode;
import dst.runtime.buffers.Buffers;
import dst.server.backend.Backend;
import dst.server.export.Export;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The request path every front door of the server shares (dst's wire protocol and NBD): for one connection,
 * the in-flight bound, the one validation rule ({@link ExportInfo#refusal}), backend dispatch with FUA handled
 * here for every opcode, inline execution for backends that never block, and the accounting that lets a
 * shutdown or a session takeover wait until every reply is on the wire. A front door only decodes its frames
 * into {@code (opcode, offset, length, fua, payload)} (dst opcodes) and turns outcomes into its own replies
 * through {@link Replies}.
 *
 * <p>Threading: {@link #admit}, {@link #serve} and {@link #readComplete} run on the connection's event loop;
 * backend calls run on the I/O executor, or inline for a {@link Backend#neverBlocks() never-blocking} backend and
 * for a READ the backend can answer without waiting ({@link Backend#readNow}: a cached file); inline replies are
 * written as they come and flushed once per read burst: no thread hand-offs.
 *
 * <p>Ownership: {@link #serve} takes the WRITE payload and releases it once the backend call is done (or the
 * request is refused); a READ's data buffer passes to the reply message {@link Replies#ok} makes, which its
 * encoder releases.
 */
public final class RequestPath {
    private static final Logger LOG = Logger.getLogger(RequestPath.class.getName());

    /** How a front door answers: one reply message per request, echoing whatever identifies it ({@code tag}). */
    public interface Replies<T> {
        /** Success; {@code data} is a READ's bytes (the message takes ownership), null for other opcodes. */
        Object ok(T tag, int opcode, ByteBuf data);

        /** Failure with a wire errno (see {@link Errno#onWire}) and a human-readable reason. */
        Object error(T tag, int opcode, int errno, String message);
    }

    /** What a {@code now} call returns when the request must run on an I/O thread after all. */
    private static final Object WOULD_BLOCK = new Object();

    private final Export export;
    private final Session session;
    private final ExportInfo granted;
    private final Executor io;
    private final InFlightLimit limit;
    /**
     * Whether a request whose connection is gone is discarded instead of run. dst's clients resume their session
     * and resend it, so running it late could land stale data over newer writes (fencing). An NBD client never
     * resends and may close its half of the socket right after NBD_CMD_DISC, which must not lose what it sent.
     */
    private final boolean fenced;
    /** A request ends for its session once its reply is written (or failed to be), not when the backend returns. */
    private final ChannelFutureListener finished;
    /** Frees a request's slot once its reply is written (or failed to be). */
    private final ChannelFutureListener answered = f -> freed();
    private Runnable slotFreed; // a front door's backpressure hook, or null (event loop only)
    private boolean unflushed; // inline replies written but not flushed yet (event loop only)

    /**
     * @param granted what the connection was granted (size, read-only, max request); its max in flight (0: none
     *                announced) is the bound enforced
     */
    public RequestPath(Export export, Session session, ExportInfo granted, Executor io) {
        this(export, session, granted, io, true);
    }

    /**
     * @param fenced whether requests of a connection that is gone are discarded (a front door whose clients resume
     *               and resend) or still run (one whose clients never resend: NBD)
     */
    public RequestPath(Export export, Session session, ExportInfo granted, Executor io, boolean fenced) {
        this.fenced = fenced;
        this.export = export;
        this.session = session;
        this.granted = granted;
        this.io = io;
        this.limit = new InFlightLimit(granted.maxInFlight() > 0 ? granted.maxInFlight() : Integer.MAX_VALUE);
        this.finished = f -> session.finished();
    }

    /** Takes an in-flight slot for a request just received; false when the client already has the maximum. */
    public boolean admit() {
        return limit.admitRequest();
    }

    /** Takes a slot for a keepalive reply; false when too many are still waiting to be sent. */
    public boolean admitPing() {
        return limit.admitPing();
    }

    /** The listener that frees a keepalive's slot once its reply is written. */
    public ChannelFutureListener pingAnswered() {
        return limit.pingAnswered;
    }

    /** The client ended its session (RELEASE): its write claim ends once its running requests have. */
    public void release() {
        session.release();
    }

    public int maxInFlight() {
        return limit.maxRequests();
    }

    /**
     * A front door's own backend work for a request the shared dispatch does not cover (NBD's sparse READ,
     * BLOCK_STATUS, CACHE, a zeroing that may punch a hole): runs where the shared calls run, after the same rule,
     * with the same accounting; returns the reply message. FUA is still the path's: a flush after it.
     */
    public interface Call {
        Object run(Backend backend) throws Exception;
    }

    /**
     * Serves one admitted request: refuses it with the rule's errno, or runs it and writes its reply. Never
     * throws for a bad request: every outcome is a reply, the connection stays up.
     *
     * @param payload a WRITE's data (taken over: released here), null otherwise
     */
    public <T> void serve(ChannelHandlerContext ctx, int opcode, long offset, long length, boolean fua, ByteBuf payload,
                          T tag, Replies<T> replies) {
        DstException refusal = refusal(opcode, offset, length, payload);
        if (refusal == null) refusal = grantRefusal(opcode, length, payload);
        Call now = opcode == Opcode.READ ? b -> readNow(b, offset, (int) length, tag, replies) : null;
        submit(ctx, refusal, opcode, length, fua, payload, tag, replies,
                b -> replies.ok(tag, opcode, run(b, opcode, offset, length, payload)), now);
    }

    /**
     * Serves one admitted request with the front door's own {@code call}, checked by the rule as {@code opcode}
     * (READ for a range that must lie inside the export, WRITE_ZEROES for one that stores zeros, ...). The front
     * door has applied its own limits (request sizes) before.
     */
    public <T> void serve(ChannelHandlerContext ctx, int opcode, long offset, long length, boolean fua, T tag,
                          Replies<T> replies, Call call) {
        submit(ctx, refusal(opcode, offset, length, null), opcode, length, fua, null, tag, replies, call, null);
    }

    /**
     * @param now the request tried on the event loop first when the backend may block ({@link Backend#readNow}),
     *            returning {@link #WOULD_BLOCK} to go to an I/O thread after all; null: none
     */
    private <T> void submit(ChannelHandlerContext ctx, DstException refusal, int opcode, long length, boolean fua, ByteBuf payload,
                            T tag, Replies<T> replies, Call call, Call now) {
        long received = System.nanoTime();
        if (refusal != null) {
            session.failed(opcode);
            if (payload != null) payload.release();
            ctx.writeAndFlush(replies.error(tag, opcode, Errno.onWire(refusal.errno()), refusal.reason()))
                    .addListener(answered);
            return;
        }
        Channel ch = ctx.channel();
        session.started();
        if (export.backend().neverBlocks()) {
            answerInline(ctx, execute(ch, opcode, length, received, fua, payload, tag, replies, call));
            return;
        }
        if (now != null) { // payload is null: only reads are tried
            Object reply = execute(ch, opcode, length, received, fua, null, tag, replies, now);
            if (reply != WOULD_BLOCK) {
                answerInline(ctx, reply);
                return;
            }
        }
        try {
            io.execute(() -> {
                Object reply = execute(ch, opcode, length, received, fua, payload, tag, replies, call);
                if (reply != null) {
                    // The listeners are on the promise before the write: they must run on the event loop the moment
                    // the reply is written, before the client (which may then send again) can be read from.
                    ch.writeAndFlush(reply, ch.newPromise().addListener(answered).addListener(finished));
                } else {
                    session.finished();
                    try {
                        ch.eventLoop().execute(this::freed);
                    } catch (RejectedExecutionException closing) {
                        // the server is shutting down: nothing left to account for
                    }
                }
            });
        } catch (RejectedExecutionException e) { // shutting down
            session.finished();
            if (payload != null) payload.release();
            ctx.writeAndFlush(replies.error(tag, opcode, Errno.ESHUTDOWN, "server is shutting down"))
                    .addListener(answered);
        }
    }

    /** Writes the reply of a request run on the event loop (flushed once per read burst), or drops a fenced one. */
    private void answerInline(ChannelHandlerContext ctx, Object reply) {
        if (reply != null) {
            ctx.write(reply).addListener(answered).addListener(finished);
            unflushed = true;
        } else {
            freed();
            session.finished();
        }
    }

    /** A READ from memory on the event loop, or {@link #WOULD_BLOCK} when the backend would have to wait. */
    private static <T> Object readNow(Backend b, long offset, int length, T tag, Replies<T> replies) throws Exception {
        ByteBuf data = read(b, offset, length, true);
        return data != null ? replies.ok(tag, Opcode.READ, data) : WOULD_BLOCK;
    }

    /**
     * A READ's data in a new buffer: {@link Backend#readNow} when {@code now} (null when it would have to wait),
     * else {@link Backend#read}. The buffer is released on every path that does not return it.
     */
    private static ByteBuf read(Backend b, long offset, int length, boolean now) throws Exception {
        ByteBuf data = Buffers.ALLOCATOR.directBuffer(length);
        boolean done = false;
        try {
            if (now) {
                done = b.readNow(offset, data, length);
            } else {
                b.read(offset, data, length);
                done = true;
            }
        } finally {
            if (!done) data.release();
        }
        return done ? data : null;
    }

    /** The listener that frees a request's slot once a reply the front door wrote itself (a refusal) is written. */
    public ChannelFutureListener requestAnswered() {
        return answered;
    }

    /** Requests admitted whose replies are not written yet. Event loop only. */
    public int inFlight() {
        return limit.requests();
    }

    /**
     * Runs {@code action} on the event loop each time a request's slot frees (its reply written, or the request
     * dropped): for a front door that holds requests back instead of refusing them (NBD cannot tell a client its
     * limit).
     */
    public void whenSlotFrees(Runnable action) {
        this.slotFreed = action;
    }

    private void freed() {
        limit.requestDropped();
        if (slotFreed != null) slotFreed.run();
    }

    /** Flushes the replies of inline requests once per read burst; call from the handler's channelReadComplete. */
    public void readComplete(ChannelHandlerContext ctx) {
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
    }

    /**
     * Why the request cannot run by the export rule, or null. A refusal because the grant is read-only names why:
     * the export itself, or this client's access rule.
     */
    private DstException refusal(int opcode, long offset, long length, ByteBuf payload) {
        DstException refusal = granted.refusal(opcode, offset, length, export.size()); // the live size: it may have grown
        if (refusal != null && refusal.errno() == Errno.EROFS && !export.readOnly()) {
            return new DstException(Errno.EROFS, "this client may only read export '" + export.name() + "'");
        }
        return refusal;
    }

    /** Why the request exceeds what the connection was granted (sizes), or null. */
    private DstException grantRefusal(int opcode, long length, ByteBuf payload) {
        if (opcode == Opcode.READ && length > granted.maxRequest()) {
            return new DstException(Errno.EINVAL, "read of " + length + " bytes exceeds the negotiated maximum " + granted.maxRequest());
        }
        if (opcode == Opcode.WRITE && (payload == null || payload.readableBytes() != length)) {
            return new DstException(Errno.EINVAL, "write length " + length + " but payload of "
                    + (payload == null ? 0 : payload.readableBytes()) + " bytes");
        }
        return null;
    }

    /**
     * Runs the request (on an I/O thread, or inline) and returns its reply, or null when its connection is
     * already gone: then it is discarded (fencing: its client resends it on the new connection, and running it
     * now could land stale data). The caller ends it in the session.
     */
    private <T> Object execute(Channel ch, int opcode, long length, long received, boolean fua, ByteBuf payload, T tag,
                               Replies<T> replies, Call call) {
        try {
            if (fenced && (!ch.isActive() || !session.isCurrent(ch))) return null;
            Object reply = call.run(export.backend());
            if (reply == WOULD_BLOCK) return reply; // not run: the caller hands it to an I/O thread
            if (fua && Opcode.modifies(opcode)) {
                try {
                    export.backend().flush();
                } catch (Throwable t) {
                    ReferenceCountUtil.release(reply);
                    throw t;
                }
            }
            session.served(opcode, length, System.nanoTime() - received);
            return reply;
        } catch (Throwable t) {
            session.failed(opcode);
            int errno = DstException.errnoOf(t);
            String text = t instanceof DstException d ? d.reason() : t.getMessage() == null ? t.toString() : t.getMessage();
            if (errno == Errno.EIO) {
                LOG.log(Level.WARNING, export.name() + ": " + tag + " failed", t);
            }
            return replies.error(tag, opcode, Errno.onWire(errno), text);
        } finally {
            if (payload != null) payload.release();
        }
    }

    /** The shared backend call (FUA is the flush after it, in execute). Returns READ data. */
    private static ByteBuf run(Backend b, int opcode, long offset, long length, ByteBuf payload) throws Exception {
        switch (opcode) {
            case Opcode.READ -> {
                return read(b, offset, (int) length, false);
            }
            case Opcode.WRITE -> b.write(offset, payload);
            case Opcode.FLUSH -> b.flush();
            case Opcode.TRIM -> b.trim(offset, length);
            case Opcode.WRITE_ZEROES -> b.writeZeroes(offset, length);
            default -> throw new DstException(Errno.EOPNOTSUPP, "opcode " + opcode);
        }
        return null;
    }
}
