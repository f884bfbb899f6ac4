package dst.server.net;

import dst.runtime.buffers.Buffers;
import dst.runtime.transport.Transport;
import dst.server.export.Export;
import dst.server.metrics.ServerMetrics;
import dst.server.metrics.ServerMetricsText;
import dst.server.nbd.NbdServerInitializer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * A running dst server: a listening socket, its exports, and the threads that serve them. Uses the
 * {@link Transport} it is given (TCP: native epoll when it loads, NIO otherwise; or a Unix socket). {@link #close()} is the graceful shutdown:
 * stop accepting, let running requests finish and answer, force every export to disk.
 *
 * <p>Optionally a second listening socket speaks NBD ({@link NbdServerInitializer}): another front door to the
 * same exports, sessions, I/O threads, TLS certificate and access rules, drained by the same shutdown.
 */
public final class DstServer implements Closeable {
    private static final Logger LOG = Logger.getLogger(DstServer.class.getName());

    private final Map<String, Export> exports;
    private final ServerConfig config;
    private final EventLoopGroup group;
    private final ExecutorService io;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ServerMetrics metrics = new ServerMetrics();
    private final SessionRegistry sessions;
    private final Channel listener;
    private final Transport transport;
    private final Channel nbdListener;
    private final Transport nbdTransport;

    /** What a dst connection in its data phase was granted: which connections to tell about a resize. */
    static final AttributeKey<dst.protocol.ExportInfo> GRANTED = AttributeKey.valueOf("dst.granted");

    /** Set on every connection when a shutdown starts draining: a handler must not resume reading then. */
    private static final AttributeKey<Boolean> DRAINING = AttributeKey.valueOf("dst.draining");

    private DstServer(Map<String, Export> exports, ServerConfig config, Transport transport, Transport nbdTransport) throws IOException {
        this.exports = exports;
        this.config = config;
        this.transport = transport;
        this.nbdTransport = nbdTransport;
        this.sessions = new SessionRegistry(metrics, config.claimGrace(), config.exclusiveWriters());
        transport.beforeListen();
        if (nbdTransport != null) nbdTransport.beforeListen();
        this.group = new MultiThreadIoEventLoopGroup(0, transport.ioHandlerFactory());
        AtomicInteger n = new AtomicInteger();
        this.io = new ThreadPoolExecutor(config.ioThreads(), config.ioThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "dst-io-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        try {
            this.listener = transport.configure(new ServerBootstrap().group(group))
                    .childOption(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR) // why not Netty's default: Buffers
                    .childHandler(new ServerInitializer(exports, sessions, config, io, connections))
                    .bind(transport.resolvedAddress()).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            io.shutdownNow();
            throw new IOException("cannot listen on " + transport.describe() + ": " + e.getMessage(), e);
        }
        Channel nbd = null;
        if (nbdTransport != null) {
            try {
                nbd = nbdTransport.configure(new ServerBootstrap().group(group))
                        .childOption(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR)
                        .childHandler(new NbdServerInitializer(exports, sessions, config, io, connections))
                        .bind(nbdTransport.resolvedAddress()).syncUninterruptibly().channel();
            } catch (RuntimeException e) {
                listener.close().syncUninterruptibly();
                group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
                io.shutdownNow();
                transport.afterClose();
                throw new IOException("cannot listen for NBD on " + nbdTransport.describe() + ": " + e.getMessage(), e);
            }
        }
        this.nbdListener = nbd;
    }

    /** Starts a server on {@code bind} serving {@code exports} (closed by the server on shutdown). */
    public static DstServer start(List<Export> exports, ServerConfig config, InetSocketAddress bind) throws IOException {
        return start(exports, config, Transport.tcp(bind));
    }

    /** Starts a server listening through {@code transport} (TCP or a Unix socket). */
    public static DstServer start(List<Export> exports, ServerConfig config, Transport transport) throws IOException {
        return start(exports, config, transport, null);
    }

    /** Starts a server listening for dst clients through {@code transport} and, unless null, for NBD clients through {@code nbd}. */
    public static DstServer start(List<Export> exports, ServerConfig config, Transport transport, Transport nbd) throws IOException {
        Map<String, Export> byName = new LinkedHashMap<>();
        for (Export e : exports) {
            if (byName.put(e.name(), e) != null) throw new IllegalArgumentException("export '" + e.name() + "' given twice");
        }
        return new DstServer(byName, config, transport, nbd);
    }

    /** Whether the server is shutting down and draining {@code ch}: nothing more may be read from it. */
    public static boolean draining(Channel ch) {
        return Boolean.TRUE.equals(ch.attr(DRAINING).get());
    }

    /** The bound NBD TCP address (real port when 0 was asked for); fails without a TCP NBD listener. */
    public InetSocketAddress nbdAddress() {
        if (nbdListener == null || !(nbdListener.localAddress() instanceof InetSocketAddress inet)) {
            throw new IllegalStateException("no NBD listener on TCP");
        }
        return inet;
    }

    /** Where NBD clients reach this server ({@code host:port} or {@code unix:/path}), or null without an NBD listener. */
    public String describeNbdAddress() {
        return nbdListener == null ? null : describe(nbdListener, nbdTransport);
    }

    /** The bound TCP address (with the real port when 0 was asked for); fails for a Unix socket. */
    public InetSocketAddress localAddress() {
        if (!(listener.localAddress() instanceof InetSocketAddress inet)) {
            throw new IllegalStateException("listening on " + transport.describe() + ", not TCP");
        }
        return inet;
    }

    /** Where clients reach this server: {@code host:port} (the real port) or {@code unix:/path}. */
    public String describeAddress() {
        return describe(listener, transport);
    }

    private static String describe(Channel listener, Transport transport) {
        if (listener.localAddress() instanceof InetSocketAddress inet) {
            String host = inet.getHostString();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return transport.describe();
    }

    public Map<String, Export> exports() {
        return exports;
    }

    /** What {@link #resize} did: the sizes, and how many connections were told (those granted RESIZE). */
    public record Resized(String export, long oldSize, long newSize, int notified, int attached) {
    }

    /**
     * Online resize: grows export {@code name} to {@code newSize} bytes while clients use it, then tells every dst
     * connection granted {@link dst.protocol.Features#RESIZE} (a SIZE_CHANGED notification); other clients, NBD ones
     * too, see the new size when they connect again. Shrinking is refused while any session of the export exists (a
     * client's filesystem would lose its end); a block device export is refused (its size is the device's).
     */
    public Resized resize(String name, long newSize) throws IOException {
        Export export = exports.get(name);
        if (export == null) throw new dst.protocol.DstException(dst.protocol.Errno.ENOENT, "no export named '" + name + "'");
        long old = export.size();
        long attached = sessions.all().stream().filter(s -> s.exportName().equals(name)).count();
        if (newSize < old && attached > 0) {
            throw new dst.protocol.DstException(dst.protocol.Errno.EBUSY, "shrinking export '" + name + "' (" + old + " -> " + newSize
                    + " bytes) is refused while " + attached + " client session(s) use it: their filesystems would lose their end");
        }
        export.resize(newSize);
        int told = 0;
        if (newSize > old) {
            for (Channel ch : connections) {
                dst.protocol.ExportInfo granted = ch.attr(GRANTED).get();
                if (granted == null || !granted.name().equals(name) || !granted.has(dst.protocol.Features.RESIZE)) continue;
                ch.writeAndFlush(dst.protocol.Reply.sizeChanged(newSize));
                told++;
            }
        }
        LOG.warning("export " + name + " resized: " + old + " -> " + newSize + " bytes; " + told + " connection(s) told, "
                + attached + " session(s) attached");
        return new Resized(name, old, newSize, told, (int) attached);
    }

    /** The server's metrics in the Prometheus text format, as they are now (for {@code --metrics}). */
    public String renderMetrics() {
        return ServerMetricsText.render(metrics, exports.values(), sessions.all());
    }

    /** Every session the server knows: connected ones, and those whose client is away but may resume. */
    public java.util.Collection<Session> sessions() {
        return sessions.all();
    }

    public int connectionCount() {
        return connections.size();
    }

    /** Blocks until the listening socket is closed. */
    public void awaitClosed() throws InterruptedException {
        listener.closeFuture().await();
    }

    @Override
    public void close() throws IOException {
        listener.close().syncUninterruptibly();
        if (nbdListener != null) nbdListener.close().syncUninterruptibly();
        // Stop reading new requests, then let those already running finish and send their replies. On each
        // connection's event loop, so that no handler there can resume reading after it (see draining()).
        // A plain loop, not a stream: the group's spliterator is sized when made, and a connection accepted
        // meanwhile made toList() throw ("Accept exceeded fixed size"); its iterator is weakly consistent.
        List<Future<?>> marked = new ArrayList<>();
        for (Channel ch : connections) {
            marked.add(ch.eventLoop().submit(() -> {
                ch.attr(DRAINING).set(true);
                ch.config().setAutoRead(false);
            }));
        }
        marked.forEach(f -> f.awaitUninterruptibly(1, TimeUnit.SECONDS));
        CompletableFuture<?>[] idle = sessions.all().stream().map(Session::idle).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(idle).get(config.drainTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warning("shutdown: requests still running after " + config.drainTimeout() + ", closing anyway");
        } catch (Exception e) {
            LOG.warning("shutdown: " + e);
        }
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        io.shutdown();
        try {
            io.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IOException failure = null;
        for (Export e : exports.values()) {
            try {
                e.close(); // forces to disk
            } catch (IOException ex) {
                LOG.severe("closing export " + e.name() + ": " + ex.getMessage());
                failure = ex;
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        transport.afterClose();
        if (nbdTransport != null) nbdTransport.afterClose();
        if (failure != null) throw failure;
    }
}
