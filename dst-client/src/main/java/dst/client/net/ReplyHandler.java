package dst.client.net;

import dst.protocol.Failures;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;

import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Data phase of one connection, whatever the protocol: hands {@link Answer}s to the session, sends
 * keepalives on a quiet link, declares the link dead when the server stays silent, and reports the
 * connection's end. It knows the session only as {@link ConnectionEvents}.
 * Ownership: each {@link Answer} is passed on to the session, which releases it.
 */
final class ReplyHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(ReplyHandler.class.getName());
    private final ConnectionEvents session;
    private final long connection;
    private final Supplier<Object> keepalive;

    /** {@code connection}: the session's number for this connection; {@code keepalive}: the protocol's. */
    ReplyHandler(ConnectionEvents session, long connection, Supplier<Object> keepalive) {
        this.session = session;
        this.connection = connection;
        this.keepalive = keepalive;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Answer a) {
            session.answered(connection, a);
        } else if (msg instanceof SizeChanged c) {
            session.resized(connection, c.size());
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent e) {
            if (e.state() == IdleState.READER_IDLE) {
                session.dead(connection, "no reply to keepalives: server unreachable or link dead");
                ctx.close();
            } else if (e.state() == IdleState.ALL_IDLE) {
                ctx.writeAndFlush(keepalive.get());
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) session.writable(connection);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.closed(connection);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = Failures.unwrap(cause);
        if (root instanceof CorruptedFrameException || root instanceof TooLongFrameException) {
            session.badFrame(connection, (Exception) root);
        } else {
            LOG.fine(() -> "connection error: " + root);
        }
        ctx.close();
    }
}
