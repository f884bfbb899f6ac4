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
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Assembles the client pipelines, and nothing else does.
 *
 * <pre>
 * handshake:  HandshakeDecoder -> HandshakeEncoder -> ClientHandshakeHandler
 * data:       flushes -> idle -> ReplyDecoder -> RequestEncoder -> ReplyHandler
 * </pre>
 * Flush consolidation comes first (outermost) so bursts of requests leave in few syscalls; the idle
 * handler sees every byte in both directions for keepalive and dead-peer detection.
 */
final class ClientInitializer extends ChannelInitializer<Channel> {
    private final Hello hello;
    private final CompletableFuture<ExportInfo> welcome;

    ClientInitializer(Hello hello, CompletableFuture<ExportInfo> welcome) {
        this.hello = hello;
        this.welcome = welcome;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast("handshakeDecoder", new HandshakeDecoder());
        p.addLast("handshakeEncoder", HandshakeEncoder.INSTANCE);
        p.addLast("handshake", new ClientHandshakeHandler(hello, welcome));
    }

    /** Swaps in the data-phase handlers once WELCOME arrived. Runs on the channel's event loop. */
    static void startDataPhase(Channel ch, ExportInfo info, Duration keepalive, RemoteDisk disk) {
        boolean crc = info.has(Features.CRC32C);
        long ka = keepalive.toMillis();
        ChannelPipeline p = ch.pipeline();
        p.addFirst("flushes", new FlushConsolidationHandler(256, true));
        p.addAfter("flushes", "idle", new IdleStateHandler(3 * ka, 0, ka, TimeUnit.MILLISECONDS));
        p.addAfter("handshakeDecoder", "replyDecoder", new ReplyDecoder(info.maxRequest(), crc));
        p.addAfter("replyDecoder", "requestEncoder", new RequestEncoder(crc));
        p.addAfter("requestEncoder", "replies", new ReplyHandler(disk));
        p.remove("handshake");
        p.remove("handshakeEncoder");
        p.remove("handshakeDecoder");
    }
}
