package dst.server.nbd;

import dst.protocol.nbd.Nbd;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Puts an {@link NbdReply} on the wire in the form the handshake negotiated:
 * <pre>
 * simple:     | 0x67446698 u32 | error u32 | cookie u64 | [READ data]
 * structured: | 0x668e33ef u32 | flags u16 | type u16 | cookie u64 | length u32 | payload      (one per chunk)
 * extended:   | 0x6e8a278c u32 | flags u16 | type u16 | cookie u64 | offset u64 | length u64 | payload
 * chunk payloads: OFFSET_DATA  offset u64 | data        OFFSET_HOLE offset u64 | size u32
 *                 BLOCK_STATUS id u32 | (length u32 | flags u32)*
 *                 BLOCK_STATUS_EXT id u32 | count u32 | (length u64 | flags u64)*
 *                 ERROR        error u32 | message length u16 | message
 * </pre>
 * Chunks of one reply go out together, NBD_REPLY_FLAG_DONE on the last. With structured replies a successful
 * request without data gets a simple reply (the spec allows it); with extended headers every reply is a chunk
 * (a NONE chunk then). READ data is passed on retained, not copied. Releases the reply after encoding (as every
 * MessageToMessageEncoder does).
 */
final class NbdReplyEncoder extends MessageToMessageEncoder<NbdReply> {
    /** Longest error message sent (NBD allows 4096; ours are short, a peer's names are cut). */
    static final int MAX_MESSAGE = 1024;

    private final ReplyMode mode;

    NbdReplyEncoder(ReplyMode mode) {
        super(NbdReply.class);
        this.mode = mode;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, NbdReply r, List<Object> out) {
        if (mode == ReplyMode.SIMPLE) {
            simple(ctx, r, out);
        } else if (r.error() != 0) {
            byte[] text = message(r);
            ByteBuf h = chunkHeader(ctx, r, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_ERROR, 6 + text.length, 6 + text.length);
            h.writeInt(r.error()).writeShort(text.length).writeBytes(text);
            out.add(h);
        } else if (r.status() != null) {
            blockStatus(ctx, r, out);
        } else if (!r.content().isEmpty()) {
            List<NbdReply.Content> content = r.content();
            for (int i = 0; i < content.size(); i++) {
                int flags = i == content.size() - 1 ? Nbd.REPLY_FLAG_DONE : 0;
                if (content.get(i) instanceof NbdReply.Data d) {
                    ByteBuf h = chunkHeader(ctx, r, flags, Nbd.REPLY_TYPE_OFFSET_DATA, 8 + d.length(), 8);
                    out.add(h.writeLong(d.offset()));
                    if (d.data().isReadable()) out.add(d.data().retain());
                } else {
                    NbdReply.Hole hole = (NbdReply.Hole) content.get(i);
                    ByteBuf h = chunkHeader(ctx, r, flags, Nbd.REPLY_TYPE_OFFSET_HOLE, 12, 12);
                    out.add(h.writeLong(hole.offset()).writeInt((int) hole.length()));
                }
            }
        } else if (mode == ReplyMode.STRUCTURED && r.command() != Nbd.CMD_READ) {
            simple(ctx, r, out);
        } else {
            out.add(chunkHeader(ctx, r, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_NONE, 0, 0));
        }
    }

    private static void simple(ChannelHandlerContext ctx, NbdReply r, List<Object> out) {
        out.add(ctx.alloc().buffer(16).writeInt(Nbd.SIMPLE_REPLY_MAGIC).writeInt(r.error()).writeLong(r.cookie()));
        if (r.error() != 0) return;
        for (NbdReply.Content c : r.content()) { // a simple READ reply: the data, holes spelled out as zeros
            if (c instanceof NbdReply.Data d) {
                if (d.data().isReadable()) out.add(d.data().retain());
            } else {
                out.add(ctx.alloc().buffer((int) c.length()).writeZero((int) c.length()));
            }
        }
    }

    private void blockStatus(ChannelHandlerContext ctx, NbdReply r, List<Object> out) {
        NbdReply.Status s = r.status();
        int n = s.lengths().length;
        if (mode == ReplyMode.EXTENDED) {
            ByteBuf h = chunkHeader(ctx, r, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_BLOCK_STATUS_EXT, 8 + 16L * n, 8 + 16 * n);
            h.writeInt(s.contextId()).writeInt(n);
            for (int i = 0; i < n; i++) h.writeLong(s.lengths()[i]).writeLong(Integer.toUnsignedLong(s.flags()[i]));
            out.add(h);
        } else {
            ByteBuf h = chunkHeader(ctx, r, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_BLOCK_STATUS, 4 + 8L * n, 4 + 8 * n);
            h.writeInt(s.contextId());
            for (int i = 0; i < n; i++) h.writeInt((int) s.lengths()[i]).writeInt(s.flags()[i]);
            out.add(h);
        }
    }

    /** A chunk header with room for {@code extra} bytes of the payload that follow it in the same buffer. */
    private ByteBuf chunkHeader(ChannelHandlerContext ctx, NbdReply r, int flags, int type, long payloadLength, int extra) {
        if (mode == ReplyMode.EXTENDED) {
            ByteBuf h = ctx.alloc().buffer(32 + extra);
            return h.writeInt(Nbd.EXTENDED_REPLY_MAGIC).writeShort(flags).writeShort(type).writeLong(r.cookie())
                    .writeLong(r.offset()).writeLong(payloadLength);
        }
        ByteBuf h = ctx.alloc().buffer(20 + extra);
        return h.writeInt(Nbd.STRUCTURED_REPLY_MAGIC).writeShort(flags).writeShort(type).writeLong(r.cookie())
                .writeInt((int) payloadLength);
    }

    private static byte[] message(NbdReply r) {
        byte[] text = r.message() == null ? new byte[0] : r.message().getBytes(StandardCharsets.UTF_8);
        return text.length <= MAX_MESSAGE ? text : java.util.Arrays.copyOf(text, MAX_MESSAGE);
    }
}
