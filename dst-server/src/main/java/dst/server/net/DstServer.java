package dst.server.net;

import dst.server.export.Export;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
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
 * native epoll transport when it loads, NIO otherwise. {@link #close()} is the graceful shutdown:
 * stop accepting, let running requests finish and answer, force every export to disk.
 */
public final class DstServer implements Closeable {
    private static final Logger LOG = Logger.getLogger(DstServer.class.getName());

    private final Map<String, Export> exports;
    private final ServerConfig config;
    private final EventLoopGroup group;
    private final ExecutorService io;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final SessionRegistry sessions = new SessionRegistry();
    private final Channel listener;

    private DstServer(Map<String, Export> exports, ServerConfig config, InetSocketAddress bind) throws IOException {
        this.exports = exports;
        this.config = config;
        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(0, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        AtomicInteger n = new AtomicInteger();
        this.io = new ThreadPoolExecutor(config.ioThreads(), config.ioThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "dst-io-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        try {
            this.listener = new ServerBootstrap()
                    .group(group)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ServerInitializer(exports, sessions, config, io, connections))
                    .bind(bind).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            io.shutdownNow();
            throw new IOException("cannot listen on " + bind.getHostString() + ":" + bind.getPort() + ": " + e.getMessage(), e);
        }
    }

    /** Starts a server on {@code bind} serving {@code exports} (closed by the server on shutdown). */
    public static DstServer start(List<Export> exports, ServerConfig config, InetSocketAddress bind) throws IOException {
        Map<String, Export> byName = new LinkedHashMap<>();
        for (Export e : exports) {
            if (byName.put(e.name(), e) != null) throw new IllegalArgumentException("export '" + e.name() + "' given twice");
        }
        return new DstServer(byName, config, bind);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    public Map<String, Export> exports() {
        return exports;
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
        // Stop reading new requests, then let those already running finish and send their replies.
        connections.forEach(ch -> ch.config().setAutoRead(false));
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
        if (failure != null) throw failure;
    }
}
