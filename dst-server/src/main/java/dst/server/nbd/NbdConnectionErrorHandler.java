package dst.server.nbd;

import dst.server.net.LogLimiter;
import dst.server.net.PeerAddress;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;

import java.io.IOException;
import java.util.logging.Logger;

/**
 * Last handler of every NBD pipeline: a connection that sent a frame that cannot be parsed, or stayed quiet in the
 * handshake past the idle timeout, is closed (a hard disconnect: NBD has no error frame). Only that connection.
 * Warnings are capped per address. Stateless, so shared.
 */
@ChannelHandler.Sharable
final class NbdConnectionErrorHandler extends ChannelInboundHandlerAdapter {
    static final NbdConnectionErrorHandler INSTANCE = new NbdConnectionErrorHandler();
    private static final Logger LOG = Logger.getLogger(NbdConnectionErrorHandler.class.getName());
    private static final LogLimiter BAD_FRAMES = new LogLimiter();

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof IOException || root instanceof io.netty.handler.ssl.NotSslRecordException) {
            LOG.fine(() -> ctx.channel().remoteAddress() + ": " + root);
        } else {
            String line = BAD_FRAMES.admit(PeerAddress.of(ctx.channel()),
                    ctx.channel().remoteAddress() + ": NBD connection closed: " + PeerAddress.printable(String.valueOf(root.getMessage())));
            if (line != null) LOG.warning(line);
        }
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            LOG.warning(ctx.channel().remoteAddress() + ": NBD handshake idle past the timeout, closing");
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
