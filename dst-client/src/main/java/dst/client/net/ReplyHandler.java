package dst.client.net;

import dst.protocol.FrameException;
import dst.protocol.Opcode;
import dst.protocol.Reply;
import dst.protocol.Request;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;

import java.util.logging.Logger;

/**
 * Data phase of one connection: hands replies to the {@link ClientSession}, sends keepalive PINGs on a
 * quiet link, declares the link dead when the server stays silent, and reports the connection's end.
 * Ownership: each {@link Reply} is passed on to the disk, which releases it.
 */
final class ReplyHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(ReplyHandler.class.getName());
    private final ClientSession disk;
    private final long connection;

    /** {@code connection}: the session's number for this connection. */
    ReplyHandler(ClientSession disk, long connection) {
        this.disk = disk;
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Reply r) {
            disk.onReply(connection, r);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent e) {
            if (e.state() == IdleState.READER_IDLE) {
                disk.onDead(connection, "no reply to keepalives: server unreachable or link dead");
                ctx.close();
            } else if (e.state() == IdleState.ALL_IDLE) {
                ctx.writeAndFlush(new Request(Opcode.PING, 0, 0, 0, 0));
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) disk.onWritable(connection);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disk.onDisconnected(connection);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof FrameException fe) {
            disk.onBadFrame(connection, fe);
        } else {
            LOG.fine(() -> "connection error: " + root);
        }
        ctx.close();
    }
}
