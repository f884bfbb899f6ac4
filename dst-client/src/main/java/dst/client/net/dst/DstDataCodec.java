package dst.client.net.dst;

import dst.client.net.Answer;
import dst.client.net.Op;
import dst.client.net.SizeChanged;
import dst.client.net.WireRequest;
import dst.protocol.Errno;
import dst.protocol.Opcode;
import dst.protocol.Reply;
import dst.protocol.Request;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;

import java.util.List;
import java.util.logging.Logger;

/**
 * Between the session's protocol-neutral messages and dst frames: a {@link WireRequest} becomes a
 * {@link Request} (the transaction id is the dst transaction id), a {@link Reply} becomes an {@link Answer}.
 * A SIZE_CHANGED notification becomes a {@link SizeChanged}. PING replies (keepalive) end here; a connection error frame is logged (the server closes the connection
 * after it, and the session resends what it held).
 *
 * <p>Ownership: both directions release what they consumed (the base class does); the Request holds its
 * own reference to the payload, the Answer its own reference to the READ data.
 */
final class DstDataCodec extends MessageToMessageCodec<Reply, WireRequest> {
    private static final Logger LOG = Logger.getLogger(DstDataCodec.class.getName());
    private final String target;

    DstDataCodec(String target) {
        this.target = target;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, WireRequest r, List<Object> out) {
        out.add(new Request(opcode(r.op()), r.fua() ? Opcode.FLAG_FUA : 0, r.id(), r.offset(), r.length(), r.payload().retain()));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Reply reply, List<Object> out) {
        if (reply.opcode() == Opcode.PING) return;
        if (reply.opcode() == Opcode.SIZE_CHANGED) {
            long size = reply.notifiedSize();
            if (size < 0) LOG.warning(target + ": SIZE_CHANGED without a u64 size: ignored");
            else out.add(new SizeChanged(size));
            return;
        }
        if (reply.opcode() == Opcode.CONNECTION_ERROR) {
            LOG.warning(target + ": server reports " + Errno.name(reply.status()) + ": " + reply.message());
            return;
        }
        out.add(reply.isOk() ? Answer.ok(reply.transactionId(), reply.payload().retain())
                : Answer.error(reply.transactionId(), reply.status(), reply.message()));
    }

    static int opcode(Op op) {
        return switch (op) {
            case READ -> Opcode.READ;
            case WRITE -> Opcode.WRITE;
            case FLUSH -> Opcode.FLUSH;
            case TRIM -> Opcode.TRIM;
            case WRITE_ZEROES -> Opcode.WRITE_ZEROES;
            case RELEASE -> Opcode.RELEASE;
            case BLOCK_STATUS -> throw new IllegalArgumentException("dst has no block status: RemoteDisk answers it itself");
        };
    }
}
