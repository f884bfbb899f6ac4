package dst.server.nbd;

import dst.protocol.nbd.Nbd;
import dst.server.export.Export;
import dst.server.export.ExportAccess;
import dst.server.metrics.ServerMetrics;
import dst.server.net.PeerAddress;
import dst.server.net.ServerConfig;
import dst.server.tls.PeerCertificate;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The server's side of the NBD fixed newstyle handshake (option haggling), section by section of the NBD
 * protocol document:
 * <pre>
 * S: NBDMAGIC IHAVEOPT flags(FIXED_NEWSTYLE|NO_ZEROES)     C: client flags
 * C: option  ->  S: option reply(ies)      (repeated; unknown options get NBD_REP_ERR_UNSUP and haggling goes on)
 * C: NBD_OPT_GO -> S: NBD_REP_INFO..., NBD_REP_ACK        then the transmission phase
 *    (or NBD_OPT_EXPORT_NAME -> S: size, flags[, 124 zeroes])
 * </pre>
 * TLS: a server with a certificate ({@code --tls}) runs in FORCEDTLS mode, as the spec's section on downgrade
 * attacks advises: until NBD_OPT_STARTTLS succeeded every option but STARTTLS and ABORT is answered
 * NBD_REP_ERR_TLS_REQD (EXPORT_NAME, which cannot fail, closes the connection), so no export is named or used in
 * plaintext. After STARTTLS all negotiated state is forgotten, as the spec requires. A server without TLS answers
 * STARTTLS with NBD_REP_ERR_POLICY.
 *
 * <p>Who the client is: NBD has no login, so it is anonymous, or the CN of the TLS client certificate the server
 * verified (mutual TLS, {@code --tls-client-ca}). The export's access rules decide as for dst clients; an
 * anonymous client is served only when the server serves anonymous clients at all.
 *
 * <p>Replies are written as ready-made buffers (this handler is the only writer in this phase). Takes every
 * {@link NbdOption} it receives and releases it.
 */
final class NbdHandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(NbdHandshakeHandler.class.getName());
    /** More options than any client needs; a peer that haggles forever is cut off. */
    static final int MAX_OPTIONS = 256;
    /** The context id of base:allocation, the one metadata context served. */
    static final int BASE_ALLOCATION_ID = 1;

    private final Map<String, Export> exports;
    private final ServerConfig config;
    private final NbdServerInitializer initializer;
    private NbdClientFlags clientFlags;
    private boolean tls;
    private boolean structured;
    private boolean extended;
    /** The export the client selected base:allocation for (NBD_OPT_SET_META_CONTEXT), or null. */
    private String metaContextExport;
    private int options;

    NbdHandshakeHandler(Map<String, Export> exports, ServerConfig config, NbdServerInitializer initializer) {
        this.exports = exports;
        this.config = config;
        this.initializer = initializer;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ByteBuf greeting = ctx.alloc().buffer(18);
        greeting.writeLong(Nbd.NBDMAGIC).writeLong(Nbd.IHAVEOPT).writeShort(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES);
        ctx.writeAndFlush(greeting);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof NbdClientFlags f) {
                clientFlags = f;
            } else if (msg instanceof NbdOption o) {
                if (++options > MAX_OPTIONS) {
                    refuse(ctx, "more than " + MAX_OPTIONS + " options");
                } else {
                    onOption(ctx, o.code(), o.data());
                }
            } else {
                ctx.fireChannelRead(ReferenceCountUtil.retain(msg));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private boolean forcedTls() {
        return config.security().tls() != null && !tls;
    }

    private void onOption(ChannelHandlerContext ctx, int option, ByteBuf data) {
        if (forcedTls() && option != Nbd.OPT_STARTTLS && option != Nbd.OPT_ABORT) {
            if (option == Nbd.OPT_EXPORT_NAME) {
                refuse(ctx, "NBD_OPT_EXPORT_NAME before NBD_OPT_STARTTLS on a TLS-only server");
            } else {
                reply(ctx, option, Nbd.REP_ERR_TLS_REQD, "this server requires TLS: send NBD_OPT_STARTTLS first");
            }
            return;
        }
        switch (option) {
            case Nbd.OPT_ABORT -> ack(ctx, option).addListener(ChannelFutureListener.CLOSE);
            case Nbd.OPT_STARTTLS -> startTls(ctx, data);
            case Nbd.OPT_LIST -> list(ctx, data);
            case Nbd.OPT_INFO, Nbd.OPT_GO -> infoOrGo(ctx, option, data);
            case Nbd.OPT_EXPORT_NAME -> exportName(ctx, data);
            case Nbd.OPT_STRUCTURED_REPLY -> {
                if (data.isReadable()) reply(ctx, option, Nbd.REP_ERR_INVALID, "NBD_OPT_STRUCTURED_REPLY takes no data");
                else if (extended) reply(ctx, option, Nbd.REP_ERR_EXT_HEADER_REQD, "extended headers are already negotiated");
                else {
                    structured = true;
                    ack(ctx, option);
                }
            }
            case Nbd.OPT_EXTENDED_HEADERS -> {
                if (data.isReadable()) {
                    reply(ctx, option, Nbd.REP_ERR_INVALID, "NBD_OPT_EXTENDED_HEADERS takes no data");
                } else {
                    extended = true;
                    ack(ctx, option);
                }
            }
            case Nbd.OPT_LIST_META_CONTEXT, Nbd.OPT_SET_META_CONTEXT -> metaContext(ctx, option, data);
            default -> reply(ctx, option, Nbd.REP_ERR_UNSUP, Nbd.optionName(option) + " is not supported by this server");
        }
    }

    private void startTls(ChannelHandlerContext ctx, ByteBuf data) {
        if (config.security().tls() == null) {
            reply(ctx, Nbd.OPT_STARTTLS, Nbd.REP_ERR_POLICY, "this server has no TLS certificate (dst-server --tls)");
        } else if (tls) {
            reply(ctx, Nbd.OPT_STARTTLS, Nbd.REP_ERR_INVALID, "TLS is already running");
        } else if (data.isReadable()) {
            reply(ctx, Nbd.OPT_STARTTLS, Nbd.REP_ERR_INVALID, "NBD_OPT_STARTTLS takes no data");
        } else {
            ack(ctx, Nbd.OPT_STARTTLS); // in plaintext: written before TLS is in the pipeline
            tls = true;
            structured = false; // the spec: nothing negotiated before STARTTLS survives it
            extended = false;
            metaContextExport = null;
            initializer.startTls(ctx.channel());
        }
    }

    /** The identity the client proved: its TLS certificate's CN, or "" (anonymous). */
    private String identity(ChannelHandlerContext ctx) {
        return PeerCertificate.identity(ctx.channel()).orElse("");
    }

    /** Why the client may not use {@code export}, or null when it may; a refusal counts in the auth failures metric. */
    private String denial(ChannelHandlerContext ctx, Export export) {
        String identity = identity(ctx);
        if (identity.isEmpty() && !config.security().anonymous()) {
            initializer.authFailed(ServerMetrics.AuthFailure.ANONYMOUS);
            return "this server serves authenticated clients only (a TLS client certificate)";
        }
        if (export.access().levelFor(identity) == ExportAccess.Level.NONE) {
            initializer.authFailed(ServerMetrics.AuthFailure.RULES);
            return (identity.isEmpty() ? "anonymous clients" : "identity '" + identity + "'") + " may not use export '"
                    + export.name() + "'";
        }
        return null;
    }

    private void list(ChannelHandlerContext ctx, ByteBuf data) {
        if (data.isReadable()) {
            reply(ctx, Nbd.OPT_LIST, Nbd.REP_ERR_INVALID, "NBD_OPT_LIST takes no data");
            return;
        }
        for (Export e : exports.values()) {
            if (denial(ctx, e) != null) continue; // a client learns only the exports it may use
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            byte[] description = description(e).getBytes(StandardCharsets.UTF_8);
            ByteBuf b = ctx.alloc().buffer(4 + name.length + description.length);
            b.writeInt(name.length).writeBytes(name).writeBytes(description);
            reply(ctx, Nbd.OPT_LIST, Nbd.REP_SERVER, b);
        }
        ack(ctx, Nbd.OPT_LIST);
    }

    /** What NBD_INFO_DESCRIPTION and NBD_OPT_LIST tell a client: kind and size, not the server's paths. */
    static String description(Export e) {
        String kind = e.backend().describe();
        int colon = kind.indexOf(':');
        return "dst " + (colon > 0 ? kind.substring(0, colon) : kind) + " export, " + e.size() + " bytes"
                + (e.readOnly() ? ", read-only" : "");
    }

    /** NBD_OPT_INFO and NBD_OPT_GO: same request, same replies; GO then enters the transmission phase. */
    private void infoOrGo(ChannelHandlerContext ctx, int option, ByteBuf data) {
        int readable = data.readableBytes();
        if (readable < 6 || data.getUnsignedInt(data.readerIndex()) > readable - 6) {
            reply(ctx, option, Nbd.REP_ERR_INVALID, "malformed " + Nbd.optionName(option) + " (name length)");
            return;
        }
        int nameLength = data.readInt();
        String name = data.readCharSequence(nameLength, StandardCharsets.UTF_8).toString();
        int requests = data.readUnsignedShort();
        if (data.readableBytes() != requests * 2) {
            reply(ctx, option, Nbd.REP_ERR_INVALID, "malformed " + Nbd.optionName(option) + " (information requests)");
            return;
        }
        boolean wantName = false;
        boolean wantDescription = false;
        for (int i = 0; i < requests; i++) {
            int info = data.readUnsignedShort();
            wantName |= info == Nbd.INFO_NAME;
            wantDescription |= info == Nbd.INFO_DESCRIPTION;
        }
        Export export = lookup(ctx, option, name);
        if (export == null) return;
        NbdTransmission t = transmission(ctx, export);
        ByteBuf info = ctx.alloc().buffer(12);
        info.writeShort(Nbd.INFO_EXPORT).writeLong(export.size()).writeShort(t.flags());
        reply(ctx, option, Nbd.REP_INFO, info);
        if (wantName) reply(ctx, option, Nbd.REP_INFO, infoString(ctx, Nbd.INFO_NAME, export.name()));
        if (wantDescription) reply(ctx, option, Nbd.REP_INFO, infoString(ctx, Nbd.INFO_DESCRIPTION, description(export)));
        // always sent (the spec allows unrequested info): the limits hold whether or not the client asked
        ByteBuf sizes = ctx.alloc().buffer(14);
        sizes.writeShort(Nbd.INFO_BLOCK_SIZE).writeInt(1).writeInt(Math.max(4096, export.blockSize())).writeInt(t.maxPayload());
        reply(ctx, option, Nbd.REP_INFO, sizes);
        ack(ctx, option);
        if (option == Nbd.OPT_GO) initializer.startTransmission(ctx.channel(), t);
    }

    private static ByteBuf infoString(ChannelHandlerContext ctx, int type, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return ctx.alloc().buffer(2 + b.length).writeShort(type).writeBytes(b);
    }

    /** The export named {@code name} if the client may use it; otherwise answers the error and returns null. */
    private Export lookup(ChannelHandlerContext ctx, int option, String name) {
        Export export = exports.get(name.isEmpty() && exports.size() == 1 ? exports.keySet().iterator().next() : name);
        if (export == null) {
            reply(ctx, option, Nbd.REP_ERR_UNKNOWN, "no export named '" + PeerAddress.printable(name) + "'");
            return null;
        }
        String denial = denial(ctx, export);
        if (denial != null) {
            LOG.warning(PeerAddress.of(ctx.channel()) + ": NBD client refused: " + denial);
            reply(ctx, option, Nbd.REP_ERR_POLICY, denial);
            return null;
        }
        return export;
    }

    /** Old-style end of haggling: cannot answer an error, so a refusal closes the connection. */
    private void exportName(ChannelHandlerContext ctx, ByteBuf data) {
        String name = data.toString(StandardCharsets.UTF_8);
        if (extended) {
            refuse(ctx, "NBD_OPT_EXPORT_NAME after extended headers were negotiated");
            return;
        }
        Export export = exports.get(name.isEmpty() && exports.size() == 1 ? exports.keySet().iterator().next() : name);
        String denial = export == null ? "no export named '" + PeerAddress.printable(name) + "'" : denial(ctx, export);
        if (denial != null) {
            refuse(ctx, "NBD_OPT_EXPORT_NAME refused: " + denial);
            return;
        }
        NbdTransmission t = transmission(ctx, export);
        boolean zeroes = clientFlags == null || !clientFlags.noZeroes();
        ByteBuf b = ctx.alloc().buffer(10 + (zeroes ? 124 : 0));
        b.writeLong(export.size()).writeShort(t.flags());
        if (zeroes) b.writeZero(124);
        ctx.writeAndFlush(b);
        initializer.startTransmission(ctx.channel(), t);
    }

    /** What the transmission phase will be for {@code export} with what was negotiated so far. */
    private NbdTransmission transmission(ChannelHandlerContext ctx, Export export) {
        String identity = identity(ctx);
        boolean readOnly = export.readOnly() || export.access().levelFor(identity) == ExportAccess.Level.READ;
        String holder = readOnly ? null : initializer.exclusiveHolder(export);
        if (holder != null) {
            readOnly = true;
            LOG.warning(PeerAddress.of(ctx.channel()) + ": NBD client gets export '" + export.name() + "' read-only: it is attached "
                    + "exclusively by " + holder);
        }
        ReplyMode mode = extended ? ReplyMode.EXTENDED : structured ? ReplyMode.STRUCTURED : ReplyMode.SIMPLE;
        int flags = Nbd.FLAG_HAS_FLAGS | Nbd.FLAG_SEND_FLUSH | Nbd.FLAG_SEND_FUA | Nbd.FLAG_SEND_CACHE;
        if (readOnly) flags |= Nbd.FLAG_READ_ONLY;
        else flags |= Nbd.FLAG_SEND_TRIM | Nbd.FLAG_SEND_WRITE_ZEROES | Nbd.FLAG_SEND_FAST_ZERO;
        if (mode.chunked()) flags |= Nbd.FLAG_SEND_DF;
        if (export.backend().canMultiConn()) flags |= Nbd.FLAG_CAN_MULTI_CONN;
        int meta = mode.chunked() && export.name().equals(metaContextExport) ? BASE_ALLOCATION_ID : 0;
        return new NbdTransmission(export, identity, readOnly, mode, meta, config.maxRequest(), flags);
    }

    /** NBD_OPT_LIST_META_CONTEXT and NBD_OPT_SET_META_CONTEXT: only base:allocation exists. */
    private void metaContext(ChannelHandlerContext ctx, int option, ByteBuf data) {
        boolean set = option == Nbd.OPT_SET_META_CONTEXT;
        if (set) metaContextExport = null; // a SET replaces the selection, even when it fails
        if (!structured && !extended) {
            reply(ctx, option, Nbd.REP_ERR_INVALID, "negotiate NBD_OPT_STRUCTURED_REPLY first");
            return;
        }
        if (data.readableBytes() < 8 || data.getUnsignedInt(data.readerIndex()) > data.readableBytes() - 8) {
            reply(ctx, option, Nbd.REP_ERR_INVALID, "malformed " + Nbd.optionName(option) + " (name length)");
            return;
        }
        String name = data.readCharSequence(data.readInt(), StandardCharsets.UTF_8).toString();
        long queries = data.readUnsignedInt();
        boolean allocation = !set && queries == 0; // LIST without queries lists every context
        for (long i = 0; i < queries; i++) {
            if (data.readableBytes() < 4 || data.getUnsignedInt(data.readerIndex()) > data.readableBytes() - 4) {
                reply(ctx, option, Nbd.REP_ERR_INVALID, "malformed " + Nbd.optionName(option) + " (query " + i + ")");
                return;
            }
            String query = data.readCharSequence(data.readInt(), StandardCharsets.UTF_8).toString();
            allocation |= query.equals(Nbd.BASE_ALLOCATION) || !set && query.equals("base:");
        }
        if (data.isReadable()) {
            reply(ctx, option, Nbd.REP_ERR_INVALID, "malformed " + Nbd.optionName(option) + " (data after the queries)");
            return;
        }
        Export export = lookup(ctx, option, name);
        if (export == null) return;
        if (allocation) {
            byte[] context = Nbd.BASE_ALLOCATION.getBytes(StandardCharsets.US_ASCII);
            ByteBuf b = ctx.alloc().buffer(4 + context.length);
            b.writeInt(set ? BASE_ALLOCATION_ID : 0).writeBytes(context);
            reply(ctx, option, Nbd.REP_META_CONTEXT, b);
            if (set) metaContextExport = export.name();
        }
        ack(ctx, option);
    }

    private ChannelFuture ack(ChannelHandlerContext ctx, int option) {
        return reply(ctx, option, Nbd.REP_ACK, (ByteBuf) null);
    }

    /** An error reply with a message for the user. */
    private ChannelFuture reply(ChannelHandlerContext ctx, int option, int type, String message) {
        return reply(ctx, option, type, ctx.alloc().buffer().writeBytes(message.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * One option reply; takes {@code data} (may be null).
     * <pre>
     * | 0x3e889045565a9 u64 | option u32 | reply type u32 | length u32 | data |
     * </pre>
     */
    private ChannelFuture reply(ChannelHandlerContext ctx, int option, int type, ByteBuf data) {
        int length = data == null ? 0 : data.readableBytes();
        ByteBuf header = ctx.alloc().buffer(20);
        header.writeLong(Nbd.OPTION_REPLY_MAGIC).writeInt(option).writeInt(type).writeInt(length);
        if (data == null) return ctx.writeAndFlush(header);
        ctx.write(header);
        return ctx.writeAndFlush(data);
    }

    /** A hard disconnect: the only answer for what cannot be answered with an error reply. */
    private void refuse(ChannelHandlerContext ctx, String why) {
        LOG.warning(PeerAddress.of(ctx.channel()) + ": NBD handshake ended: " + PeerAddress.printable(why));
        ctx.close();
    }
}
