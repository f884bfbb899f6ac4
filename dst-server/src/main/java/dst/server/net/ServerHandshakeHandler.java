package dst.server.net;

import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.Features;
import dst.protocol.HandshakeFrame;
import dst.protocol.Hello;
import dst.protocol.Tlv;
import dst.protocol.auth.AuthProof;
import dst.protocol.auth.ClientKey;
import dst.server.auth.FailureThrottle;
import dst.server.auth.ServerSecurity;
import dst.server.export.Export;
import dst.server.export.ExportAccess;
import dst.server.metrics.ServerMetrics;
import dst.server.tls.PeerCertificate;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs the server's side of the handshake:
 * <pre>
 * anonymous:      HELLO ->                         <- WELCOME | ERROR
 * authenticated:  HELLO(identity, Nc) -> <- CHALLENGE(Ns)
 *                 AUTH(client proof)  ->           <- WELCOME(server proof) | ERROR
 * </pre>
 * Proofs are {@link AuthProof}s. An unknown identity is challenged like a known one (with a throwaway
 * key) and fails at the same step with the same EACCES, so a peer cannot probe for names. Over
 * mutual TLS, an anonymous HELLO from a client whose certificate the server verified takes the
 * certificate's CN as identity (the TLS handshake already proved both ends). Which
 * exports exist is only told after a successful login. Failed logins are answered after the
 * {@link FailureThrottle}'s delay for the peer's address, then the connection is closed.
 *
 * <p>On success it applies the export's access rules, fences the session (see {@link Session}) and
 * asks the initializer to switch the pipeline to the data phase. Handshake frames hold no buffers,
 * so nothing is released here.
 */
final class ServerHandshakeHandler extends SimpleChannelInboundHandler<HandshakeFrame> {
    private static final Logger LOG = Logger.getLogger(ServerHandshakeHandler.class.getName());
    /** Stands in for the key of an unknown identity, so that a refusal costs the same work. */
    private static final byte[] NO_SUCH_KEY = ClientKey.generate();
    private static final LogLimiter REFUSALS = new LogLimiter();

    private enum State { HELLO, AUTH, DONE }

    private final Map<String, Export> exports;
    private final SessionRegistry sessions;
    private final ServerConfig config;
    private final ServerInitializer initializer;
    private final FailureThrottle throttle;
    private State state = State.HELLO;
    private Hello hello;
    /** Who the client proved to be: its key's identity, its certificate's CN, or "" (anonymous). */
    private String identity = "";
    private byte[] serverNonce;

    ServerHandshakeHandler(Map<String, Export> exports, SessionRegistry sessions, ServerConfig config,
                           ServerInitializer initializer, FailureThrottle throttle) {
        this.exports = exports;
        this.sessions = sessions;
        this.config = config;
        this.initializer = initializer;
        this.throttle = throttle;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HandshakeFrame frame) {
        State was = state;
        state = State.DONE; // until a step below says otherwise; extra frames after WELCOME/ERROR are ignored
        try {
            switch (was) {
                case HELLO -> onHello(ctx, Hello.fromFrame(frame));
                case AUTH -> onAuth(ctx, frame);
                case DONE -> {
                }
            }
        } catch (DstException e) {
            refuse(ctx, e, Duration.ZERO);
        }
    }

    private void onHello(ChannelHandlerContext ctx, Hello h) throws DstException {
        hello = h;
        ServerSecurity security = config.security();
        if (h.anonymous()) {
            Optional<String> certified = PeerCertificate.identity(ctx.channel());
            if (certified.isPresent()) { // mutual TLS: the certificate is the proof, TLS already proved the server
                identity = certified.get();
                Export export = exports.get(h.exportName());
                if (export == null) throw new DstException(Errno.ENOENT, "no export named '" + h.exportName() + "'");
                admit(ctx, export, null);
                return;
            }
            if (!security.anonymous()) {
                sessions.metrics().authFailed(ServerMetrics.AuthFailure.ANONYMOUS);
                int n = throttle.failed(peer(ctx));
                warn(ctx, peer(ctx) + ": anonymous client refused on export '" + h.exportName() + "' (" + n + " failure(s) in a row)");
                refuse(ctx, new DstException(Errno.EACCES, "this server serves authenticated clients only (--identity, --key-file)"),
                        throttle.delay(peer(ctx)));
                return;
            }
            Export export = exports.get(h.exportName());
            if (export == null) {
                throw new DstException(Errno.ENOENT, "no export named '" + h.exportName() + "' (this server has: "
                        + String.join(", ", exports.keySet()) + ")");
            }
            admit(ctx, export, null);
            return;
        }
        serverNonce = AuthProof.nonce();
        state = State.AUTH;
        HandshakeFrame challenge = HandshakeFrame.builder(HandshakeFrame.CHALLENGE)
                .u32(Tlv.FEATURES, h.features() & Features.KNOWN)
                .bytes(Tlv.NONCE, serverNonce)
                .build();
        after(ctx, throttle.delay(peer(ctx)), () -> ctx.writeAndFlush(challenge));
    }

    private void onAuth(ChannelHandlerContext ctx, HandshakeFrame frame) throws DstException {
        if (frame.type() != HandshakeFrame.AUTH) {
            throw new DstException(Errno.EPROTO, "expected AUTH, got " + HandshakeFrame.typeName(frame.type()));
        }
        String identity = hello.identity();
        byte[] key = config.security().keys().key(identity).orElse(NO_SUCH_KEY);
        byte[] expected = AuthProof.client(key, hello.nonce(), serverNonce, identity, hello.exportName());
        boolean ok = AuthProof.matches(expected, frame.bytes(Tlv.PROOF).orElse(null)) && key != NO_SUCH_KEY;
        if (!ok) {
            sessions.metrics().authFailed(ServerMetrics.AuthFailure.KEY);
            int n = throttle.failed(peer(ctx));
            Duration delay = throttle.delay(peer(ctx));
            warn(ctx, peer(ctx) + ": authentication failed for identity '" + identity + "' on export '" + hello.exportName()
                    + "' (" + n + " failure(s) in a row" + (delay.isZero() ? "" : ", answering after " + delay.toMillis() + " ms") + ")");
            refuse(ctx, new DstException(Errno.EACCES, "authentication failed"), delay);
            return;
        }
        throttle.succeeded(peer(ctx));
        this.identity = identity;
        Export export = exports.get(hello.exportName());
        if (export == null) throw new DstException(Errno.ENOENT, "no export named '" + hello.exportName() + "'");
        admit(ctx, export, AuthProof.server(key, hello.nonce(), serverNonce, identity, hello.exportName()));
    }

    /** Applies the export's rules for the (now proven or anonymous) client, then fences and welcomes it. */
    private void admit(ChannelHandlerContext ctx, Export export, byte[] proof) throws DstException {
        String who = identity.isEmpty() ? "anonymous clients" : "identity '" + identity + "'";
        ExportAccess.Level level = export.access().levelFor(identity);
        if (level == ExportAccess.Level.NONE) {
            sessions.metrics().authFailed(ServerMetrics.AuthFailure.RULES);
            LOG.warning(peer(ctx) + ": " + who + " denied export '" + export.name() + "' by its rules (" + export.access() + ")");
            throw new DstException(Errno.EACCES, who + " may not use export '" + export.name() + "'");
        }
        int unknownRequired = hello.requiredFeatures() & ~Features.KNOWN;
        if (unknownRequired != 0) {
            throw new DstException(Errno.EOPNOTSUPP, "client requires features this server does not know: 0x"
                    + Integer.toHexString(unknownRequired));
        }
        int features = hello.features() & Features.KNOWN;
        int maxRequest = Math.max(4096, Math.min(hello.maxRequest(), config.maxRequest()));
        boolean readOnly = export.readOnly() || level == ExportAccess.Level.READ;
        Session session = sessions.resumeOrCreate(hello.sessionId(), export.name(), identity);
        boolean resumed = session.id() == hello.sessionId();
        session.admitted(proof != null, readOnly);
        sessions.metrics().session(resumed);
        ExportInfo info = new ExportInfo(export.name(), export.size(), export.blockSize(), maxRequest,
                readOnly, features, session.id(), export.id(), Hello.MAX_VERSION, BootId.get(), config.maxInFlight());
        ctx.channel().config().setAutoRead(false); // nothing of this connection runs before the fence
        session.takeOver(ctx.channel()).whenComplete((v, e) -> ctx.executor().execute(() -> {
            if (!ctx.channel().isActive()) return;
            // WELCOME first, while the handshake encoder is still in the pipeline: a write from this
            // context after the swap would bypass the (removed) encoder and never reach the client.
            ctx.writeAndFlush(info.toWelcome(proof));
            initializer.startDataPhase(ctx.channel(), export, session, info);
            ctx.channel().config().setAutoRead(true);
            LOG.info(() -> peer(ctx) + ": " + (resumed ? "resumed" : "opened") + " session "
                    + Long.toHexString(session.id()) + " on export " + export.name() + " for " + who
                    + (readOnly ? " (read-only)" : "") + " (client " + printable(hello.software()) + ", features " + Features.describe(features) + ")");
        }));
    }

    /** Sends one ERROR frame, after {@code delay}, and closes. */
    private void refuse(ChannelHandlerContext ctx, DstException e, Duration delay) {
        state = State.DONE;
        if (e.errno() != Errno.EACCES) warn(ctx, peer(ctx) + ": handshake refused: " + e.getMessage());
        after(ctx, delay, () -> ctx.writeAndFlush(HandshakeFrame.error(e.errno(), e.reason())).addListener(ChannelFutureListener.CLOSE));
    }

    private static void after(ChannelHandlerContext ctx, Duration delay, Runnable action) {
        if (delay.isZero()) action.run();
        else ctx.executor().schedule(action, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Logs a refusal, at most a few per minute per address (see LogLimiter). */
    private static void warn(ChannelHandlerContext ctx, String message) {
        String line = REFUSALS.admit(peer(ctx), printable(message));
        if (line != null) LOG.warning(line);
    }

    static String printable(String s) {
        return PeerAddress.printable(s);
    }

    static String peer(ChannelHandlerContext ctx) {
        return PeerAddress.of(ctx.channel());
    }
}
