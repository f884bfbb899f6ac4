package dst.client.net;

import dst.client.core.ByteBudget;
import dst.client.core.ClientConfig;
import dst.client.core.DeviceStats;
import dst.client.transactions.DurabilityLedger;
import dst.client.transactions.TransactionTable;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.FrameException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The client's side of a session with a server, whatever the wire protocol: one connection at a time
 * (made by the {@link Connector}), and the transactions it carries, held in the {@link TransactionTable}
 * until their replies.
 *
 * <p>When the connection is lost, the session reconnects by itself (exponential backoff with jitter),
 * resumes on the server when the protocol has sessions (dst's server then fences the old connection),
 * checks that the export is still the same disk, and resends every unanswered transaction in id order.
 * A transaction not answered within the I/O timeout fails with EIO and is dropped for good ("rolled
 * back"); if it was on the wire, the connection is reset so the server fences it before anything newer is
 * served. The {@link DurabilityLedger} tracks which acknowledged writes are known flushed, so that a
 * reconnect to a rebooted server machine fails the next flush instead of hiding a loss.
 *
 * <p>Threading: the table, the ledger and the connection state are confined to the connector's event loop
 * thread; submitters hand transactions over with {@code execute}. User futures complete on a separate
 * completion thread ({@link Completions}), so user callbacks may submit (and wait for budget) freely.
 */
final class ClientSession implements ConnectionEvents {
    private static final Logger LOG = Logger.getLogger(ClientSession.class.getName());
    /** How long a closing device waits for the server to end its session (RELEASE) before it just closes. */
    private static final long RELEASE_WAIT_MS = 2000;

    private final ClientConfig config;
    private final Connector connector;
    private final EventLoop loop;
    private final Completions completions;
    private final ByteBudget budget;
    private final DeviceStats stats;
    private final AtomicLong nextId;
    private final Backoff backoff;
    private final String name; // "" alone, " (connection 2/4)" in a group
    private final boolean releases; // dst: the session is ended with RELEASE on close (NBD: with the connection)

    // Confined to `loop`.
    private final TransactionTable<Transaction> table;
    private final DurabilityLedger ledger;
    private volatile boolean up;
    private Channel channel;
    private long connections; // connection numbers handed out; the table's current one is the latest
    private long sessionId;
    private boolean closing;
    private boolean reconnectPending;
    private long disconnectedAt; // System.nanoTime() when the current connection was lost
    private long releaseId; // the RELEASE on the wire, 0 before
    private CompletableFuture<Void> released; // completes when the server answered the RELEASE or closed

    private volatile ExportInfo info;
    private volatile String offered;
    private volatile boolean blockStatus;
    private volatile boolean multiConn;
    private volatile int alignment = 1;
    private volatile DstException fatal;
    private final List<LongConsumer> resizeListeners = new CopyOnWriteArrayList<>();

    /**
     * One connection of {@code group}'s device; {@code name} tells it apart in messages ("" for a device of one).
     * Without fencing (NBD) its table holds overlapping writes against every table of the group.
     */
    ClientSession(ClientConfig config, WireProtocol protocol, SessionGroup group, String name) throws DstException {
        this.config = config;
        this.name = name;
        this.loop = group.loop;
        this.connector = new Connector(config, protocol, loop);
        this.table = protocol.fencesOldConnections() ? new TransactionTable<>() : new TransactionTable<>(group.order);
        this.releases = protocol.fencesOldConnections();
        this.ledger = group.ledger;
        this.budget = group.budget;
        this.completions = group.completions;
        this.stats = group.stats;
        this.nextId = group.nextId;
        this.backoff = new Backoff(config.reconnectMin(), config.reconnectMax());
        this.sessionId = config.resumeSession(); // a takeover resumes the predecessor's session (and keeps its claim)
    }

    /**
     * Connects and runs the handshake once; fails fast (no retries) with a DstException saying why:
     * ECONNREFUSED/ETIMEDOUT when the server cannot be reached, the server's errno when it refused (the caller then
     * shuts the group down).
     */
    void open() throws DstException {
        try {
            info = handshake().get(config.connectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            closeConnection();
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

    /** What the server offered beyond {@link #info()}, when its protocol says more (NBD), else null. */
    String offered() {
        return offered;
    }

    /** Whether the current (last) connection's server answers {@link Op#BLOCK_STATUS}. */
    boolean blockStatus() {
        return blockStatus;
    }

    /** Whether this session's connection is in its data phase now (read from any thread). */
    boolean isUp() {
        return up;
    }

    /** Whether the server advertised CAN_MULTI_CONN (NBD): a FLUSH on one connection covers every connection's writes. */
    boolean multiConn() {
        return multiConn;
    }

    /** What request offsets and lengths must be multiples of (1: anything goes). */
    int alignment() {
        return alignment;
    }

    ClientConfig config() {
        return config;
    }

    // ---- connection lifecycle (event loop) ----

    /** One connect + handshake attempt; completes with the export info once the data phase runs. */
    private CompletableFuture<ExportInfo> handshake() {
        CompletableFuture<ExportInfo> ready = new CompletableFuture<>();
        connector.attempt(sessionId).whenComplete((welcomed, err) -> loop.execute(() -> {
            if (err != null) {
                ready.completeExceptionally(unwrap(err));
                return;
            }
            try {
                adopt(welcomed);
                ready.complete(welcomed.granted());
            } catch (Throwable t) {
                welcomed.channel().close();
                ready.completeExceptionally(t);
            }
        }));
        return ready;
    }

    /** Makes a freshly welcomed connection the current one, after checking it is still the same disk. */
    private void adopt(Connector.Welcomed welcomed) throws DstException {
        Channel ch = welcomed.channel();
        ExportInfo granted = welcomed.granted();
        if (closing) throw new DstException(Errno.ESHUTDOWN, "device is closing");
        ExportInfo known = info;
        if (known != null && (known.size() > granted.size() || known.exportId() != granted.exportId()
                || known.blockSize() != granted.blockSize() || known.readOnly() != granted.readOnly())) {
            DstException e = new DstException(Errno.EIO, "export '" + config.export() + "' changed while disconnected (size "
                    + known.size() + " -> " + granted.size() + ", id " + Long.toHexString(known.exportId()) + " -> "
                    + Long.toHexString(granted.exportId()) + ", block size " + known.blockSize() + " -> " + granted.blockSize()
                    + ", read-only " + known.readOnly() + " -> " + granted.readOnly() + "): refusing to use it, every request now fails");
            LOG.severe(e.getMessage());
            fatal = e;
            failAll(e);
            throw e;
        }
        if (!ch.isActive()) throw new DstException(Errno.ECONNRESET, "connection closed right after the handshake");
        long number = ++connections;
        connector.startDataPhase(welcomed, this, number);
        boolean resumed = sessionId != 0 && sessionId == granted.sessionId();
        long lost = ledger.welcomed(granted.bootId(), known != null);
        if (lost > 0) {
            LOG.severe("server " + config.target() + " was restarted as a machine (new boot id): "
                    + lost + " acknowledged write(s) were not flushed and may be lost; the next flush fails with EIO");
        }
        if (known == null && config.resumeSession() != 0) {
            LOG.info(resumed ? "took over session " + Long.toHexString(sessionId) + " of the process this one replaces (its claim with it)"
                    : "session " + Long.toHexString(config.resumeSession()) + " of the process this one replaces is gone on the server: new session");
        }
        sessionId = granted.sessionId();
        stats.session(sessionId);
        offered = ch.attr(WireProtocol.OFFERED).get();
        multiConn = Boolean.TRUE.equals(ch.attr(WireProtocol.MULTI_CONN).get());
        blockStatus = Boolean.TRUE.equals(ch.attr(WireProtocol.BLOCK_STATUS).get());
        Integer align = ch.attr(WireProtocol.ALIGNMENT).get();
        alignment = align == null ? 1 : align;
 channel = ch;
        stats.state(DeviceStats.State.CONNECTED);
        up = true;
        stats.connectionUp();
        if (known != null) {
            stats.reconnects.increment();
            LOG.warning("reconnected to " + config.target() + name + " after " + backoff.attempts() + " attempt(s), "
                    + (resumed ? "session resumed" : "new session (server restarted)") + "; resending " + table.size() + " request(s)");
        }
        backoff.reset();
        if (known != null && granted.size() > known.size()) grow(granted.size(), "grew while this client was disconnected");
        table.connected(number, new ChannelWire(ch), granted.maxInFlight()); // resends in id order
    }

    /** The table's view of a connection: transactions go to the channel as {@link WireRequest}s. */
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
            ch.write(tx.toWire(), ch.voidPromise());
        }

        @Override
        public void flush() {
            ch.flush();
        }
    }

    @Override
    public void closed(long connection) {
        if (!table.disconnected(connection)) return;
        channel = null;
        if (up) stats.connectionDown();
        up = false;
        if (closing) {
            failAll(new DstException(Errno.ESHUTDOWN, "device closed"));
            return;
        }
        if (fatal != null) return;
        disconnectedAt = System.nanoTime();
        stats.state(DeviceStats.State.RECONNECTING);
 LOG.warning("lost connection to " + config.target() + name + " with " + table.size() + " request(s) unanswered; reconnecting");
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
                    if (err instanceof DstException d && d.errno() == Errno.EBUSY) {
                        // our claim lapsed while we were away and another writer holds the export now: what this
                        // device's users cached of it is stale, carrying on would corrupt it
                        DstException e = new DstException(Errno.EIO, "export '" + config.export() + "' was taken over while this "
                                + "client was disconnected: " + d.reason() + "; every request now fails");
                        LOG.severe(e.getMessage());
                        fatal = e;
                        failAll(e);
                        return;
                    }
                    scheduleReconnect();
                });
            });
        }, delay, TimeUnit.NANOSECONDS);
    }

    @Override
    public void resized(long connection, long size) {
        if (connection == table.connection()) grow(size, "grew on the server (online resize)");
    }

    /** Takes a larger export size: requests may reach the new space, and the listeners (the frontend) grow the device. */
    private void grow(long size, String how) {
        ExportInfo known = info;
        if (size <= known.size()) return; // shrinking is refused by the server while clients are attached
        if (size % known.blockSize() != 0) {
            LOG.warning(config.target() + ": ignoring a new size of " + size + " bytes: not a multiple of the block size " + known.blockSize());
            return;
        }
        info = known.withSize(size);
        LOG.warning("export '" + config.export() + "' " + how + ": " + known.size() + " -> " + size + " bytes");
        for (LongConsumer l : resizeListeners) completions.run(() -> l.accept(size));
    }

    /** Calls {@code listener} with the new size, off the event loop, each time the export grows. */
    void onResize(LongConsumer listener) {
        resizeListeners.add(listener);
    }

    @Override
    public void dead(long connection, String why) {
        if (connection == table.connection()) LOG.warning(config.target() + ": " + why);
    }

    @Override
    public void badFrame(long connection, Exception e) {
        if (e instanceof FrameException.PayloadChecksum || e instanceof FrameException.HeaderChecksum) stats.crcErrors.increment();
        LOG.warning(config.target() + ": corrupt reply (" + e.getMessage() + "); resetting the connection, requests will be resent");
    }

    @Override
    public void writable(long connection) {
        table.drain(connection);
    }

    // ---- replies, deadlines (event loop) ----

    @Override
    public void answered(long connection, Answer answer) {
        try {
            if (released != null && answer.id() == releaseId) {
                released.complete(null); // OK, or EOPNOTSUPP from a server that predates RELEASE: either way, done
                return;
            }
            Transaction tx = table.answer(answer.id(), connection);
            if (tx == null) return; // late reply of a rolled-back or resent transaction
            finish(tx);
            if (answer.isOk() && tx.op == Op.FLUSH && !ledger.flushAcknowledged(tx.coversUpTo)) {
                stats.errors.increment();
                completions.complete(tx.result, null, new DstException(Errno.EIO, "the server machine restarted before this flush: "
                        + "writes acknowledged since the previous flush may be lost"));
            } else if (answer.isOk()) {
                count(tx);
                if (tx.op.changesData()) ledger.writeAcknowledged(tx.fua);
                ByteBuf data = tx.op.answersWithData() ? answer.data().retain() : null;
                completions.complete(tx.result, data, null);
            } else {
                stats.errors.increment();
                completions.complete(tx.result, null, new DstException(answer.errno(), tx.describe()
                        + " failed on the server: " + answer.message()));
            }
        } finally {
            answer.release();
        }
    }

    private void count(Transaction tx) {
        long nanos = System.nanoTime() - tx.startNanos;
        switch (tx.op) {
            case READ -> {
                stats.reads.increment();
                stats.bytesRead.add(tx.length);
                stats.readLatency.record(nanos);
            }
            case WRITE -> {
                stats.writes.increment();
                stats.bytesWritten.add(tx.length);
                stats.writeLatency.record(nanos);
            }
            case FLUSH -> {
                stats.flushes.increment();
                stats.flushLatency.record(nanos);
            }
            case BLOCK_STATUS -> { } // a question, not I/O
            default -> {
                stats.trims.increment();
                stats.trimLatency.record(nanos);
            }
        }
    }

    private void expireOverdue() {
        if (config.ioTimeout().isZero()) return;
        noticeFailing();
        if (table.isEmpty()) return;
        TransactionTable.Expired<Transaction> expired = table.expire(System.nanoTime());
        if (expired.transactions().isEmpty()) return;
        for (Transaction tx : expired.transactions()) {
            finish(tx);
            stats.timedOut.increment();
            completions.complete(tx.result, null, new DstException(Errno.EIO, tx.describe() + " not answered within "
                    + config.ioTimeout().toSeconds() + "s: failed and dropped (it will not be resent)"));
        }
        boolean reset = expired.onCurrentConnection();
        LOG.warning(config.target() + ": " + expired.transactions().size() + " request(s) timed out after " + config.ioTimeout().toSeconds()
                + "s and failed with EIO" + (reset ? "; resetting the connection so the server fences them" : ""));
        if (reset) channel.close();
    }

    /**
     * Down for longer than the I/O timeout: from now on every request fails (at its deadline) until the server is
     * back. Said once per outage, as a state scripts can watch ({@code dst-client status}).
     */
    private void noticeFailing() {
        if (channel != null || closing || fatal != null || stats.state() != DeviceStats.State.RECONNECTING) return;
        if (System.nanoTime() - disconnectedAt < config.ioTimeout().toNanos()) return;
        stats.state(DeviceStats.State.FAILING);
        LOG.warning("no connection to " + config.target() + " for more than " + config.ioTimeout().toSeconds()
                + "s (--io-timeout): requests fail with EIO " + (config.failFast() ? "at once (--fail-fast)" : "at their deadlines")
                + " until it is back");
    }

    private void finish(Transaction tx) {
        tx.releasePayload();
        budget.release(tx.cost);
        stats.inFlight(table.size());
    }

    private void failAll(DstException e) {
        for (Transaction tx : table.removeAll()) {
            finish(tx);
            completions.complete(tx.result, null, e);
        }
    }

    // ---- submission (any thread but the event loop) ----

    /** Queues one request of at most maxRequest bytes; waits for budget (backpressure). Not from the event loop. */
    CompletableFuture<ByteBuf> submit(Op op, boolean fua, long offset, int length, ByteBuf payload, long cost) {
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
        Transaction tx = new Transaction(id, op, fua, offset, length, payload, deadline, cost);
        try {
            loop.execute(() -> {
                DstException ff = fatal;
                if (ff != null || closing) {
                    finish(tx);
                    completions.complete(tx.result, null, ff != null ? ff : new DstException(Errno.ESHUTDOWN, "device is closed"));
                    return;
                }
                if (config.failFast() && stats.state() == DeviceStats.State.FAILING) {
                    finish(tx);
                    stats.timedOut.increment();
                    completions.complete(tx.result, null, new DstException(Errno.EIO, tx.describe() + ": no connection to "
                            + config.target() + " for more than " + config.ioTimeout().toSeconds() + "s (--fail-fast)"));
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

    /** Waits (bounded) for requests in flight, then closes the connection (the group's threads are the caller's). */
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
        release();
        closeConnection();
    }

    /**
     * Ends the session on the server (RELEASE) so that its write claim ends now rather than a claim grace after the
     * connection went (another machine may attach the export at once); bounded wait. Only with nothing unanswered:
     * otherwise the claim is kept while the server may still run them.
     */
    private void release() {
        if (!releases) return;
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                if (channel == null || fatal != null || closing || !table.isEmpty()) {
                    done.complete(null);
                    return;
                }
                closing = true; // the server closes the connection after its answer: no reconnect
                released = done;
                Transaction tx = new Transaction(nextId.getAndIncrement(), Op.RELEASE, false, 0, 0, null, Long.MAX_VALUE, 0);
                releaseId = tx.id();
                channel.closeFuture().addListener(f -> done.complete(null));
                channel.writeAndFlush(tx.toWire(), channel.voidPromise());
                tx.releasePayload();
            });
            done.get(RELEASE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            // the server keeps the claim for its grace: nothing is lost, the next writer waits longer
        }
    }

    private void closeConnection() {
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
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static String rootMessage(Throwable t) {
        return dst.protocol.Failures.message(t);
    }
}
