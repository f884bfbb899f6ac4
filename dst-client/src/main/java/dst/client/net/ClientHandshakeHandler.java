package dst.client.net;

import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.HandshakeFrame;
import dst.protocol.Hello;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;

import java.util.concurrent.CompletableFuture;

/**
 * The client's side of the handshake: sends HELLO when connected, completes {@code result} with the
 * WELCOME's {@link ExportInfo}, or with the server's ERROR as a {@link DstException}.
 */
final class ClientHandshakeHandler extends SimpleChannelInboundHandler<HandshakeFrame> {
    private final Hello hello;
    private final CompletableFuture<ExportInfo> result;

    ClientHandshakeHandler(Hello hello, CompletableFuture<ExportInfo> result) {
        this.hello = hello;
        this.result = result;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(hello.toFrame());
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HandshakeFrame frame) {
        try {
            result.complete(ExportInfo.fromWelcome(frame));
        } catch (DstException e) {
            result.completeExceptionally(e);
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        result.completeExceptionally(new DstException(Errno.ECONNRESET, "server closed the connection during the handshake"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        result.completeExceptionally(new DstException(Errno.EPROTO, "handshake failed: " + root.getMessage(), root));
        ctx.close();
    }
}
