package dst.client.net;

import dst.client.core.ClientConfig;
import dst.protocol.ExportInfo;
import io.netty.channel.ChannelPipeline;

import java.util.concurrent.CompletableFuture;

/**
 * One wire protocol as the protocol-neutral session needs it: how to run its handshake on a fresh connection
 * and which codec speaks its data phase. {@link ClientInitializer} places the handlers: TLS below, the
 * keepalive/idle and {@link ReplyHandler} around the data codec.
 *
 * <p>The data codec turns each outbound {@link WireRequest} into the protocol's request (releasing the
 * WireRequest) and each reply into an {@link Answer} for the {@link ReplyHandler}; replies to nothing the
 * client asked (keepalive answers) it drops. Implementations are stateless; per-connection state lives in
 * the handlers they add.
 */
public interface WireProtocol {
    /** Name for messages and status views, e.g. "dst". */
    String name();

    /**
     * Adds the handshake handlers for one connection attempt at the end of {@code p} (after TLS, when
     * configured). They complete {@code granted} with what the server granted, or exceptionally with a
     * {@link dst.protocol.DstException} saying why not.
     */
    void addHandshake(ChannelPipeline p, ClientConfig config, long sessionId, CompletableFuture<ExportInfo> granted);

    /**
     * Replaces the handshake handlers of {@code p} by the data-phase codec, added at the end; {@code target}
     * names the server in log messages.
     */
    void startDataPhase(ChannelPipeline p, ExportInfo granted, String target);

    /** The message a quiet connection sends so both ends see traffic (it goes through the codec's encoder). */
    Object keepalive();
}
