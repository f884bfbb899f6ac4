package dst.server.net;

import dst.protocol.ExportInfo;
import dst.protocol.Features;
import dst.protocol.HandshakeDecoder;
import dst.protocol.HandshakeEncoder;
import dst.protocol.ReplyEncoder;
import dst.protocol.RequestDecoder;
import dst.server.auth.FailureThrottle;
import dst.server.export.Export;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Assembles the server pipelines, and nothing else does.
 *
 * <pre>
 * handshake:  [tls] -> idle -> HandshakeDecoder -> HandshakeEncoder -> ServerHandshakeHandler -> errors
 * data:       [tls] -> idle -> RequestDecoder   -> ReplyEncoder     -> RequestHandler         -> errors
 * </pre>
 * TLS (when configured) comes first: everything else sees only plaintext, and nothing leaves
 * unencrypted, not even an error frame. The idle handler comes next so that any inbound frame byte
 * counts as life; the error handler comes last so that it sees every exception and can still
 * answer through the encoders before it.
 */
final class ServerInitializer extends ChannelInitializer<Channel> {
    private final Map<String, Export> exports;
    private final SessionRegistry sessions;
    private final ServerConfig config;
    private final Executor io;
    private final ChannelGroup connections;
    private final FailureThrottle throttle = new FailureThrottle();
    private final ConnectionErrorHandler errors;

    ServerInitializer(Map<String, Export> exports, SessionRegistry sessions, ServerConfig config, Executor io,
                      ChannelGroup connections) {
        this.exports = exports;
        this.sessions = sessions;
        this.config = config;
        this.io = io;
        this.connections = connections;
        this.errors = new ConnectionErrorHandler(sessions.metrics());
    }

    @Override
    protected void initChannel(Channel ch) {
        connections.add(ch);
        ChannelPipeline p = ch.pipeline();
        SslContext tls = config.security().tls();
        if (tls != null) p.addLast("tls", tls.newHandler(ch.alloc()));
        p.addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("handshakeDecoder", new HandshakeDecoder());
        p.addLast("handshakeEncoder", HandshakeEncoder.INSTANCE);
        p.addLast("handshake", new ServerHandshakeHandler(exports, sessions, config, this, throttle));
        p.addLast("errors", errors);
    }

    /** Swaps the handshake handlers for the data-phase ones, with the negotiated crc and sizes. */
    void startDataPhase(Channel ch, Export export, Session session, ExportInfo info) {
        boolean crc = info.has(Features.CRC32C);
        ChannelPipeline p = ch.pipeline();
        p.addAfter("handshakeDecoder", "requestDecoder", new RequestDecoder(info.maxRequest(), crc));
        p.addAfter("requestDecoder", "replyEncoder", new ReplyEncoder(crc));
        p.addAfter("replyEncoder", "requests", new RequestHandler(new RequestPath(export, session, info, io)));
        p.remove("handshake");
        p.remove("handshakeEncoder");
        ch.attr(ConnectionErrorHandler.DATA_PHASE).set(true);
        p.remove("handshakeDecoder"); // leftover bytes flow on into the request decoder
    }
}
