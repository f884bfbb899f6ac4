package dst.client.net;

import dst.client.core.ClientConfig;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.runtime.buffers.Buffers;
import dst.runtime.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * How a session reaches its server: the transport (TCP or Unix socket), TLS, the event loop, and one
 * connect + handshake attempt at a time ({@link #attempt}). It neither retries nor keeps connections:
 * reconnecting is the session's job.
 *
 * <p>Threading: one event loop thread for the session and all its connections ({@link #loop()}, shared by the
 * sessions of a multi-connection device); an attempt may be started from any thread.
 */
final class Connector {
    /** A connection whose handshake succeeded, with what the server granted; its data phase is not set up yet. */
    record Welcomed(Channel channel, ExportInfo granted) {
    }

    private final ClientConfig config;
    private final WireProtocol protocol;
    private final Transport transport;
    private final SslContext tls;
    private final EventLoop loop;
    private final Bootstrap bootstrap;

    /** {@code loop}: the device's event loop (its {@link SessionGroup}'s), which the connector does not own. */
    Connector(ClientConfig config, WireProtocol protocol, EventLoop loop) throws DstException {
        this.config = config;
        this.protocol = protocol;
        this.transport = config.transport();
        this.tls = config.tls() == null ? null : ClientTls.context(config.tls());
        this.loop = loop;
        this.bootstrap = transport.configure(new Bootstrap().group(loop))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(2 << 20, 8 << 20))
                .option(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR); // why not Netty's default: Buffers
    }

    EventLoop loop() {
        return loop;
    }

    WireProtocol protocol() {
        return protocol;
    }

    /**
     * One connect + handshake attempt, resuming {@code sessionId} (0: a new session). Completes with the
     * welcomed connection, or exceptionally with a {@link DstException}: ECONNREFUSED when the server cannot
     * be reached, ETIMEDOUT when the handshake takes longer than the connect timeout, the server's errno when
     * it refused. A failed attempt's channel is closed.
     */
    CompletableFuture<Welcomed> attempt(long sessionId) {
        CompletableFuture<ExportInfo> granted = new CompletableFuture<>();
        String peerHost = config.unixSocket() != null ? "localhost" : config.host();
        ChannelFuture cf = bootstrap.clone()
                .handler(new ClientInitializer(protocol, config, sessionId, granted, tls, peerHost))
                .connect(connectAddress());
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                Throwable c = f.cause();
                granted.completeExceptionally(new DstException(Errno.ECONNREFUSED,
                        "cannot connect to " + config.server() + ": " + (c == null ? "cancelled" : c.getMessage()), c));
            }
        });
        loop.schedule(() -> granted.completeExceptionally(new DstException(Errno.ETIMEDOUT,
                "no handshake from " + config.server() + " within " + config.connectTimeout().toMillis() + " ms")),
                config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return granted.handle((info, err) -> {
            if (err == null) return new Welcomed(cf.channel(), info);
            cf.channel().close();
            throw err instanceof java.util.concurrent.CompletionException ce ? ce : new java.util.concurrent.CompletionException(err);
        });
    }

    /** Turns a welcomed connection into a data connection whose events go to {@code events} as {@code connection}. */
    void startDataPhase(Welcomed w, ConnectionEvents events, long connection) {
        ClientInitializer.startDataPhase(w.channel(), protocol, w.granted(), config.keepalive(), config.target(), events, connection);
    }

    /** The address to connect to; a TCP host name is resolved anew on every attempt (it may move). */
    private SocketAddress connectAddress() {
        return transport.address() instanceof InetSocketAddress inet && inet.isUnresolved()
                ? new InetSocketAddress(inet.getHostString(), inet.getPort()) : transport.address();
    }
}
