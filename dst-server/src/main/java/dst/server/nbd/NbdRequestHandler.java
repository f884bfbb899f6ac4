package dst.server.nbd;

import dst.protocol.ExportInfo;
import dst.protocol.Opcode;
import dst.protocol.nbd.Nbd;
import dst.runtime.buffers.Buffers;
import dst.server.backend.Backend;
import dst.server.backend.Extent;
import dst.server.net.DstServer;
import dst.server.net.RequestPath;
import dst.server.net.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The NBD front door to the server's shared {@link RequestPath}: turns each {@link NbdRequest} into the path's
 * {@code (opcode, offset, length, fua, payload)} and the path's outcome into an {@link NbdReply}, in any order,
 * cookie echoed. What only NBD has is checked first ({@link NbdRequestCheck}) and, where the shared dispatch does
 * not cover it, run as the front door's own call under the same rule, executor and accounting: READ with holes
 * (OFFSET_HOLE chunks), BLOCK_STATUS, CACHE, WRITE_ZEROES that may punch a hole. Request errors are error replies;
 * the connection stays.
 *
 * <p>In flight: at most the server's {@code --max-in-flight} requests per connection, counted from receipt until
 * the reply is written, as for dst connections. NBD cannot tell a client that limit, and real clients queue
 * deeper (the kernel: 128 per connection), so instead of the dst side's disconnect this side applies
 * backpressure: requests beyond the limit wait here and the connection is not read from until a slot frees. What
 * waits is bounded by one socket read; the rest stays in the kernel's buffers.
 *
 * <p>NBD_CMD_DISC: nothing more is read; requests received before it are answered, then the connection closes
 * (with a TLS close_notify when TLS runs).
 *
 * <p>Ownership: takes each request; a WRITE's payload passes to the path (which releases it), other requests are
 * released here. READ data belongs to the reply, which the encoder releases.
 */
final class NbdRequestHandler extends ChannelInboundHandlerAdapter implements RequestPath.Replies<NbdRequest> {
    /** A READ whose range has more extents than this is read whole: many tiny chunks cost more than the zeros. */
    private static final int MAX_READ_CHUNKS = 64;

    private final NbdTransmission t;
    private final RequestPath path;
    private final ArrayDeque<NbdRequest> waiting = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean disconnecting; // NBD_CMD_DISC received (event loop only)

    /** {@code granted} carries the export's size, read-only grant, max payload and max in flight for the path. */
    NbdRequestHandler(NbdTransmission t, Session session, ExportInfo granted, Executor io) {
        this.t = t;
        this.path = new RequestPath(t.export(), session, granted, io, false); // NBD never resends: no fencing
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        path.whenSlotFrees(this::slotFreed);
    }

    /** A request's reply is on the wire (or never will be): its slot is free for a waiting one. Event loop. */
    private void slotFreed() {
        if (!waiting.isEmpty()) ctx.executor().execute(this::admitWaiting); // not from inside a write's listener
        else closeIfDisconnected();
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
            closeIfDisconnected();
            return;
        }
        if (!waiting.isEmpty() || !path.admit()) {
            waiting.add(r);
            ctx.channel().config().setAutoRead(false); // backpressure until a reply frees a slot
            return;
        }
        serve(r);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        path.readComplete(ctx);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (NbdRequest r; (r = waiting.poll()) != null; ) r.release();
        ctx.fireChannelInactive();
    }

    /** Serves waiting requests while slots are free; reads again once none waits (unless the server drains). */
    private void admitWaiting() {
        while (!waiting.isEmpty() && ctx.channel().isActive() && path.admit()) {
            serve(waiting.poll());
        }
        path.readComplete(ctx);
        if (waiting.isEmpty() && !disconnecting && !DstServer.draining(ctx.channel())) {
            ctx.channel().config().setAutoRead(true);
        }
        closeIfDisconnected();
    }

    private void closeIfDisconnected() {
        if (disconnecting && waiting.isEmpty() && path.inFlight() == 0) ctx.close();
    }

    /** An admitted request: NBD's own checks, then the shared path (its dispatch, or this front door's call). */
    private void serve(NbdRequest r) {
        NbdReply refusal = NbdRequestCheck.refusal(r, t);
        if (refusal != null) {
            r.release();
            ctx.writeAndFlush(refusal).addListener(path.requestAnswered());
            return;
        }
        long offset = r.offset();
        long length = r.length();
        boolean fua = r.has(Nbd.CMD_FLAG_FUA);
        switch (r.type()) {
            case Nbd.CMD_WRITE -> path.serve(ctx, Opcode.WRITE, offset, length, fua, r.payload(), r, this);
            case Nbd.CMD_READ -> {
                r.release();
                if (t.mode().chunked() && !r.has(Nbd.CMD_FLAG_DF)) {
                    path.serve(ctx, Opcode.READ, offset, length, false, r, this, b -> NbdReply.read(r, sparseRead(b, offset, (int) length)));
                } else {
                    path.serve(ctx, Opcode.READ, offset, length, false, null, r, this);
                }
            }
            case Nbd.CMD_FLUSH -> plain(r, Opcode.FLUSH, fua);
            case Nbd.CMD_TRIM -> plain(r, Opcode.TRIM, fua);
            case Nbd.CMD_WRITE_ZEROES -> {
                r.release();
                Backend b = t.export().backend();
                if (r.has(Nbd.CMD_FLAG_NO_HOLE) || !b.canTrim()) {
                    path.serve(ctx, Opcode.WRITE_ZEROES, offset, length, fua, null, r, this);
                } else { // may become a hole: a trim reads back as zeros in every backend here, and frees the space
                    path.serve(ctx, Opcode.WRITE_ZEROES, offset, length, fua, r, this, backend -> {
                        backend.trim(offset, length);
                        return NbdReply.ok(r);
                    });
                }
            }
            case Nbd.CMD_CACHE -> { // a hint only: the range is checked, nothing is read ahead
                r.release();
                path.serve(ctx, Opcode.READ, offset, length, false, r, this, backend -> NbdReply.ok(r));
            }
            case Nbd.CMD_BLOCK_STATUS -> {
                r.release();
                path.serve(ctx, Opcode.READ, offset, length, false, r, this, backend -> NbdReply.blockStatus(r, blockStatus(backend, r)));
            }
            default -> throw new IllegalStateException("NbdRequestCheck let through " + r);
        }
    }

    private void plain(NbdRequest r, int opcode, boolean fua) {
        r.release();
        path.serve(ctx, opcode, r.offset(), r.length(), fua, null, r, this);
    }

    @Override
    public Object ok(NbdRequest r, int opcode, ByteBuf data) {
        return data == null ? NbdReply.ok(r) : NbdReply.read(r, List.of(new NbdReply.Data(r.offset(), data)));
    }

    @Override
    public Object error(NbdRequest r, int opcode, int errno, String message) {
        return NbdReply.error(r, Nbd.error(errno), message);
    }

    /** A READ's content with the holes as OFFSET_HOLE chunks instead of zeros (one run of data when there are none). */
    private static List<NbdReply.Content> sparseRead(Backend b, long offset, int length) throws Exception {
        if (length == 0) return List.of();
        List<Extent> extents = b.extents(offset, length);
        if (extents.size() == 1 && !extents.get(0).hole() || extents.size() > MAX_READ_CHUNKS) {
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
        ByteBuf data = Buffers.ALLOCATOR.directBuffer(length);
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
