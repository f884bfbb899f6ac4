package dst.server.nbd;

import dst.protocol.DstException;
import dst.protocol.ExportInfo;
import dst.server.export.Export;
import dst.server.net.Attach;
import dst.server.net.PeerAddress;
import dst.server.net.ServerConfig;
import dst.server.metrics.ServerMetrics;
import dst.server.net.Session;
import dst.server.net.SessionRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Assembles the NBD pipelines, and nothing else does: the NBD front door to the same exports, sessions, I/O
 * executor and TLS certificate as the dst one.
 * <pre>
 * handshake:     idle -> NbdOptionDecoder -> NbdHandshakeHandler -> errors
 * after STARTTLS: tls -> idle -> NbdOptionDecoder -> NbdHandshakeHandler -> errors
 * transmission: [tls] -> NbdRequestDecoder -> NbdReplyEncoder -> NbdRequestHandler -> errors
 * </pre>
 * Unlike dst, NBD starts in plaintext and upgrades in the middle of the handshake (NBD_OPT_STARTTLS), so TLS is
 * put first only then, after the plaintext ACK left: everything later, every option reply and request, is
 * encrypted. The idle handler bounds the handshake only: NBD clients send no keepalives, and an idle NBD device
 * must stay connected, so it leaves with the handshake. The error handler comes last so it sees every exception.
 */
public final class NbdServerInitializer extends ChannelInitializer<Channel> {
    private static final Logger LOG = Logger.getLogger(NbdServerInitializer.class.getName());
    private final Map<String, Export> exports;
    private final SessionRegistry sessions;
    private final ServerConfig config;
    private final Executor io;
    private final ChannelGroup connections;

    public NbdServerInitializer(Map<String, Export> exports, SessionRegistry sessions, ServerConfig config, Executor io,
                                ChannelGroup connections) {
        this.exports = exports;
        this.sessions = sessions;
        this.config = config;
        this.io = io;
        this.connections = connections;
    }

    @Override
    protected void initChannel(Channel ch) {
        connections.add(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("optionDecoder", new NbdOptionDecoder());
        p.addLast("handshake", new NbdHandshakeHandler(exports, config, this));
        p.addLast("errors", NbdConnectionErrorHandler.INSTANCE);
    }

    /**
     * Whether an NBD client on {@code export} is held to reading because a dst client holds it exclusively (null when
     * not): NBD cannot say "exclusive", "shared" or "read-only", so its connections count as shared writers.
     */
    String exclusiveHolder(Export export) {
        Session holder = sessions.holder(export.name(), Attach.SHARED);
        return holder == null ? null : holder.holderDescription();
    }

    /** An NBD client was refused an export (anonymous where not served, or by its rules): counted as dst's refusals are. */
    void authFailed(ServerMetrics.AuthFailure why) {
        sessions.metrics().authFailed(why);
    }

    /** NBD_OPT_STARTTLS was acknowledged: from the next byte on, both directions are TLS. */
    void startTls(Channel ch) {
        ch.pipeline().addFirst("tls", config.security().tls().newHandler(ch.alloc()));
    }

    /**
     * The handshake ended (NBD_OPT_GO acknowledged, or NBD_OPT_EXPORT_NAME answered): swaps in the transmission
     * handlers. The connection is a session of its own (NBD has no resume), registered so that a shutdown waits
     * for its running requests as for dst ones.
     */
    void startTransmission(Channel ch, NbdTransmission t) {
        Session session;
        try {
            session = sessions.open(0, t.export().name(), t.identity(), "nbd", t.readOnly() ? Attach.READ : Attach.SHARED,
                    PeerAddress.withPort(ch));
        } catch (DstException e) { // a dst client attached exclusively since the flags were sent: nothing to answer with
            LOG.warning(PeerAddress.withPort(ch) + ": NBD client cut off: " + e.getMessage());
            ch.close();
            return;
        }
        sessions.metrics().session(false);
        session.admitted(false, t.readOnly()); // NBD clients prove no key: a certificate's CN or nothing
        session.takeOver(ch); // a new session: nothing to fence
        ch.closeFuture().addListener(f -> session.idle().thenRun(() -> sessions.remove(session)));
        ChannelPipeline p = ch.pipeline();
        p.addAfter("optionDecoder", "requestDecoder", new NbdRequestDecoder(t.mode() == ReplyMode.EXTENDED, t.maxPayload()));
        p.addAfter("requestDecoder", "replyEncoder", new NbdReplyEncoder(t.mode()));
        // what the shared request path checks against: size, read-only grant, max payload, max in flight
        ExportInfo granted = new ExportInfo(t.export().name(), t.export().size(), t.export().blockSize(), t.maxPayload(),
                t.readOnly(), 0, session.id(), t.export().id(), 1, 0, config.maxInFlight());
        p.addAfter("replyEncoder", "requests", new NbdRequestHandler(t, session, granted, io));
        p.remove("idle");
        p.remove("handshake");
        p.remove("optionDecoder"); // last: bytes it still holds flow on into the request decoder
    }
}
