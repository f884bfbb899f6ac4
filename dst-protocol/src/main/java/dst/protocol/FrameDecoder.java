package dst.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Shared decoding of data-phase frames (requests and replies have the same shape: fixed header,
 * optional payload). Checks, in order and before any allocation: magic, header crc32c, payload length
 * against the negotiated maximum; then, once the payload is complete, its crc32c. Subclasses only
 * turn a validated header plus payload into a message.
 *
 * <p>Ownership: the payload is handed on as a {@code retainedSlice} of the cumulation, owned by the
 * produced message. After a bad frame the decoder drops all further input: framing is lost and the
 * connection handler closes the channel after telling the peer why.
 */
public abstract class FrameDecoder extends ByteToMessageDecoder {
    private final int magic;
    private final int headerSize;
    private final int headerCrcOffset;
    private final int payloadLengthOffset;
    private final int payloadCrcOffset;
    private final int maxPayload;
    private final boolean crc;
    private boolean failed;

    protected FrameDecoder(int magic, int headerSize, int headerCrcOffset, int payloadLengthOffset,
                           int payloadCrcOffset, int maxPayload, boolean crc) {
        if (maxPayload < 0) throw new IllegalArgumentException("maxPayload: " + maxPayload);
        this.magic = magic;
        this.headerSize = headerSize;
        this.headerCrcOffset = headerCrcOffset;
        this.payloadLengthOffset = payloadLengthOffset;
        this.payloadCrcOffset = payloadCrcOffset;
        this.maxPayload = maxPayload;
        this.crc = crc;
        // A 1 MiB frame arrives in ~16 socket reads; merging them would copy every payload byte once more
        // (measured: 30-40% of the CPU per GB moved). Slices of a composite are read in place (Crc32c, backends).
        setCumulator(COMPOSITE_CUMULATOR);
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= headerSize) {
            int start = in.readerIndex();
            try {
                int actualMagic = in.getInt(start);
                if (actualMagic != magic) throw new FrameException.BadMagic(magic, actualMagic);
                if (crc) {
                    int expected = Crc32c.of(in, start, headerCrcOffset);
                    int actual = in.getInt(start + headerCrcOffset);
                    if (expected != actual) throw new FrameException.HeaderChecksum(expected, actual);
                }
                long payloadLength = in.getUnsignedInt(start + payloadLengthOffset);
                if (payloadLength > maxPayload) throw new FrameException.TooLong("payload", payloadLength, maxPayload);
                int plen = (int) payloadLength;
                if (in.readableBytes() < headerSize + plen) {
                    return;
                }
                if (crc && plen > 0) {
                    int expected = Crc32c.of(in, start + headerSize, plen);
                    int actual = in.getInt(start + payloadCrcOffset);
                    if (expected != actual) {
                        throw new FrameException.PayloadChecksum(in.getLong(start + 8), expected, actual);
                    }
                }
                ByteBuf header = in.slice(start, headerSize);
                in.skipBytes(headerSize);
                ByteBuf payload = plen == 0 ? io.netty.buffer.Unpooled.EMPTY_BUFFER : in.readRetainedSlice(plen);
                out.add(toMessage(header, payload));
            } catch (FrameException e) {
                failed = true;
                in.skipBytes(in.readableBytes());
                throw e;
            }
        }
    }

    /** Builds the message from a validated header (a view, valid only during this call) and its payload. */
    protected abstract Object toMessage(ByteBuf header, ByteBuf payload);
}
