package dst.protocol;

import io.netty.buffer.ByteBuf;

/** Client side: bytes to {@link Reply}s. Layout in {@link ReplyHeader}; checks in {@link FrameDecoder}. */
public final class ReplyDecoder extends FrameDecoder {
    public ReplyDecoder(int maxPayload, boolean crc) {
        super(ReplyHeader.MAGIC, ReplyHeader.SIZE, ReplyHeader.HEADER_CRC_OFFSET,
                ReplyHeader.PAYLOAD_LENGTH_OFFSET, ReplyHeader.PAYLOAD_CRC_OFFSET,
                Math.max(maxPayload, Reply.MAX_MESSAGE), crc);
    }

    @Override
    protected Object toMessage(ByteBuf h, ByteBuf payload) {
        return new Reply(
                h.getUnsignedByte(ReplyHeader.OPCODE_OFFSET),
                h.getLong(ReplyHeader.TRANSACTION_ID_OFFSET),
                h.getInt(ReplyHeader.STATUS_OFFSET),
                payload);
    }
}
