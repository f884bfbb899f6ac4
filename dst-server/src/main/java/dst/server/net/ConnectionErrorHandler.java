package dst.server.net;

import dst.protocol.FrameException;
import dst.protocol.Errno;
import dst.protocol.Failures;
import dst.protocol.HandshakeFrame;
import dst.protocol.Opcode;
import dst.protocol.Reply;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

import dst.server.metrics.ServerMetrics;

import java.io.IOException;
import java.util.logging.Logger;

/**
 * Last handler of every server pipeline: a connection that sent a bad frame, or went quiet past the
 * idle timeout, is told why (when framing still allows it) and closed. Other connections are not
 * affected. Stateless (its counters are thread-safe), so one per server, shared by its connections.
 */
@ChannelHandler.Sharable
final class ConnectionErrorHandler extends ChannelInboundHandlerAdapter {
    private final ServerMetrics metrics;

    /** One per server: it counts into that server's {@code metrics}. */
    ConnectionErrorHandler(ServerMetrics metrics) {
        this.metrics = metrics;
    }
    private static final Logger LOG = Logger.getLogger(ConnectionErrorHandler.class.getName());
    /** A garbage sender makes a bad frame per connection: its warnings are capped per address. */
    private static final LogLimiter BAD_FRAMES = new LogLimiter();

    /** Set on a channel once its data phase started: errors then go out as replies, not handshake frames. */
    static final io.netty.util.AttributeKey<Boolean> DATA_PHASE = io.netty.util.AttributeKey.valueOf("dst.dataPhase");

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = Failures.unwrap(cause);
        if (root instanceof FrameException fe) {
            if (fe instanceof FrameException.HeaderChecksum || fe instanceof FrameException.PayloadChecksum) metrics.crcError();
            else metrics.badFrame();
            String line = BAD_FRAMES.admit(ServerHandshakeHandler.peer(ctx),
                    ctx.channel().remoteAddress() + ": bad frame, closing: " + fe.getMessage());
            if (line != null) LOG.warning(line);
            Object error = Boolean.TRUE.equals(ctx.channel().attr(DATA_PHASE).get())
                    ? Reply.error(Opcode.CONNECTION_ERROR, 0, fe.errno(), fe.getMessage())
                    : HandshakeFrame.error(fe.errno(), fe.getMessage());
            ctx.writeAndFlush(error).addListener(ChannelFutureListener.CLOSE);
        } else if (root instanceof IOException || root instanceof io.netty.handler.ssl.NotSslRecordException) {
            LOG.fine(() -> ctx.channel().remoteAddress() + ": " + root);
            ctx.close();
        } else {
            LOG.warning(ctx.channel().remoteAddress() + ": closing after unexpected error: " + root);
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            metrics.idleTimeout();
            LOG.warning(ctx.channel().remoteAddress() + ": nothing received within the idle timeout, closing (peer gone?)");
            Object error = Boolean.TRUE.equals(ctx.channel().attr(DATA_PHASE).get())
                    ? Reply.error(Opcode.CONNECTION_ERROR, 0, Errno.ETIMEDOUT, "idle timeout")
                    : HandshakeFrame.error(Errno.ETIMEDOUT, "handshake timeout");
            ctx.writeAndFlush(error).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
