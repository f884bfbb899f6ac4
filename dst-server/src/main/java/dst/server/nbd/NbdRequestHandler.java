package dst.server.nbd;

import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.server.backend.Backend;
import dst.server.backend.Extent;
import dst.server.export.Export;
import dst.server.net.DstServer;
import dst.server.net.InFlightLimit;
import dst.server.net.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves the transmission phase of one NBD connection: checks each {@link NbdRequest} against the export and
 * what was negotiated, runs it on the I/O executor (inline for a backend that never blocks), and writes one
 * {@link NbdReply} per request, in any order, cookie echoed. Request errors are error replies; the connection stays.
 *
 * <p>In flight: at most the server's {@code --max-in-flight} requests per connection, counted from receipt until the
 * reply is written ({@link InFlightLimit}), as for dst connections. NBD cannot tell a client that limit, and real
 * clients queue deeper (the kernel: 128 per connection), so instead of the dst side's disconnect this side applies
 * backpressure: requests beyond the limit wait here and the connection is not read from until a slot frees. What
 * waits is bounded by one socket read; the rest stays in the kernel's buffers.
 *
 * <p>NBD_CMD_DISC: nothing more is read; requests received before it are answered, then the connection closes
 * (with a TLS close_notify when TLS runs).
 *
 * <p>Ownership: takes each request and releases it once its backend call is done; READ data belongs to the reply,
 * which the encoder releases.
 */
final class NbdRequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(NbdRequestHandler.class.getName());
    /** A READ whose range has more extents than this is read whole: many tiny chunks cost more than the zeros. */
    private static final int MAX_READ_CHUNKS = 64;

    private final NbdTransmission t;
    private final Export export;
    private final Session session;
    private final Executor io;
    private final InFlightLimit limit;
    private final ArrayDeque<NbdRequest> waiting = new ArrayDeque<>();
    private final ChannelFutureListener finished;
    private ChannelFutureListener answered;
    private boolean unflushed; // inline replies written, not flushed yet (event loop only)
    private boolean disconnecting; // NBD_CMD_DISC received (event loop only)

    NbdRequestHandler(NbdTransmission t, Session session, Executor io, int maxInFlight) {
        this.t = t;
        this.export = t.export();
        this.session = session;
        this.io = io;
        this.limit = new InFlightLimit(maxInFlight);
        this.finished = f -> session.finished();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        answered = f -> slotFreed(ctx);
    }

    /** A request's reply is on the wire (or never will be): its slot is free for a waiting one. Event loop. */
    private void slotFreed(ChannelHandlerContext ctx) {
        limit.requestDropped();
        if (!waiting.isEmpty()) ctx.executor().execute(() -> admitWaiting(ctx)); // not from inside a flush
        else closeIfDisconnected(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof NbdRequest r)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (disconnecting) { // a client sends nothing after NBD_CMD_DISC
            r.release();
            return;
        }
        if (r.type() == Nbd.CMD_DISC) {
            r.release();
            disconnecting = true;
            ctx.channel().config().setAutoRead(false);
            closeIfDisconnected(ctx);
            return;
        }
        if (!waiting.isEmpty() || !limit.admitRequest()) {
            waiting.add(r);
            ctx.channel().config().setAutoRead(false); // backpressure until a reply frees a slot
            return;
        }
        serve(ctx, r);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushInline(ctx);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (NbdRequest r; (r = waiting.poll()) != null; ) r.release();
        ctx.fireChannelInactive();
    }

    private void flushInline(ChannelHandlerContext ctx) {
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
    }

    /** Serves waiting requests while slots are free; reads again once none waits (unless the server drains). */
    private void admitWaiting(ChannelHandlerContext ctx) {
        while (!waiting.isEmpty() && ctx.channel().isActive() && limit.admitRequest()) {
            serve(ctx, waiting.poll());
        }
        flushInline(ctx);
        if (waiting.isEmpty() && !disconnecting && !DstServer.draining(ctx.channel())) {
            ctx.channel().config().setAutoRead(true);
        }
        closeIfDisconnected(ctx);
    }

    private void closeIfDisconnected(ChannelHandlerContext ctx) {
        if (disconnecting && waiting.isEmpty() && limit.requests() == 0) ctx.close();
    }

    /** Runs an admitted request, or answers why it cannot run. */
    private void serve(ChannelHandlerContext ctx, NbdRequest r) {
        NbdReply refusal = NbdRequestCheck.refusal(r, t);
        if (refusal != null) {
            r.release();
            ctx.writeAndFlush(refusal).addListener(answered);
            return;
        }
        Channel ch = ctx.channel();
        session.started();
        if (export.backend().neverBlocks()) {
            NbdReply reply = execute(ch, r);
            if (reply != null) {
                ctx.write(reply).addListener(answered).addListener(finished);
                unflushed = true;
            } else {
                session.finished();
                slotFreed(ctx);
            }
            return;
        }
        try {
            io.execute(() -> {
                NbdReply reply = execute(ch, r);
                if (reply != null) {
                    // listeners on the promise before the write: they run on the event loop as the reply leaves
                    ch.writeAndFlush(reply, ch.newPromise().addListener(answered).addListener(finished));
                } else {
                    session.finished();
                    try {
                        ch.eventLoop().execute(() -> slotFreed(ctx));
                    } catch (RejectedExecutionException closing) {
                        // the server is shutting down: nothing left to account for
                    }
                }
            });
        } catch (RejectedExecutionException e) { // shutting down
            session.finished();
            ctx.writeAndFlush(NbdReply.error(r, Nbd.ESHUTDOWN, "server is shutting down")).addListener(answered);
            r.release();
        }
    }

    /** Runs the request and returns its reply, or null when its connection is already gone. Releases the request. */
    private NbdReply execute(Channel ch, NbdRequest r) {
        try {
            if (!ch.isActive() || !session.isCurrent(ch)) return null;
            return run(r);
        } catch (Throwable e) {
            int errno = DstException.errnoOf(e);
            if (errno == Errno.EIO) LOG.log(Level.WARNING, export.name() + ": NBD " + r + " failed", e);
            String text = e instanceof DstException d ? d.reason() : e.getMessage() == null ? e.toString() : e.getMessage();
            return NbdReply.error(r, Nbd.error(errno), text);
        } finally {
            r.release();
        }
    }

    private NbdReply run(NbdRequest r) throws Exception {
        Backend b = export.backend();
        long offset = r.offset();
        long length = r.length();
        boolean fua = r.has(Nbd.CMD_FLAG_FUA);
        switch (r.type()) {
            case Nbd.CMD_READ -> {
                return NbdReply.read(r, read(b, r));
            }
            case Nbd.CMD_WRITE -> b.write(offset, r.payload(), fua);
            case Nbd.CMD_FLUSH -> b.flush();
            case Nbd.CMD_TRIM -> {
                if (length > 0) b.trim(offset, length);
                if (fua) b.flush();
            }
            case Nbd.CMD_WRITE_ZEROES -> {
                // without NO_HOLE the range may become a hole: trim reads back as zeros here, and frees the space
                if (length > 0 && (r.has(Nbd.CMD_FLAG_NO_HOLE) || !b.canTrim())) b.writeZeroes(offset, length);
                else if (length > 0) b.trim(offset, length);
                if (fua) b.flush();
            }
            case Nbd.CMD_CACHE -> {
                // a hint only; every backend here reads at the speed it would after caching
            }
            case Nbd.CMD_BLOCK_STATUS -> {
                return NbdReply.blockStatus(r, blockStatus(b, r));
            }
            default -> throw new DstException(Errno.EINVAL, "unknown command " + r.type());
        }
        return NbdReply.ok(r);
    }

    /**
     * A READ's content: with chunked replies (and no DF flag) the holes are sent as OFFSET_HOLE chunks instead of
     * zeros; otherwise one run of data.
     */
    private List<NbdReply.Content> read(Backend b, NbdRequest r) throws Exception {
        long offset = r.offset();
        int length = (int) r.length();
        if (length == 0) return List.of();
        List<Extent> extents = t.mode().chunked() && !r.has(Nbd.CMD_FLAG_DF) ? b.extents(offset, length) : List.of();
        if (extents.size() <= 1 && (extents.isEmpty() || !extents.get(0).hole()) || extents.size() > MAX_READ_CHUNKS) {
            return List.of(new NbdReply.Data(offset, readData(b, offset, length)));
        }
        List<NbdReply.Content> content = new ArrayList<>(extents.size() + 1);
        try {
            long at = offset;
            long end = offset + length;
            for (Extent e : extents) {
                long n = Math.min(e.length(), end - at);
                content.add(e.hole() ? new NbdReply.Hole(at, n) : new NbdReply.Data(at, readData(b, at, (int) n)));
                at += n;
            }
            if (at < end) content.add(new NbdReply.Data(at, readData(b, at, (int) (end - at)))); // extents cut short
            return content;
        } catch (Throwable e) {
            for (NbdReply.Content c : content) if (c instanceof NbdReply.Data d) d.data().release();
            throw e;
        }
    }

    private static ByteBuf readData(Backend b, long offset, int length) throws Exception {
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(length);
        try {
            b.read(offset, data, length);
            return data;
        } catch (Throwable e) {
            data.release();
            throw e;
        }
    }

    /** base:allocation of the range: holes are HOLE|ZERO (they read as zeros in every backend), data is 0. */
    private NbdReply.Status blockStatus(Backend b, NbdRequest r) throws Exception {
        List<Extent> extents = b.extents(r.offset(), r.length());
        boolean one = r.has(Nbd.CMD_FLAG_REQ_ONE);
        int n = one ? 1 : extents.size();
        long[] lengths = new long[n];
        int[] flags = new int[n];
        for (int i = 0; i < n; i++) {
            Extent e = extents.get(i);
            lengths[i] = one ? Math.min(e.length(), r.length()) : e.length();
            flags[i] = e.hole() ? Nbd.STATE_HOLE | Nbd.STATE_ZERO : 0;
        }
        return new NbdReply.Status(t.metaContextId(), lengths, flags);
    }
}
