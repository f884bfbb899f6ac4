package dst.client.net.nbd;

import dst.client.net.ClientTls;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.nbd.Nbd;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The client's side of the NBD fixed newstyle handshake, one connection:
 *
 * <pre>
 * server: NBDMAGIC IHAVEOPT u16 handshake-flags        client: u32 client-flags
 * [client: IHAVEOPT u32 STARTTLS u32 0                 server: reply ACK, then TLS from the next byte]
 * client: IHAVEOPT u32 EXTENDED_HEADERS u32 0         server: reply ACK (structured replies too), or an error:
 * client: IHAVEOPT u32 STRUCTURED_REPLY u32 0         server: reply ACK (or ERR_UNSUP: simple replies)
 * [structured: IHAVEOPT u32 SET_META_CONTEXT u32 len  u32 namelen name u32 1 u32 15 "base:allocation"
 *  server: reply META_CONTEXT(u32 id, name) ... ACK     (or an error: no BLOCK_STATUS)]
 * client: IHAVEOPT u32 GO u32 len  u32 namelen name u16 1 u16 INFO_BLOCK_SIZE
 * server: reply INFO(EXPORT: u64 size, u16 flags) [INFO(BLOCK_SIZE: u32 min, pref, max)] ... ACK
 *         or ERR_UNSUP -> client: IHAVEOPT u32 EXPORT_NAME u32 len name
 *                         server: u64 size, u16 flags [124 zero bytes unless NO_ZEROES]
 * option reply: u64 0x3e889045565a9, u32 option, u32 reply type, u32 length, data
 * </pre>
 * Completes {@code result} with the {@link NbdExport} the server offered, or with a {@link DstException}
 * saying why not. Every byte after the handshake is left to the data-phase decoder that replaces this one.
 */
final class NbdHandshakeHandler extends ByteToMessageDecoder {
    private enum State { GREETING, STARTTLS, EXTENDED, STRUCTURED, META_CONTEXT, GO, EXPORT_NAME, DONE }

    
    private final String export;
    private final SslContext tls;
    private final String peerHost;
    private final int peerPort;
    private final CompletableFuture<NbdExport> result;
    private State state = State.GREETING;
    private boolean noZeroes;
    private boolean structured;
    private boolean extended;
    private long size = -1;
    private int flags;
    private int minBlock;
    private int preferredBlock;
    private int maxBlock;
    private long metaContext = -1;

    /** {@code tls}: start TLS with NBD_OPT_STARTTLS before anything else (nbds://), or null. */
    NbdHandshakeHandler(String export, SslContext tls, String peerHost, int peerPort, CompletableFuture<NbdExport> result) {
        this.export = export;
        this.tls = tls;
        this.peerHost = peerHost;
        this.peerPort = peerPort;
        this.result = result;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws DstException {
        while (state != State.DONE && !result.isDone()) {
            if (state == State.GREETING) {
                if (in.readableBytes() < 18) return;
                greeting(ctx, in);
            } else if (state == State.EXPORT_NAME) {
                int need = 10 + (noZeroes ? 0 : 124);
                if (in.readableBytes() < need) return;
                size = in.readLong();
                flags = in.readUnsignedShort();
                in.skipBytes(need - 10);
                finish();
            } else {
                if (in.readableBytes() < Nbd.OPTION_REPLY_SIZE) return;
                int length = in.getInt(in.readerIndex() + 16);
                if (length < 0 || length > 1 << 20) throw new DstException(Errno.EPROTO, "NBD option reply of " + Integer.toUnsignedLong(length) + " bytes");
                if (in.readableBytes() < Nbd.OPTION_REPLY_SIZE + length) return;
                long magic = in.readLong();
                int option = in.readInt();
                int type = in.readInt();
                in.skipBytes(4);
                if (magic != Nbd.OPTION_REPLY_MAGIC) throw new DstException(Errno.EPROTO, "bad NBD option reply magic " + Long.toHexString(magic));
                ByteBuf data = in.readSlice(length);
                optionReply(ctx, option, type, data);
            }
        }
        // Bytes after the handshake stay in the cumulation: on removal they go to the data-phase decoder.
    }

    private void greeting(ChannelHandlerContext ctx, ByteBuf in) throws DstException {
        long magic = in.readLong();
        long opt = in.readLong();
        int handshakeFlags = in.readUnsignedShort();
        if (magic != Nbd.NBDMAGIC) throw new DstException(Errno.EPROTO, "not an NBD server (no NBDMAGIC greeting)");
        if (opt != Nbd.IHAVEOPT) throw new DstException(Errno.EPROTO, "old-style NBD server (no IHAVEOPT): only the fixed newstyle handshake is supported");
        if ((handshakeFlags & Nbd.FLAG_FIXED_NEWSTYLE) == 0) throw new DstException(Errno.EPROTO, "NBD server without fixed newstyle negotiation");
        noZeroes = (handshakeFlags & Nbd.FLAG_NO_ZEROES) != 0;
        ByteBuf reply = ctx.alloc().buffer(4);
        reply.writeInt(Nbd.FLAG_C_FIXED_NEWSTYLE | (noZeroes ? Nbd.FLAG_C_NO_ZEROES : 0));
        ctx.write(reply);
        if (tls != null) {
            option(ctx, Nbd.OPT_STARTTLS, null);
            state = State.STARTTLS;
        } else {
            extendedHeaders(ctx);
        }
    }

    /** Extended headers first: they include structured replies; a server without them gets asked for those. */
    private void extendedHeaders(ChannelHandlerContext ctx) {
        option(ctx, Nbd.OPT_EXTENDED_HEADERS, null);
        state = State.EXTENDED;
    }

    private void structuredReplies(ChannelHandlerContext ctx) {
        option(ctx, Nbd.OPT_STRUCTURED_REPLY, null);
        state = State.STRUCTURED;
    }

    private void optionReply(ChannelHandlerContext ctx, int option, int type, ByteBuf data) throws DstException {
        if (state == State.STARTTLS) {
            if (option != Nbd.OPT_STARTTLS) throw unexpected(option);
            if (type != Nbd.REP_ACK) {
                throw new DstException(Errno.EACCES, "NBD server does not offer TLS (NBD_OPT_STARTTLS: " + Nbd.describeOptionError(type) + ")");
            }
            // Everything from here on is encrypted; the options below wait in the SslHandler for its handshake.
            ctx.pipeline().addFirst("tls", tls.newHandler(ctx.alloc(), peerHost, peerPort));
            extendedHeaders(ctx);
        } else if (state == State.EXTENDED) {
            if (option != Nbd.OPT_EXTENDED_HEADERS) throw unexpected(option);
            extended = type == Nbd.REP_ACK;
            if (extended) {
                structured = true;
                metaContext(ctx);
            } else {
                structuredReplies(ctx);
            }
        } else if (state == State.STRUCTURED) {
            if (option != Nbd.OPT_STRUCTURED_REPLY) throw unexpected(option);
            structured = type == Nbd.REP_ACK;
            if (structured) metaContext(ctx);
            else go(ctx);
        } else if (state == State.META_CONTEXT) {
            if (option != Nbd.OPT_SET_META_CONTEXT) throw unexpected(option);
            if (type == Nbd.REP_META_CONTEXT && data.readableBytes() >= 4) {
                long id = data.readUnsignedInt();
                if (data.toString(StandardCharsets.UTF_8).equals(Nbd.BASE_ALLOCATION)) metaContext = id;
            } else if (type == Nbd.REP_ACK || (type & Nbd.REP_FLAG_ERROR) != 0) {
                go(ctx); // an error only means no BLOCK_STATUS: every range counts as data
            }
        } else if (state == State.GO) {
            if (option != Nbd.OPT_GO) throw unexpected(option);
            if (type == Nbd.REP_INFO) {
                info(data);
            } else if (type == Nbd.REP_ACK) {
                if (size < 0) throw new DstException(Errno.EPROTO, "NBD server finished OPT_GO without telling the export size");
                finish();
            } else if (type == Nbd.REP_ERR_UNSUP) {
                exportName(ctx); // a server older than OPT_GO
            } else if ((type & Nbd.REP_FLAG_ERROR) != 0) {
                String msg = data.readableBytes() > 0 ? ": " + data.toString(StandardCharsets.UTF_8) : "";
                throw new DstException(errnoOfOptionError(type), "NBD server refused " + exportLabel() + ": "
                        + Nbd.describeOptionError(type) + msg);
            }
            // other reply types (e.g. NBD_REP_SERVER) carry nothing we need
        }
    }

    private void info(ByteBuf data) throws DstException {
        if (data.readableBytes() < 2) throw new DstException(Errno.EPROTO, "NBD_REP_INFO without a type");
        int type = data.readUnsignedShort();
        if (type == Nbd.INFO_EXPORT) {
            if (data.readableBytes() < 10) throw new DstException(Errno.EPROTO, "short NBD_INFO_EXPORT");
            size = data.readLong();
            flags = data.readUnsignedShort();
        } else if (type == Nbd.INFO_BLOCK_SIZE) {
            if (data.readableBytes() < 12) throw new DstException(Errno.EPROTO, "short NBD_INFO_BLOCK_SIZE");
            minBlock = data.readInt();
            preferredBlock = data.readInt();
            maxBlock = data.readInt();
        }
    }

    /** Asks for base:allocation, so BLOCK_STATUS can tell holes (copy skips them). */
    private void metaContext(ChannelHandlerContext ctx) {
        byte[] name = export.getBytes(StandardCharsets.UTF_8);
        byte[] query = Nbd.BASE_ALLOCATION.getBytes(StandardCharsets.UTF_8);
        ByteBuf data = ctx.alloc().buffer(4 + name.length + 8 + query.length);
        data.writeInt(name.length).writeBytes(name).writeInt(1).writeInt(query.length).writeBytes(query);
        option(ctx, Nbd.OPT_SET_META_CONTEXT, data);
        state = State.META_CONTEXT;
    }

    private void go(ChannelHandlerContext ctx) {
        byte[] name = export.getBytes(StandardCharsets.UTF_8);
        ByteBuf data = ctx.alloc().buffer(4 + name.length + 4);
        data.writeInt(name.length).writeBytes(name).writeShort(1).writeShort(Nbd.INFO_BLOCK_SIZE);
        option(ctx, Nbd.OPT_GO, data);
        state = State.GO;
    }

    private void exportName(ChannelHandlerContext ctx) {
        option(ctx, Nbd.OPT_EXPORT_NAME, ctx.alloc().buffer().writeBytes(export.getBytes(StandardCharsets.UTF_8)));
        state = State.EXPORT_NAME;
    }

    private void option(ChannelHandlerContext ctx, int option, ByteBuf data) {
        int length = data == null ? 0 : data.readableBytes();
        ByteBuf header = ctx.alloc().buffer(16);
        header.writeLong(Nbd.IHAVEOPT).writeInt(option).writeInt(length);
        ctx.write(header);
        if (data != null) ctx.write(data);
        ctx.flush();
    }

    private void finish() throws DstException {
        if (size < 0) throw new DstException(Errno.EPROTO, "NBD export with a negative size");
        state = State.DONE;
        result.complete(new NbdExport(export, size, flags, structured, extended, minBlock, preferredBlock, maxBlock, metaContext));
    }

    /** The export as messages name it: an empty name is the server's default export. */
    private String exportLabel() {
        return export.isEmpty() ? "the default export" : "export '" + export + "'";
    }

    private static DstException unexpected(int option) {
        return new DstException(Errno.EPROTO, "NBD server answered option " + option + " we did not ask about now");
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) result.completeExceptionally(ClientTls.failure(e));
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        String why = state == State.EXPORT_NAME ? "NBD server closed the connection: no " + exportLabel() + " (NBD_OPT_EXPORT_NAME refused)"
                : "NBD server closed the connection during the handshake";
        result.completeExceptionally(new DstException(state == State.EXPORT_NAME ? Errno.ENOENT : Errno.ECONNRESET, why));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        result.completeExceptionally(root instanceof DstException ? root
                : new DstException(Errno.EPROTO, "NBD handshake failed: " + root.getMessage(), root));
        ctx.close();
    }

    /** The errno a refusal becomes (exit codes: 4 = refused). */
    private static int errnoOfOptionError(int reply) {
        return switch (reply) {
            case Nbd.REP_ERR_UNKNOWN -> Errno.ENOENT;
            case Nbd.REP_ERR_POLICY, Nbd.REP_ERR_TLS_REQD -> Errno.EACCES;
            case Nbd.REP_ERR_SHUTDOWN -> Errno.ESHUTDOWN;
            case Nbd.REP_ERR_UNSUP, Nbd.REP_ERR_PLATFORM -> Errno.EOPNOTSUPP;
            default -> Errno.EPROTO;
        };
    }
}
