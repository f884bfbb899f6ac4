package dst.server.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * A decoder for a stream NBD cannot resynchronise: after the first broken frame (the exception closes the
 * connection) every later byte is discarded, so the same error is not raised again while the connection closes.
 */
abstract class FailFastDecoder extends ByteToMessageDecoder {
    private boolean failed;

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            decodeFrame(in, out);
        } catch (RuntimeException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    /** Decodes what {@code in} holds, as {@link ByteToMessageDecoder#decode}; throws on a broken frame. */
    protected abstract void decodeFrame(ByteBuf in, List<Object> out);
}
