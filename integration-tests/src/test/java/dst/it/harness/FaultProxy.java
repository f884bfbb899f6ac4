package dst.it.harness;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 that sits between a client and a server and injects network faults on
 * command: cut every connection (RST), blackhole (forward nothing, close nothing: a half-open link),
 * take the link down for a while (nothing moves, nothing is lost: what TCP makes of a pulled cable),
 * delay every byte, and flip bits at a given rate with a fixed seed. It counts connections, bytes
 * and flipped bits, so a test can prove a fault really happened; with {@link #recording()} it keeps a copy of
 * every byte it forwards (what an eavesdropper on the wire sees).
 *
 * <p>Threading: one event loop thread does all forwarding, so the bit flipper of each direction sees
 * the bytes in one well-defined order and a seed reproduces the same flips for the same stream.
 * Control methods may be called from any thread. Backpressure is end to end: a side that cannot
 * write stops the other side from reading.
 */
public final class FaultProxy implements AutoCloseable {
    /** Which way bytes travel. */
    public enum Direction { CLIENT_TO_SERVER, SERVER_TO_CLIENT }

    private final InetSocketAddress target;
    private static final boolean EPOLL = Epoll.isAvailable();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<Channel> clientSides = new CopyOnWriteArrayList<>(); // in the order accepted
    private final Channel listener;

    private volatile boolean blackhole;
    // Confined to the event loop: whether the link is down, and the relays that stopped because of it.
    private boolean linkDown;
    private final java.util.List<Relay> stalled = new java.util.ArrayList<>();
    private volatile long delayNanos;
    private final Map<Direction, BitFlipper> flippers = new EnumMap<>(Direction.class);
    private final Map<Direction, AtomicLong> forwarded = new EnumMap<>(Direction.class);
    private final Map<Direction, AtomicLong> dropped = new EnumMap<>(Direction.class);
    private final Map<Direction, AtomicLong> delayedByLink = new EnumMap<>(Direction.class);
    private final Map<Direction, AtomicLong> flipped = new EnumMap<>(Direction.class);
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private volatile ByteArrayOutputStream recorded;

    private FaultProxy(InetSocketAddress target) {
        this.target = target;
        for (Direction d : Direction.values()) {
            forwarded.put(d, new AtomicLong());
            dropped.put(d, new AtomicLong());
            delayedByLink.put(d, new AtomicLong());
            flipped.put(d, new AtomicLong());
        }
        this.listener = new ServerBootstrap()
                .group(group)
                .channel(EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(4096, 65536, 1 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel client) {
                        accept(client);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    /** A proxy listening on a free port of 127.0.0.1, forwarding to {@code target}. */
    public static FaultProxy start(InetSocketAddress target) {
        return new FaultProxy(target);
    }

    public static FaultProxy start(int targetPort) {
        return start(new InetSocketAddress("127.0.0.1", targetPort));
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port());
    }

    /** From now on keeps a copy of every byte forwarded, both directions interleaved (see {@link #seen()}). */
    public FaultProxy recording() {
        recorded = new ByteArrayOutputStream();
        return this;
    }

    /** Every byte forwarded since {@link #recording()}, as it went on (after any bit flips). */
    public byte[] seen() {
        ByteArrayOutputStream r = recorded;
        if (r == null) throw new IllegalStateException("not recording: call recording() first");
        synchronized (r) {
            return r.toByteArray();
        }
    }

    // ---- faults ----

    /** Resets every open connection, both sides, now (RST, not FIN). New connections are accepted as before. */
    public void cutAll() {
        group.next().submit(() -> {
            for (Channel ch : channels) {
                if (ch.isOpen()) {
                    ch.config().setOption(ChannelOption.SO_LINGER, 0);
                    ch.close();
                }
            }
        }).syncUninterruptibly();
    }

    /**
     * Resets the oldest open connection, both sides, now (RST to the client, then the server's side closes); the
     * others go on. Returns false when none was open.
     */
    public boolean cutOne() {
        return group.next().submit(() -> {
            for (Channel ch : clientSides) {
                if (ch.isOpen()) {
                    ch.config().setOption(ChannelOption.SO_LINGER, 0);
                    ch.close();
                    return true;
                }
            }
            return false;
        }).syncUninterruptibly().getNow();
    }

    /**
     * While on, bytes are read and thrown away in both directions and nothing is closed: to both ends
     * the link looks alive but silent (a half-open connection, a partition without RST). New
     * connections are accepted and connected but see nothing either. Off: forwarding resumes (the bytes
     * dropped meanwhile are lost for good, so the streams of open connections are usually broken).
     */
    public void blackhole(boolean on) {
        blackhole = on;
    }

    /**
     * Down: nothing moves in either direction, nothing is dropped and nothing is closed, for every connection and for
     * new ones (accepted, but silent): a link that is cut, as TCP sees it, which retransmits until the link is back.
     * A side that closes meanwhile is told to the other side only then (its FIN crosses the link too). Up: every
     * byte held goes on, in order, and forwarding resumes.
     */
    public void linkDown(boolean down) {
        group.next().submit(() -> {
            linkDown = down;
            if (down) return;
            java.util.List<Relay> resume = new java.util.ArrayList<>(stalled);
            stalled.clear();
            resume.forEach(Relay::resume);
        }).syncUninterruptibly();
    }

    /** Adds {@code delay} to every byte in both directions (order preserved); zero turns it off. */
    public void delay(Duration delay) {
        delayNanos = delay.toNanos();
    }

    /**
     * Flips one random bit in about {@code ratePerByte} of the bytes going {@code directions}, choosing
     * positions from {@code seed}; a rate of 0 stops flipping. Each direction gets its own generator
     * (seeded from {@code seed} and the direction), applied over the concatenation of all connections.
     */
    public void flipBits(double ratePerByte, long seed, Direction... directions) {
        if (ratePerByte < 0 || ratePerByte > 1) throw new IllegalArgumentException("ratePerByte: " + ratePerByte);
        group.next().submit(() -> {
            for (Direction d : directions) {
                flippers.put(d, ratePerByte == 0 ? null : new BitFlipper(ratePerByte, seed * 31 + d.ordinal()));
            }
        }).syncUninterruptibly();
    }

    /** Stops every fault: no blackhole, link up, no delay, no flips. */
    public void heal() {
        blackhole(false);
        linkDown(false);
        delay(Duration.ZERO);
        flipBits(0, 0, Direction.values());
    }

    // ---- counters ----

    public long bytesForwarded(Direction d) {
        return forwarded.get(d).get();
    }

    /** Bytes thrown away by the blackhole. */
    public long bytesDropped(Direction d) {
        return dropped.get(d).get();
    }

    /** Bytes that arrived while the link was down (and went on when it came back). */
    public long bytesHeldByLinkDown(Direction d) {
        return delayedByLink.get(d).get();
    }

    public long bitsFlipped(Direction d) {
        return flipped.get(d).get();
    }

    public int connectionsAccepted() {
        return accepted.get();
    }

    /** Client connections whose both sides are still open. */
    public int connectionsOpen() {
        return open.get();
    }

    // ---- forwarding ----

    private void accept(SocketChannel client) {
        accepted.incrementAndGet();
        channels.add(client);
        clientSides.add(client);
        client.closeFuture().addListener(f -> clientSides.remove(client));
        new Bootstrap()
                .group(client.eventLoop())
                .channel(EPOLL ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(4096, 65536, 1 << 20))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel server) {
                        channels.add(server);
                        server.pipeline().addLast(new Relay(client, Direction.SERVER_TO_CLIENT));
                    }
                })
                .connect(target)
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        client.close();
                        return;
                    }
                    Channel server = f.channel();
                    open.incrementAndGet();
                    server.closeFuture().addListener(x -> open.decrementAndGet());
                    client.pipeline().addLast(new Relay(server, Direction.CLIENT_TO_SERVER));
                    client.read();
                    server.read();
                });
    }

    /** Forwards what one side reads to the other side, applying the faults of its direction. */
    private final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel peer;
        private final Direction direction;
        /** When the last delayed chunk is due: later chunks are never due earlier, so order holds. */
        private long lastDue;
        /** While the link is down: what was read and not forwarded yet (nothing more is read), and a close to pass on. */
        private final java.util.ArrayDeque<ByteBuf> held = new java.util.ArrayDeque<>();
        private boolean closeHeld;
        private ChannelHandlerContext ctx;

        Relay(Channel peer, Direction direction) {
            this.peer = peer;
            this.direction = direction;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.read();
        }

        /** The link is up again: passes on what it held (and a close), then reads on. */
        void resume() {
            while (!held.isEmpty()) pass(ctx, held.poll());
            if (closeHeld) passOnClose(ctx);
            else ctx.read();
        }

        private void stall() {
            if (!stalled.contains(this)) stalled.add(this);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            if (linkDown || !held.isEmpty()) {
                delayedByLink.get(direction).addAndGet(buf.readableBytes());
                held.add(buf); // and no more reads: the sender's socket buffers fill up, as behind a dead link
                stall();
                return;
            }
            pass(ctx, buf);
        }

        /** Forwards {@code buf} with this direction's faults (blackhole, bit flips, delay), counting it. */
        private void pass(ChannelHandlerContext ctx, ByteBuf buf) {
            int n = buf.readableBytes();
            if (blackhole) {
                dropped.get(direction).addAndGet(n);
                buf.release();
                ctx.read();
                return;
            }
            BitFlipper flipper = flippers.get(direction);
            if (flipper != null) flipped.get(direction).addAndGet(flipper.apply(buf));
            forwarded.get(direction).addAndGet(n);
            ByteArrayOutputStream r = recorded;
            if (r != null) {
                byte[] copy = ByteBufUtil.getBytes(buf);
                synchronized (r) {
                    r.write(copy, 0, n);
                }
            }
            long now = System.nanoTime();
            long due = Math.max(now + delayNanos, lastDue);
            if (due <= now) {
                forward(ctx, buf);
            } else {
                lastDue = due;
                ctx.executor().schedule(() -> forward(ctx, buf), due - now, TimeUnit.NANOSECONDS);
                ctx.read();
            }
        }

        private void forward(ChannelHandlerContext ctx, ByteBuf buf) {
            peer.writeAndFlush(buf).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) ctx.channel().close();
            });
            // End-to-end backpressure: read on only while the peer takes bytes; else the peer's
            // channelWritabilityChanged below resumes reading.
            if (peer.isWritable()) ctx.read();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) peer.read(); // this side drained: let the side feeding it read again
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (linkDown || !held.isEmpty()) {
                closeHeld = true;
                stall();
                return;
            }
            passOnClose(ctx);
        }

        private void passOnClose(ChannelHandlerContext ctx) {
            long wait = Math.max(0, lastDue - System.nanoTime());
            ctx.executor().schedule(() -> {
                if (peer.isActive()) peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }, wait, TimeUnit.NANOSECONDS);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // resets and broken pipes are what this proxy is for
        }
    }

    /**
     * Chooses flip positions as a Bernoulli process with the given per-byte rate: the gap to the next
     * flipped byte is drawn from the geometric distribution, so the cost is per flip, not per byte.
     */
    static final class BitFlipper {
        private final double rate;
        private final Random random;
        private long untilNext;

        BitFlipper(double rate, long seed) {
            this.rate = rate;
            this.random = new Random(seed);
            this.untilNext = gap();
        }

        private long gap() {
            if (rate >= 1) return 0;
            double u = random.nextDouble();
            return (long) Math.floor(Math.log1p(-u) / Math.log1p(-rate));
        }

        /** Flips bits in the readable bytes of {@code buf} in place; returns how many. */
        int apply(ByteBuf buf) {
            int length = buf.readableBytes();
            int base = buf.readerIndex();
            int flips = 0;
            long at = untilNext;
            while (at < length) {
                int index = base + (int) at;
                buf.setByte(index, buf.getByte(index) ^ (1 << random.nextInt(8)));
                flips++;
                at += 1 + gap();
            }
            untilNext = at - length;
            return flips;
        }
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    public String toString() {
        return "FaultProxy 127.0.0.1:" + port() + " -> " + target.getHostString() + ":" + target.getPort();
    }
}
