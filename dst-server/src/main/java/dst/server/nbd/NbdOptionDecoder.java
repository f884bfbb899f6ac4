package dst.server.nbd;

import dst.protocol.nbd.Nbd;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;

import java.util.List;

/**
 * Decodes what a client sends during the NBD handshake: first its client flags, then options.
 * <pre>
 * client flags:  +--------------+
 *                | flags u32    |
 *                +--------------+
 * option:        +---------------------+-----------+-----------+----------------+
 *                | "IHAVEOPT" u64      | option u32| length u32| data (length B)|
 *                +---------------------+-----------+-----------+----------------+
 * </pre>
 * Emits one {@link NbdClientFlags}, then {@link NbdOption}s whose data is a retained slice (the receiver
 * releases it). Checks before it buffers: a wrong magic, unknown client flags, or an option longer than
 * {@link #MAX_OPTION_DATA} end the connection (a hard disconnect, the only answer NBD has to a broken frame).
 * Bytes that follow an {@code NBD_OPT_STARTTLS} in the same read were sent in plaintext before the server's
 * answer and could be injected by a man in the middle: they end the connection too.
 *
 * <p>When the handshake ends (NBD_OPT_GO, NBD_OPT_EXPORT_NAME), the handshake handler removes this decoder;
 * bytes it still holds flow on to the request decoder (ByteToMessageDecoder hands them on when removed).
 */
final class NbdOptionDecoder extends FailFastDecoder {
    /** Longest option data accepted: an export name and a few meta context queries of NBD's 4096-byte strings. */
    static final int MAX_OPTION_DATA = 64 * 1024;
    private static final int HEADER = 16;
    private static final int KNOWN_CLIENT_FLAGS = Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES;

    private boolean flagsRead;

    @Override
    protected void decodeFrame(ByteBuf in, List<Object> out) {
        if (!flagsRead) {
            if (in.readableBytes() < 4) return;
            int flags = in.readInt();
            if ((flags & ~KNOWN_CLIENT_FLAGS) != 0) {
                throw new CorruptedFrameException("unknown NBD client flags 0x" + Integer.toHexString(flags));
            }
            flagsRead = true;
            out.add(new NbdClientFlags(flags));
            return;
        }
        if (in.readableBytes() < HEADER) return;
        int at = in.readerIndex();
        long magic = in.getLong(at);
        if (magic != Nbd.IHAVEOPT) {
            throw new CorruptedFrameException("bad NBD option magic 0x" + Long.toHexString(magic));
        }
        int option = in.getInt(at + 8);
        long length = in.getUnsignedInt(at + 12);
        if (length > MAX_OPTION_DATA) {
            throw new TooLongFrameException(Nbd.optionName(option) + " with " + length + " bytes of data (at most "
                    + MAX_OPTION_DATA + ")");
        }
        if (in.readableBytes() < HEADER + length) return;
        if (option == Nbd.OPT_STARTTLS && in.readableBytes() > HEADER + length) {
            throw new CorruptedFrameException("data after NBD_OPT_STARTTLS, before the TLS handshake");
        }
        in.skipBytes(HEADER);
        out.add(new NbdOption(option, in.readRetainedSlice((int) length)));
    }
}
