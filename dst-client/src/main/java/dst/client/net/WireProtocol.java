package dst.client.net;

import dst.client.core.ClientConfig;
import dst.protocol.ExportInfo;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;

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
    /** Set on a channel by a protocol whose server offers more than {@link ExportInfo} says: one line for {@code info}. */
    AttributeKey<String> OFFERED = AttributeKey.valueOf("dst.client.offered");
    /** Set (true) on a channel whose server answers {@link Op#BLOCK_STATUS} (NBD with base:allocation). */
    AttributeKey<Boolean> BLOCK_STATUS = AttributeKey.valueOf("dst.client.blockStatus");
    /** Set (true) on a channel whose server advertised CAN_MULTI_CONN (NBD): it may take several connections per device. */
    AttributeKey<Boolean> MULTI_CONN = AttributeKey.valueOf("dst.client.multiConn");
    /** Set on a channel whose server needs offsets and lengths aligned (NBD's minimum block size): the alignment. */
    AttributeKey<Integer> ALIGNMENT = AttributeKey.valueOf("dst.client.alignment");

    /**
     * One handshake attempt.
     *
     * @param config    the client's configuration (export, credentials, max request, ...)
     * @param sessionId the session to resume, 0 for a new one (protocols without sessions ignore it)
     * @param tls       TLS to start within the handshake when the protocol does so (STARTTLS), or null
     * @param peerHost  the host name a CA-issued certificate must match
     * @param granted   completed with what the server granted, or exceptionally with a
     *                  {@link dst.protocol.DstException} saying why not
     */
    record Handshake(ClientConfig config, long sessionId, SslContext tls, String peerHost, CompletableFuture<ExportInfo> granted) {
    }

    /** Name for messages and status views, e.g. "dst". */
    String name();

    /**
     * True (dst) when TLS wraps the connection from its first byte; false (NBD) when the handshake starts TLS
     * itself: then {@link Handshake#tls()} is given to it.
     */
    default boolean tlsFromFirstByte() {
        return true;
    }

    /**
     * True (dst) when a resumed session's server fences the old connection (§5 of PROTOCOL.md): no request of a
     * dead connection runs after the new one is served. False (NBD): then the session holds a write while an older
     * overlapping write is unanswered, so a resent write cannot overtake or be overtaken by a newer one it overlaps.
     */
    default boolean fencesOldConnections() {
        return true;
    }

    /** Adds the handshake handlers for one connection attempt at the end of {@code p} (after TLS, when it comes first). */
    void addHandshake(ChannelPipeline p, Handshake h);

    /**
     * Replaces the handshake handlers of {@code p} by the data-phase codec, added at the end; {@code target}
     * names the server in log messages.
     */
    void startDataPhase(ChannelPipeline p, ExportInfo granted, String target);

    /** The message a quiet connection sends so both ends see traffic (it goes through the codec's encoder). */
    Object keepalive(ExportInfo granted);
}
