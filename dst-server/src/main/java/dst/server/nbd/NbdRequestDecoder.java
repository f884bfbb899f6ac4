package dst.server.nbd;

import dst.protocol.nbd.Nbd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;

import java.util.List;

/**
 * Decodes transmission-phase requests into {@link NbdRequest}s, compact or extended as negotiated.
 * <pre>
 * compact (28 B):  | 0x25609513 u32 | flags u16 | type u16 | cookie u64 | offset u64 | length u32 | [data]
 * extended (32 B): | 0x21e41c71 u32 | flags u16 | type u16 | cookie u64 | offset u64 | length u64 | [data]
 * </pre>
 * A compact request carries data only for NBD_CMD_WRITE ({@code length} bytes); an extended one exactly when its
 * flags have NBD_CMD_FLAG_PAYLOAD_LEN. Checks before buffering anything: a wrong magic ends the connection (the
 * stream can no longer be framed). A payload over {@code maxPayload}: an extended request's ends the connection (as
 * the extension says); a compact WRITE's up to {@link #MAX_SKIPPED} is skipped as it arrives, without buffering,
 * and the request is handed on with {@code payloadDropped} to be answered with an error (the spec's "cleanly error
 * commands outside the constraints"), above that the connection ends.
 *
 * <p>Ownership: the payload is a retained slice of the cumulation; the receiver releases the request.
 */
final class NbdRequestDecoder extends FailFastDecoder {
    /** The spec's limit below which no payload should be considered a denial of service (2^25). */
    static final int MAX_SKIPPED = 32 * 1024 * 1024;

    private final boolean extended;
    private final int maxPayload;
    private long skipping; // payload bytes of an oversized WRITE still to throw away

    NbdRequestDecoder(boolean extended, int maxPayload) {
        if (maxPayload < 512) throw new IllegalArgumentException("maxPayload must be at least 512, got " + maxPayload);
        this.extended = extended;
        this.maxPayload = maxPayload;
    }

    @Override
    protected void decodeFrame(ByteBuf in, List<Object> out) {
        if (skipping > 0) {
            int n = (int) Math.min(skipping, in.readableBytes());
            in.skipBytes(n);
            skipping -= n;
            if (skipping > 0) return;
        }
        int size = extended ? Nbd.EXTENDED_REQUEST_SIZE : Nbd.REQUEST_SIZE;
        if (in.readableBytes() < size) return;
        int at = in.readerIndex();
        int magic = in.getInt(at);
        int expected = extended ? Nbd.EXTENDED_REQUEST_MAGIC : Nbd.REQUEST_MAGIC;
        if (magic != expected) {
            throw new CorruptedFrameException("bad NBD request magic 0x" + Integer.toHexString(magic) + " (expected 0x"
                    + Integer.toHexString(expected) + ")");
        }
        int flags = in.getUnsignedShort(at + 4);
        int type = in.getUnsignedShort(at + 6);
        long cookie = in.getLong(at + 8);
        long offset = in.getLong(at + 16);
        long length = extended ? in.getLong(at + 24) : in.getUnsignedInt(at + 24);
        boolean hasPayload = extended ? (flags & Nbd.CMD_FLAG_PAYLOAD_LEN) != 0 : type == Nbd.CMD_WRITE;
        if (!hasPayload) {
            in.skipBytes(size);
            out.add(new NbdRequest(flags, type, cookie, offset, length));
            return;
        }
        if (Long.compareUnsigned(length, maxPayload) > 0) {
            if (extended || length > MAX_SKIPPED) {
                throw new TooLongFrameException(Nbd.commandName(type) + " with a payload of " + Long.toUnsignedString(length)
                        + " bytes (at most " + maxPayload + ")");
            }
            in.skipBytes(size);
            skipping = length;
            out.add(new NbdRequest(flags, type, cookie, offset, length, Unpooled.EMPTY_BUFFER, true));
            return;
        }
        if (in.readableBytes() < size + length) return;
        in.skipBytes(size);
        out.add(new NbdRequest(flags, type, cookie, offset, length, in.readRetainedSlice((int) length), false));
    }
}
