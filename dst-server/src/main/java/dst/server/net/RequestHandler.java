package dst.server.net;

import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.Opcode;
import dst.protocol.Reply;
import dst.protocol.Request;
import dst.server.backend.Backend;
import dst.server.export.Export;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves the requests of one connection: validates each against the export (range, permissions,
 * size limits), runs it on the blocking I/O executor, and writes one reply per request. Request
 * errors are replies with an errno, never a closed connection.
 *
 * <p>A backend that {@link Backend#neverBlocks() never blocks} (memory) is run right here on the event loop,
 * its replies written as they come and flushed once per read burst: no thread hand-offs at all.
 *
 * <p>Each connection may have at most the {@code MAX_IN_FLIGHT} its WELCOME announced unanswered
 * ({@link InFlightLimit}); a client that sends more gets the error frame (EPROTO) and its connection, and
 * only that one, is closed. Nothing more is read from it; requests already read are dropped.
 *
 * <p>Ownership: takes each {@link Request}, releases it when its backend call is done; the READ
 * reply buffer is owned by the {@link Reply} and released by the encoder.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(RequestHandler.class.getName());
    /** A flooding client makes one warning per connection: capped per address. */
    private static final LogLimiter OVERRUNS = new LogLimiter();
    /** After the error frame of an overrun: time for the client to read it before the close. */
    private static final long OVERRUN_LINGER_MILLIS = 100;
    /** Closes an overrun connection even when the error frame cannot be written (a client that reads nothing). */
    private static final long OVERRUN_CLOSE_MILLIS = 5000;

    private final Export export;
    private final Session session;
    private final ExportInfo info;
    private final Executor io;
    private final InFlightLimit limit;
    /**
     * A request stops counting as running for its session once its reply is on the wire (or failed to get
     * there), not when the backend returns: a shutdown or a takeover waiting for the session to be idle would
     * otherwise close the connection between the two and lose the reply.
     */
    private final ChannelFutureListener finished;
    private boolean unflushed; // inline replies written but not flushed yet (event loop only)
    private boolean overrun; // the client exceeded the limit: the connection is being closed (event loop only)

    /** {@code info} is what the WELCOME granted; its max in flight (0: none announced) is the limit enforced. */
    RequestHandler(Export export, Session session, ExportInfo info, Executor io) {
        this.export = export;
        this.session = session;
        this.info = info;
        this.io = io;
        this.limit = new InFlightLimit(info.maxInFlight() > 0 ? info.maxInFlight() : Integer.MAX_VALUE);
        this.finished = f -> session.finished();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Request r)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (overrun) {
            r.release();
            return;
        }
        boolean ping = r.opcode() == Opcode.PING;
        if (ping ? !limit.admitPing() : !limit.admitRequest()) {
            r.release();
            overrun(ctx, ping ? "more than " + InFlightLimit.MAX_PENDING_PINGS + " PING replies not read"
                    : "more than " + limit.maxRequests() + " requests in flight (MAX_IN_FLIGHT of the WELCOME)");
            return;
        }
        if (ping) {
            r.release();
            ctx.writeAndFlush(Reply.ok(Opcode.PING, r.transactionId())).addListener(limit.pingAnswered);
            return;
        }
        String refusal = validate(r);
        if (refusal != null) {
            int errno = refusalErrno(r);
            r.release();
            ctx.writeAndFlush(Reply.error(r.opcode(), r.transactionId(), errno, refusal)).addListener(limit.requestAnswered);
            return;
        }
        Channel ch = ctx.channel();
        session.started();
        if (export.backend().neverBlocks()) {
            Reply reply = execute(ch, r);
            if (reply != null) {
                ctx.write(reply).addListener(limit.requestAnswered).addListener(finished);
                unflushed = true;
            } else {
                limit.requestDropped();
                session.finished();
            }
            return;
        }
        try {
            io.execute(() -> {
                Reply reply = execute(ch, r);
                if (reply != null) {
                    // The listener is on the promise before the write: it must run on the event loop the moment the
                    // reply is written, before the client (which may then send again) can be read from.
                    ch.writeAndFlush(reply, ch.newPromise().addListener(limit.requestAnswered).addListener(finished));
                } else {
                    session.finished();
                    try {
                        ch.eventLoop().execute(limit::requestDropped);
                    } catch (RejectedExecutionException closing) {
                        // the server is shutting down: nothing left to account for
                    }
                }
            });
        } catch (RejectedExecutionException e) { // shutting down
            session.finished();
            r.release();
            ctx.writeAndFlush(Reply.error(r.opcode(), r.transactionId(), Errno.ESHUTDOWN, "server is shutting down"))
                    .addListener(limit.requestAnswered);
        }
    }

    /**
     * The client broke its in-flight limit: one error frame, then the close (after a short linger so it can
     * read the frame, or regardless after a few seconds if it reads nothing). Only this connection is affected.
     */
    private void overrun(ChannelHandlerContext ctx, String why) {
        overrun = true;
        ctx.channel().config().setAutoRead(false); // a flooding client costs no more reads (and no more garbage)
        String line = OVERRUNS.admit(ServerHandshakeHandler.peer(ctx), ctx.channel().remoteAddress() + ": " + why + ", closing the connection");
        if (line != null) LOG.warning(line);
        ctx.writeAndFlush(Reply.error(Opcode.CONNECTION_ERROR, 0, Errno.EPROTO, why))
                .addListener(f -> ctx.executor().schedule(() -> ctx.close(), OVERRUN_LINGER_MILLIS, TimeUnit.MILLISECONDS));
        ctx.executor().schedule(() -> ctx.close(), OVERRUN_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Why {@code r} cannot run, or null when it may. */
    private String validate(Request r) {
        int op = r.opcode();
        boolean writes = op == Opcode.WRITE || op == Opcode.TRIM || op == Opcode.WRITE_ZEROES;
        if (op != Opcode.READ && op != Opcode.FLUSH && !writes) {
            return "unknown opcode " + op;
        }
        if (writes && info.readOnly()) {
            return export.readOnly() ? "export '" + export.name() + "' is read-only"
                    : "this client may only read export '" + export.name() + "'";
        }
        if (op == Opcode.FLUSH) {
            return null;
        }
        long len = Integer.toUnsignedLong(r.length());
        if (r.offset() < 0 || r.offset() > export.size() || len > export.size() - r.offset()) {
            return "range " + r.offset() + "+" + len + " is outside export '" + export.name() + "' of " + export.size() + " bytes";
        }
        if (op == Opcode.READ && len > info.maxRequest()) {
            return "read of " + len + " bytes exceeds the negotiated maximum " + info.maxRequest();
        }
        if (op == Opcode.WRITE && r.payload().readableBytes() != len) {
            return "write length " + len + " but payload of " + r.payload().readableBytes() + " bytes";
        }
        return null;
    }

    private int refusalErrno(Request r) {
        int op = r.opcode();
        if (op != Opcode.READ && op != Opcode.FLUSH && op != Opcode.WRITE && op != Opcode.TRIM && op != Opcode.WRITE_ZEROES) {
            return Errno.EOPNOTSUPP;
        }
        return info.readOnly() && op != Opcode.READ ? Errno.EPERM : Errno.EINVAL;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    /**
     * Runs the request (on an I/O thread, or inline for a never-blocking backend) and returns its reply, or null
     * when its connection is already gone: then it is discarded (fencing). The caller ends it in the session.
     */
    private Reply execute(Channel ch, Request r) {
        Reply reply = null;
        try {
            if (!ch.isActive() || !session.isCurrent(ch)) {
                return null; // its client will resend it on the new connection; running it now could land stale data
            }
            reply = run(r);
        } catch (Throwable t) {
            int errno = DstException.errnoOf(t);
            String text = t instanceof DstException d ? d.reason() : t.getMessage() == null ? t.toString() : t.getMessage();
            if (errno == Errno.EIO) {
                LOG.log(Level.WARNING, export.name() + ": " + r + " failed", t);
            }
            reply = Reply.error(r.opcode(), r.transactionId(), errno, text);
        } finally {
            r.release();
        }
        return reply;
    }

    private Reply run(Request r) throws Exception {
        Backend b = export.backend();
        switch (r.opcode()) {
            case Opcode.READ -> {
                ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(r.length());
                try {
                    b.read(r.offset(), data, r.length());
                } catch (Throwable t) {
                    data.release();
                    throw t;
                }
                return new Reply(Opcode.READ, r.transactionId(), Errno.OK, data);
            }
            case Opcode.WRITE -> b.write(r.offset(), r.payload(), r.fua());
            case Opcode.FLUSH -> b.flush();
            case Opcode.TRIM -> {
                b.trim(r.offset(), Integer.toUnsignedLong(r.length()));
                if (r.fua()) b.flush();
            }
            case Opcode.WRITE_ZEROES -> {
                b.writeZeroes(r.offset(), Integer.toUnsignedLong(r.length()));
                if (r.fua()) b.flush();
            }
            default -> throw new DstException(Errno.EOPNOTSUPP, "opcode " + r.opcode());
        }
        return Reply.ok(r.opcode(), r.transactionId());
    }
}
