package dst.client.net;

import dst.protocol.ExportInfo;
import dst.protocol.Features;
import dst.protocol.HandshakeDecoder;
import dst.protocol.HandshakeEncoder;
import dst.protocol.Hello;
import dst.protocol.ReplyDecoder;
import dst.protocol.RequestEncoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import dst.client.core.Credentials;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Assembles the client pipelines, and nothing else does.
 *
 * <pre>
 * handshake:  [tls] -> HandshakeDecoder -> HandshakeEncoder -> ClientHandshakeHandler
 * data:       flushes -> [tls] -> idle -> ReplyDecoder -> RequestEncoder -> ReplyHandler
 * </pre>
 * TLS (when configured) sits below every dst handler, so nothing leaves in plaintext and HELLO waits
 * for the TLS handshake. Flush consolidation comes first (outermost) so bursts of requests leave in
 * few syscalls (and few TLS records); the idle handler sees every frame byte in both directions for
 * keepalive and dead-peer detection.
 */
final class ClientInitializer extends ChannelInitializer<Channel> {
    private final Hello hello;
    private final Credentials credentials;
    private final CompletableFuture<ExportInfo> welcome;
    private final SslContext tls;
    private final String peerHost;
    private final int peerPort;

    /** {@code tls} null for a plain connection; {@code peerHost} is checked against a CA-issued certificate. */
    ClientInitializer(Hello hello, Credentials credentials, CompletableFuture<ExportInfo> welcome, SslContext tls,
                      String peerHost, int peerPort) {
        this.hello = hello;
        this.credentials = credentials;
        this.welcome = welcome;
        this.tls = tls;
        this.peerHost = peerHost;
        this.peerPort = peerPort;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (tls != null) p.addLast("tls", tls.newHandler(ch.alloc(), peerHost, peerPort));
        p.addLast("handshakeDecoder", new HandshakeDecoder());
        p.addLast("handshakeEncoder", HandshakeEncoder.INSTANCE);
        p.addLast("handshake", new ClientHandshakeHandler(hello, credentials, welcome));
    }

    /** Swaps in the data-phase handlers once WELCOME arrived. Runs on the channel's event loop. */
    static void startDataPhase(Channel ch, ExportInfo info, Duration keepalive, ClientSession disk, long connection) {
        boolean crc = info.has(Features.CRC32C);
        long ka = keepalive.toMillis();
        ChannelPipeline p = ch.pipeline();
        p.addFirst("flushes", new FlushConsolidationHandler(256, true));
        p.addBefore("handshakeDecoder", "idle", new IdleStateHandler(3 * ka, 0, ka, TimeUnit.MILLISECONDS));
        p.addAfter("handshakeDecoder", "replyDecoder", new ReplyDecoder(info.maxRequest(), crc));
        p.addAfter("replyDecoder", "requestEncoder", new RequestEncoder(crc));
        p.addAfter("requestEncoder", "replies", new ReplyHandler(disk, connection));
        p.remove("handshake");
        p.remove("handshakeEncoder");
        p.remove("handshakeDecoder");
    }
}
