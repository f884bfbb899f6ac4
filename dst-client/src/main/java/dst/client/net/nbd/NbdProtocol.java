package dst.client.net.nbd;

import dst.client.net.WireProtocol;
import dst.protocol.DstException;
import dst.protocol.ExportInfo;
import dst.protocol.nbd.Nbd;
import io.netty.channel.ChannelPipeline;
import io.netty.util.AttributeKey;

import java.util.concurrent.CompletableFuture;

/**
 * The NBD protocol (fixed newstyle) for the session, so a dst client attaches nbdkit, qemu-nbd, nbd-server
 * or dst-server's NBD port.
 *
 * <pre>
 * handshake:  NbdHandshakeHandler                 (adds tls at the head after NBD_OPT_STARTTLS)
 * data:       QuickAck -> NbdReplyDecoder -> NbdRequestEncoder  (the codecs share the connection's NbdInFlight)
 * </pre>
 * NBD has no sessions, fencing, crc32c, boot id or in-flight limit: the export info says so (all 0), and
 * what a resend may do is stated in {@code dst-protocol/PROTOCOL.md} (NBD targets).
 */
public final class NbdProtocol implements WireProtocol {
    public static final NbdProtocol INSTANCE = new NbdProtocol();
    /** The connection negotiated extended headers: requests go out with 64-bit lengths. */
    private static final AttributeKey<Boolean> EXTENDED = AttributeKey.valueOf("dst.client.nbd.extended");

    private NbdProtocol() {
    }

    @Override
    public String name() {
        return "nbd";
    }

    @Override
    public boolean tlsFromFirstByte() {
        return false;
    }

    @Override
    public boolean fencesOldConnections() {
        return false;
    }

    @Override
    public void addHandshake(ChannelPipeline p, Handshake h) {
        CompletableFuture<NbdExport> offered = new CompletableFuture<>();
        p.addLast("nbdHandshake", new NbdHandshakeHandler(h.config().export(), h.tls(), h.peerHost(), h.config().port(), offered));
        offered.whenComplete((export, err) -> {
            if (err != null) {
                h.granted().completeExceptionally(err);
                return;
            }
            try {
                p.channel().attr(OFFERED).set(export.describe());
                p.channel().attr(BLOCK_STATUS).set(export.metaContext() >= 0);
                p.channel().attr(EXTENDED).set(export.extended());
                p.channel().attr(ALIGNMENT).set(export.alignment());
                p.channel().attr(MULTI_CONN).set(export.has(Nbd.FLAG_CAN_MULTI_CONN));
                h.granted().complete(export.toExportInfo(h.config().maxRequest(), h.config().localName()));
            } catch (DstException e) {
                h.granted().completeExceptionally(e);
            }
        });
    }

    @Override
    public void startDataPhase(ChannelPipeline p, ExportInfo granted, String target) {
        NbdInFlight inFlight = new NbdInFlight();
        p.addAfter("nbdHandshake", "nbdReplies", new NbdReplyDecoder(inFlight, granted.maxRequest()));
        p.addAfter("nbdReplies", "nbdRequests", new NbdRequestEncoder(inFlight, (int) Math.min(granted.blockSize(), granted.size()),
                Boolean.TRUE.equals(p.channel().attr(EXTENDED).get())));
        p.addBefore("nbdReplies", "quickAck", QuickAck.INSTANCE);
        p.remove("nbdHandshake");
    }

    @Override
    public Object keepalive(ExportInfo granted) {
        return NbdKeepalive.INSTANCE;
    }
}
