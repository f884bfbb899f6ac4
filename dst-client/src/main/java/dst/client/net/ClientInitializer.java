package dst.client.net;

import dst.client.core.ClientConfig;
import dst.protocol.ExportInfo;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Assembles the client pipelines, and nothing else does; the {@link WireProtocol} supplies its handshake
 * handlers and its data codec.
 *
 * <pre>
 * handshake:  [tls] -> protocol handshake handlers     (NBD: its handshake adds tls at the head on STARTTLS)
 * data:       flushes -> [tls] -> idle -> protocol data codec -> ReplyHandler
 * </pre>
 * TLS (when configured) sits below every protocol handler, so nothing leaves in plaintext and the handshake
 * waits for the TLS handshake. Flush consolidation comes first (outermost) so bursts of requests leave in
 * few syscalls (and few TLS records); the idle handler sees every frame byte in both directions for
 * keepalive and dead-peer detection.
 */
final class ClientInitializer extends ChannelInitializer<Channel> {
    private final WireProtocol protocol;
    private final ClientConfig config;
    private final long sessionId;
    private final CompletableFuture<ExportInfo> granted;
    private final SslContext tls;
    private final String peerHost;

    /** {@code tls} null for a plain connection; {@code peerHost} is checked against a CA-issued certificate. */
    ClientInitializer(WireProtocol protocol, ClientConfig config, long sessionId, CompletableFuture<ExportInfo> granted,
                      SslContext tls, String peerHost) {
        this.protocol = protocol;
        this.config = config;
        this.sessionId = sessionId;
        this.granted = granted;
        this.tls = tls;
        this.peerHost = peerHost;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        boolean tlsFirst = tls != null && protocol.tlsFromFirstByte();
        if (tlsFirst) p.addLast("tls", tls.newHandler(ch.alloc(), peerHost, config.port()));
        protocol.addHandshake(p, new WireProtocol.Handshake(config, sessionId, tlsFirst ? null : tls, peerHost, granted));
    }

    /** Swaps in the data-phase handlers once the server granted the export. Runs on the channel's event loop. */
    static void startDataPhase(Channel ch, WireProtocol protocol, ExportInfo granted, Duration keepalive, String target,
                               ConnectionEvents events, long connection) {
        long ka = keepalive.toMillis();
        ChannelPipeline p = ch.pipeline();
        IdleStateHandler idle = new IdleStateHandler(3 * ka, 0, ka, TimeUnit.MILLISECONDS);
        if (p.get("tls") != null) p.addAfter("tls", "idle", idle);
        else p.addFirst("idle", idle);
        // On the encoder's side of TLS: the SslHandler then wraps the requests of one consolidated flush together
        // (records of up to 16 KiB) instead of one record and one write(2) per request.
        p.addAfter("idle", "flushes", new FlushConsolidationHandler(256, true));
        protocol.startDataPhase(p, granted, target);
        p.addLast("replies", new ReplyHandler(events, connection, () -> protocol.keepalive(granted)));
    }
}
