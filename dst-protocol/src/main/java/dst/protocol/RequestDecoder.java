package dst.protocol;

import io.netty.buffer.ByteBuf;

/** Server side: bytes to {@link Request}s. Layout in {@link RequestHeader}; checks in {@link FrameDecoder}. */
public final class RequestDecoder extends FrameDecoder {
    public RequestDecoder(int maxPayload, boolean crc) {
        super(RequestHeader.MAGIC, RequestHeader.SIZE, RequestHeader.HEADER_CRC_OFFSET,
                RequestHeader.PAYLOAD_LENGTH_OFFSET, RequestHeader.PAYLOAD_CRC_OFFSET, maxPayload, crc);
    }

    @Override
    protected Object toMessage(ByteBuf h, ByteBuf payload) {
        return new Request(
                h.getUnsignedByte(RequestHeader.OPCODE_OFFSET),
                h.getUnsignedByte(RequestHeader.FLAGS_OFFSET),
                h.getLong(RequestHeader.TRANSACTION_ID_OFFSET),
                h.getLong(RequestHeader.OFFSET_OFFSET),
                h.getInt(RequestHeader.LENGTH_OFFSET),
                payload);
    }
}
