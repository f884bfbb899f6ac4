package dst.server.net;

import dst.protocol.Errno;
import dst.protocol.Opcode;
import dst.protocol.Reply;
import dst.protocol.Request;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * dst's front door to the {@link RequestPath}: turns each decoded {@link Request} into a call of the shared path
 * and its outcome into a {@link Reply}; answers PINGs itself. Request errors are replies with an errno, never
 * a closed connection.
 *
 * <p>Each connection may have at most the {@code MAX_IN_FLIGHT} its WELCOME announced unanswered
 * ({@link InFlightLimit}); a client that sends more gets the error frame (EPROTO) and its connection, and
 * only that one, is closed. Nothing more is read from it; requests already read are dropped.
 *
 * <p>Ownership: takes each {@link Request} and hands its payload to the path, which releases it; the READ
 * reply buffer is owned by the {@link Reply} and released by the encoder.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter implements RequestPath.Replies<Request> {
    private static final Logger LOG = Logger.getLogger(RequestHandler.class.getName());
    /** A flooding client makes one warning per connection: capped per address. */
    private static final LogLimiter OVERRUNS = new LogLimiter();
    /** After the error frame of an overrun: time for the client to read it before the close. */
    private static final long OVERRUN_LINGER_MILLIS = 100;
    /** Closes an overrun connection even when the error frame cannot be written (a client that reads nothing). */
    private static final long OVERRUN_CLOSE_MILLIS = 5000;

    private final RequestPath path;
    private boolean overrun; // the client exceeded the limit: the connection is being closed (event loop only)
    private boolean released; // the client ended its session: nothing after the RELEASE runs (event loop only)

    RequestHandler(RequestPath path) {
        this.path = path;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Request r)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (overrun || released) {
            r.release();
            return;
        }
        if (r.opcode() == Opcode.RELEASE) { // the client detaches: its session (and claim) ends, the connection with it
            r.release();
            released = true;
            path.release();
            ctx.writeAndFlush(Reply.ok(Opcode.RELEASE, r.transactionId())).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            return;
        }
        boolean ping = r.opcode() == Opcode.PING;
        if (ping ? !path.admitPing() : !path.admit()) {
            r.release();
            overrun(ctx, ping ? "more than " + InFlightLimit.MAX_PENDING_PINGS + " PING replies not read"
                    : "more than " + path.maxInFlight() + " requests in flight (MAX_IN_FLIGHT of the WELCOME)");
            return;
        }
        if (ping) {
            r.release();
            ctx.writeAndFlush(Reply.ok(Opcode.PING, r.transactionId())).addListener(path.pingAnswered());
            return;
        }
        path.serve(ctx, r.opcode(), r.offset(), Integer.toUnsignedLong(r.length()), r.fua(), r.payload(), r, this);
    }

    @Override
    public Object ok(Request r, int opcode, ByteBuf data) {
        return data == null ? Reply.ok(opcode, r.transactionId()) : new Reply(opcode, r.transactionId(), Errno.OK, data);
    }

    @Override
    public Object error(Request r, int opcode, int errno, String message) {
        return Reply.error(opcode, r.transactionId(), errno, message);
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

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        path.readComplete(ctx);
        ctx.fireChannelReadComplete();
    }
}
