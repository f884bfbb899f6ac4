package dst.client.net;

import dst.client.core.ClientConfig;
import dst.client.core.DeviceStats;
import dst.client.transactions.DurabilityLedger;
import dst.client.transactions.TransactionTable;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.Features;
import dst.protocol.FrameException;
import dst.protocol.Hello;
import dst.protocol.Opcode;
import dst.protocol.Reply;
import dst.runtime.cli.Version;
import dst.runtime.transport.Transport;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The client's side of a session with the server: one connection at a time, and the transactions
 * it carries, held in an id-ordered table until their replies.
 *
 * <p>When the connection is lost, the session reconnects by itself (exponential backoff with jitter),
 * resumes on the server (which fences the old connection), checks that the export is still the same
 * disk, and resends every unanswered transaction in id order. A transaction not answered within the
 * I/O timeout fails with EIO and is dropped for good ("rolled back"); if it was on the wire, the
 * connection is reset so the server fences it before anything newer is served. It also tracks which
 * acknowledged writes are known flushed, so that a reconnect to a rebooted server machine fails the
 * next flush instead of hiding a loss.
 *
 * <p>At most the server's {@code MAX_IN_FLIGHT} (from its WELCOME) transactions are on the wire at once:
 * the rest wait in the fallback queue and go out as replies come in, since a server disconnects a client
 * that sends more.
 *
 * <p>Threading: the table, the fallback queue and the connection state are confined to one event loop
 * thread; submitters hand transactions over with {@code execute}. User futures complete on a
 * separate completion thread, so user callbacks may submit (and wait for budget) freely.
 */
final class ClientSession {
    private static final Logger LOG = Logger.getLogger(ClientSession.class.getName());

    private final ClientConfig config;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Transport transport;
    private final SslContext tls;
    private final ExecutorService completions;
    private final ByteBudget budget;
    private final DeviceStats stats = new DeviceStats();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Backoff backoff;

    // Confined to `loop`.
    private final TransactionTable<Transaction> table = new TransactionTable<>();
    private final DurabilityLedger ledger = new DurabilityLedger();
    private Channel channel;
    private long connections; // connection numbers handed out (the table's current one is the latest)
    private long sessionId;
    private boolean closing;
    private boolean reconnectPending;

    private volatile ExportInfo info;
    private volatile DstException fatal;

    ClientSession(ClientConfig config) throws DstException {
        this.config = config;
        this.transport = config.unixSocket() != null ? Transport.unix(config.unixSocket())
                : Transport.tcp(InetSocketAddress.createUnresolved(config.host(), config.port()));
        this.tls = config.tls() == null ? null : ClientTls.context(config.tls());
        this.group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        this.loop = group.next();
        this.bootstrap = transport.configure(new Bootstrap().group(loop))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(2 << 20, 8 << 20))
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT); // see DstServer: not the adaptive one
        this.completions = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dst-client-complete");
            t.setDaemon(true);
            return t;
        });
        this.budget = new ByteBudget(config.maxQueuedBytes());
        this.backoff = new Backoff(config.reconnectMin(), config.reconnectMax());
    }

    /**
     * Connects and runs the handshake once; fails fast (no retries) with a DstException saying why:
     * ECONNREFUSED/ETIMEDOUT when the server cannot be reached, the server's errno when it refused.
     */
    void open() throws DstException {
        try {
            info = handshake().get(config.connectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            shutdown();
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof DstException d) throw d;
            throw new DstException(Errno.ETIMEDOUT, "no answer from " + config.target() + " within " + config.connectTimeout().toSeconds() + "s", cause);
        }
        loop.scheduleAtFixedRate(this::expireOverdue, 100, 100, TimeUnit.MILLISECONDS);
    }

    ExportInfo info() {
        return info;
    }

    DeviceStats stats() {
        return stats;
    }

    ClientConfig config() {
        return config;
    }

    // ---- connection lifecycle (event loop) ----

    /** One connect + handshake attempt; completes with the export info once the data phase runs. */
    private CompletableFuture<ExportInfo> handshake() {
        CompletableFuture<ExportInfo> welcome = new CompletableFuture<>();
        CompletableFuture<ExportInfo> ready = new CompletableFuture<>();
        int wanted = Features.FLUSH | Features.FUA | Features.TRIM | Features.WRITE_ZEROES | (config.crc() ? Features.CRC32C : 0);
        // A fresh HELLO (and nonce) per connection: every reconnect authenticates anew.
        Hello hello = ClientHandshakeHandler.hello(config.export(), wanted, config.maxRequest(), sessionId,
                "dst-client " + Version.get(), config.credentials());
        String peerHost = config.unixSocket() != null ? "localhost" : config.host();
        ChannelFuture cf = bootstrap.clone()
                .handler(new ClientInitializer(hello, config.credentials(), welcome, tls, peerHost, config.port()))
                .connect(connectAddress());
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                Throwable c = f.cause();
                welcome.completeExceptionally(new DstException(Errno.ECONNREFUSED,
                        "cannot connect to " + config.server() + ": " + (c == null ? "cancelled" : c.getMessage()), c));
            }
        });
        loop.schedule(() -> welcome.completeExceptionally(new DstException(Errno.ETIMEDOUT,
                "no handshake from " + config.server() + " within " + config.connectTimeout().toMillis() + " ms")),
                config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        welcome.whenComplete((granted, err) -> loop.execute(() -> {
            try {
                if (err != null) throw err;
                adopt(cf.channel(), granted);
                ready.complete(granted);
            } catch (Throwable t) {
                cf.channel().close();
                ready.completeExceptionally(t);
            }
        }));
        return ready;
    }

    /** The address to connect to; a TCP host name is resolved anew on every attempt (it may move). */
    private java.net.SocketAddress connectAddress() {
        return transport.address() instanceof InetSocketAddress inet && inet.isUnresolved()
                ? new InetSocketAddress(inet.getHostString(), inet.getPort()) : transport.address();
    }

    /** Makes a freshly welcomed channel the connection, after checking it is still the same disk. */
    private void adopt(Channel ch, ExportInfo granted) throws DstException {
        if (closing) throw new DstException(Errno.ESHUTDOWN, "device is closing");
        ExportInfo known = info;
        if (known != null && (known.size() != granted.size() || known.exportId() != granted.exportId()
                || known.blockSize() != granted.blockSize() || known.readOnly() != granted.readOnly())) {
            DstException e = new DstException(Errno.EIO, "export '" + config.export() + "' changed while disconnected (size "
                    + known.size() + " -> " + granted.size() + ", id " + Long.toHexString(known.exportId()) + " -> "
                    + Long.toHexString(granted.exportId()) + "): refusing to use it, every request now fails");
            LOG.severe(e.getMessage());
            fatal = e;
            failAll(e);
            throw e;
        }
        if (!ch.isActive()) throw new DstException(Errno.ECONNRESET, "connection closed right after the handshake");
        long number = ++connections;
        ClientInitializer.startDataPhase(ch, granted, config.keepalive(), this, number);
        boolean resumed = sessionId != 0 && sessionId == granted.sessionId();
        long lost = ledger.welcomed(granted.bootId(), known != null);
        if (lost > 0) {
            LOG.severe("server " + config.target() + " was restarted as a machine (new boot id): "
                    + lost + " acknowledged write(s) were not flushed and may be lost; the next flush fails with EIO");
        }
        sessionId = granted.sessionId();
        channel = ch;
        stats.state(DeviceStats.State.CONNECTED);
        if (known != null) {
            stats.reconnects.increment();
            LOG.warning("reconnected to " + config.target() + " after " + backoff.attempts() + " attempt(s), "
                    + (resumed ? "session resumed" : "new session (server restarted)") + "; resending " + table.size() + " request(s)");
        }
        backoff.reset();
        table.connected(number, new ChannelWire(ch), granted.maxInFlight()); // resends in id order
    }

    /** The table's view of a connection: writes go to the channel as dst requests. */
    private final class ChannelWire implements TransactionTable.Wire<Transaction> {
        private final Channel ch;

        ChannelWire(Channel ch) {
            this.ch = ch;
        }

        @Override
        public boolean writable() {
            return ch.isWritable();
        }

        @Override
        public void write(Transaction tx, boolean resend) {
            if (resend) stats.resent.increment();
            ch.write(tx.toRequest(), ch.voidPromise());
        }

        @Override
        public void flush() {
            ch.flush();
        }
    }

    void onDisconnected(long number) {
        if (!table.disconnected(number)) return;
        channel = null;
        if (closing) {
            failAll(new DstException(Errno.ESHUTDOWN, "device closed"));
            return;
        }
        if (fatal != null) return;
        stats.state(DeviceStats.State.RECONNECTING);
        LOG.warning("lost connection to " + config.target() + " with " + table.size() + " request(s) unanswered; reconnecting");
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        if (reconnectPending || closing || fatal != null) return;
        reconnectPending = true;
        long delay = backoff.nextDelayNanos();
        loop.schedule(() -> {
            reconnectPending = false;
            if (closing || channel != null) return;
            handshake().whenComplete((v, err) -> {
                if (err == null) return;
                loop.execute(() -> {
                    if (backoff.attempts() % 10 == 1) {
                        LOG.warning("reconnect to " + config.target() + " failed (attempt " + backoff.attempts() + "): " + rootMessage(err));
                    }
                    if (err instanceof DstException d && d.errno() == Errno.ENOENT) {
                        LOG.severe("server no longer has export '" + config.export() + "'; still retrying");
                    }
                    scheduleReconnect();
                });
            });
        }, delay, TimeUnit.NANOSECONDS);
    }

    void onDead(long number, String why) {
        if (number == table.connection()) LOG.warning(config.target() + ": " + why);
    }

    void onBadFrame(long number, FrameException e) {
        if (e instanceof FrameException.PayloadChecksum || e instanceof FrameException.HeaderChecksum) stats.crcErrors.increment();
        LOG.warning(config.target() + ": corrupt reply (" + e.getMessage() + "); resetting the connection, requests will be resent");
    }

    void onWritable(long number) {
        table.drain(number);
    }

    // ---- replies, deadlines (event loop) ----

    void onReply(long number, Reply reply) {
        try {
            if (reply.opcode() == Opcode.PING) return;
            if (reply.opcode() == Opcode.CONNECTION_ERROR) {
                LOG.warning(config.target() + ": server reports " + dst.protocol.Errno.name(reply.status()) + ": " + reply.message());
                return;
            }
            Transaction tx = table.answer(reply.transactionId(), number);
            if (tx == null) return; // late reply of a rolled-back or resent transaction
            finish(tx);
            if (reply.isOk() && tx.opcode == Opcode.FLUSH && !ledger.flushAcknowledged(tx.coversUpTo)) {
                stats.errors.increment();
                completeAsync(tx, null, new DstException(Errno.EIO, "the server machine restarted before this flush: "
                        + "writes acknowledged since the previous flush may be lost"));
            } else if (reply.isOk()) {
                count(tx);
                if (tx.opcode != Opcode.READ && tx.opcode != Opcode.FLUSH) ledger.writeAcknowledged((tx.flags & Opcode.FLAG_FUA) != 0);
                ByteBuf data = tx.opcode == Opcode.READ ? reply.payload().retain() : null;
                completeAsync(tx, data, null);
            } else {
                stats.errors.increment();
                completeAsync(tx, null, new DstException(reply.status(), Opcode.name(tx.opcode) + " " + tx.offset + "+"
                        + Integer.toUnsignedLong(tx.length) + " failed on the server: " + reply.message()));
            }
        } finally {
            reply.release();
        }
    }

    private void count(Transaction tx) {
        switch (tx.opcode) {
            case Opcode.READ -> {
                stats.reads.increment();
                stats.bytesRead.add(tx.length);
            }
            case Opcode.WRITE -> {
                stats.writes.increment();
                stats.bytesWritten.add(tx.length);
            }
            case Opcode.FLUSH -> stats.flushes.increment();
            default -> stats.trims.increment();
        }
    }

    private void expireOverdue() {
        if (config.ioTimeout().isZero() || table.isEmpty()) return;
        TransactionTable.Expired<Transaction> expired = table.expire(System.nanoTime());
        if (expired.transactions().isEmpty()) return;
        for (Transaction tx : expired.transactions()) {
            finish(tx);
            stats.timedOut.increment();
            completeAsync(tx, null, new DstException(Errno.EIO, Opcode.name(tx.opcode) + " " + tx.offset + "+"
                    + Integer.toUnsignedLong(tx.length) + " not answered within " + config.ioTimeout().toSeconds()
                    + "s: failed and dropped (it will not be resent)"));
        }
        boolean reset = expired.onCurrentConnection();
        LOG.warning(config.target() + ": " + expired.transactions().size() + " request(s) timed out after " + config.ioTimeout().toSeconds()
                + "s and failed with EIO" + (reset ? "; resetting the connection so the server fences them" : ""));
        if (reset) channel.close();
    }

    private void finish(Transaction tx) {
        tx.releasePayload();
        budget.release(tx.cost);
    }

    private void failAll(DstException e) {
        for (Transaction tx : table.removeAll()) {
            finish(tx);
            completeAsync(tx, null, e);
        }
    }

    private void completeAsync(Transaction tx, ByteBuf data, Throwable error) {
        try {
            completions.execute(() -> {
                if (error != null) tx.result.completeExceptionally(error);
                else if (!tx.result.complete(data) && data != null) data.release();
            });
        } catch (RejectedExecutionException e) { // closed: complete inline
            if (error != null) tx.result.completeExceptionally(error);
            else if (!tx.result.complete(data) && data != null) data.release();
        }
    }

    // ---- submission (any thread but the event loop) ----

    /** Queues one request of at most maxRequest bytes; waits for budget (backpressure). Not from the event loop. */
    CompletableFuture<ByteBuf> submit(int opcode, int flags, long offset, int length, ByteBuf payload, long cost) {
        if (loop.inEventLoop()) {
            if (payload != null) payload.release();
            throw new IllegalStateException("a dst device must not be called from its own event loop");
        }
        DstException f = fatal;
        if (f == null && closing) f = new DstException(Errno.ESHUTDOWN, "device is closed");
        if (f == null) {
            try {
                budget.acquire(cost);
            } catch (DstException e) {
                f = e;
            }
        }
        if (f != null) {
            if (payload != null) payload.release();
            return CompletableFuture.failedFuture(f);
        }
        long id = nextId.getAndIncrement();
        long timeout = config.ioTimeout().toNanos();
        long deadline = timeout == 0 ? Long.MAX_VALUE : System.nanoTime() + timeout;
        Transaction tx = new Transaction(id, opcode, flags, offset, length, payload, deadline, cost);
        try {
            loop.execute(() -> {
                DstException ff = fatal;
                if (ff != null || closing) {
                    finish(tx);
                    completeAsync(tx, null, ff != null ? ff : new DstException(Errno.ESHUTDOWN, "device is closed"));
                    return;
                }
                tx.coversUpTo = ledger.coverage();
                table.add(tx);
                stats.inFlight(table.size());
            });
        } catch (RejectedExecutionException e) {
            finish(tx);
            return CompletableFuture.failedFuture(new DstException(Errno.ESHUTDOWN, "device is closed"));
        }
        return tx.result;
    }


    /** Number of transactions not yet answered (for status views and tests). */
    int pending() {
        try {
            return loop.submit(table::size).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return -1;
        }
    }

    /** Waits (bounded) for requests in flight, then closes the connection and stops the threads. */
    void close() {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until && fatal == null && !loop.isShuttingDown()) {
            int n = pending();
            if (n <= 0) break;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        shutdown();
    }

    private void shutdown() {
        try {
            loop.submit(() -> {
                closing = true;
                stats.state(DeviceStats.State.CLOSED);
                if (channel != null) channel.close();
                failAll(new DstException(Errno.ESHUTDOWN, "device closed"));
            }).await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RejectedExecutionException ignored) {
            // already shut down
        }
        budget.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        completions.shutdown();
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t && !(t instanceof DstException)) t = t.getCause();
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
