package dst.server.net;

import dst.server.metrics.RequestMeter;
import io.netty.channel.Channel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * A client session: survives reconnects of its client. Counts the requests being executed for it so
 * that a resumed connection can be <em>fenced</em>: nothing of the new connection is served until
 * every request still running for the old one has finished (or was discarded because its
 * connection was already gone). Without the fence a late write of a dead connection could land
 * on top of newer data. Thread-safe (monitor).
 */
public final class Session {
    private final long id;
    private final String exportName;
    private final String owner;
    private final Attach attach;
    /** Whether its client may resume it after a reconnect (dst) or each connection is a session of its own (NBD). */
    private final boolean resumable;
    private volatile String peer;
    private final String protocol;
    private final RequestMeter meter;
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private volatile boolean viaKey;
    private volatile boolean readOnly;
    private Channel channel;
    private long detachedSince = System.nanoTime();
    private int inflight;
    private boolean released;
    private final List<CompletableFuture<Void>> idleWaiters = new ArrayList<>();

    Session(long id, String exportName, String owner, String protocol, RequestMeter meter, Attach attach, String peer) {
        this.meter = meter;
        this.id = id;
        this.exportName = exportName;
        this.owner = owner;
        this.protocol = protocol;
        this.attach = attach;
        this.peer = peer;
        this.resumable = "dst".equals(protocol);
    }

    /** How the session uses its export: reader, shared or exclusive writer (see {@link SessionRegistry#open}). */
    public Attach attach() {
        return attach;
    }

    /** The address its (latest) connection came from. */
    public String peer() {
        return peer;
    }

    /**
     * Whether the session still holds its write claim at {@code now}: a writer while it has a connection or requests
     * running, and a resumable one for {@code grace} after its connection went, so that its client's reconnect finds
     * the claim still its own.
     */
    synchronized boolean holdsClaim(long now, long graceNanos) {
        if (!attach.writes()) return false;
        if (inflight > 0) return true;
        if (released) return false;
        if (detachedSince == 0) return true;
        return resumable && now - detachedSince < graceNanos;
    }

    /** Its client ended it (RELEASE, a detach): its claim ends once nothing of it runs, and it is never resumed. */
    synchronized void release() {
        released = true;
    }

    synchronized boolean released() {
        return released;
    }

    /** Nanoseconds since the session's connection went (0 while connected). */
    synchronized long detachedFor(long now) {
        return detachedSince == 0 ? 0 : now - detachedSince;
    }

    /** Who holds the session, for messages: {@code identity 'alice' from 10.0.0.5:41234}. */
    public String holderDescription() {
        return (owner.isEmpty() ? "an anonymous client" : "identity '" + owner + "'") + (resumable ? "" : " over NBD")
                + " from " + peer;
    }

    /** The identity that opened the session ("" when anonymous): only it may resume the session. */
    public String owner() {
        return owner;
    }

    /** The front door the session came through: "dst" or "nbd". */
    public String protocol() {
        return protocol;
    }

    /**
     * Records what the connection that now serves the session was admitted with: a proof of a key from the clients
     * file ({@code viaKey}; else a TLS certificate or nothing) and a read-only grant. A reload judges by these.
     */
    public void admitted(boolean viaKey, boolean readOnly) {
        this.viaKey = viaKey;
        this.readOnly = readOnly;
    }

    /** Whether the client proved a key from the clients file (a reload that removes the key cuts it off). */
    public boolean viaKey() {
        return viaKey;
    }

    /** Whether the current connection was granted reading only. */
    public boolean readOnly() {
        return readOnly;
    }

    /** The session's current connection, or null while its client is away. */
    public synchronized Channel channel() {
        return channel;
    }

    /** Counts one request served for the session (reads and writes by their bytes), {@code nanos} after receipt. Any thread. */
    void served(int opcode, long length, long nanos) {
        meter.served(opcode, length, nanos);
        requests.increment();
        if (opcode == dst.protocol.Opcode.READ) bytesRead.add(length);
        else if (opcode == dst.protocol.Opcode.WRITE) bytesWritten.add(length);
    }

    /** Counts one request refused or failed. Any thread. */
    void failed(int opcode) {
        meter.failed(opcode);
    }

    public long bytesRead() {
        return bytesRead.sum();
    }

    public long bytesWritten() {
        return bytesWritten.sum();
    }

    public long requests() {
        return requests.sum();
    }

    public long id() {
        return id;
    }

    public String exportName() {
        return exportName;
    }

    /**
     * Makes {@code next} the session's connection: closes the previous one and returns a future that
     * completes once none of its requests is running any more.
     */
    public synchronized CompletableFuture<Void> takeOver(Channel next) {
        Channel previous = channel;
        channel = next;
        peer = PeerAddress.withPort(next);
        detachedSince = 0;
        next.closeFuture().addListener(f -> detached(next));
        if (previous != null && previous != next) {
            previous.close();
        }
        return idle();
    }

    private synchronized void detached(Channel ch) {
        if (channel == ch) detachedSince = System.nanoTime();
    }

    /**
     * Whether nobody uses this session: no connection since {@code sinceNanos} or earlier, nothing
     * running. Such a session may be forgotten; its client, if it ever comes back, gets a new one.
     */
    synchronized boolean abandonedBefore(long sinceNanos) {
        return detachedSince != 0 && detachedSince - sinceNanos <= 0 && inflight == 0;
    }

    public synchronized boolean isCurrent(Channel ch) {
        return channel == ch;
    }

    public synchronized void started() {
        inflight++;
    }

    public void finished() {
        List<CompletableFuture<Void>> ready = null;
        synchronized (this) {
            if (--inflight == 0 && !idleWaiters.isEmpty()) {
                ready = new ArrayList<>(idleWaiters);
                idleWaiters.clear();
            }
        }
        if (ready != null) ready.forEach(f -> f.complete(null));
    }

    /** Requests running for the session (executing, or their replies not yet written). */
    public synchronized int inflight() {
        return inflight;
    }

    /** Completes when no request of this session is running. */
    public synchronized CompletableFuture<Void> idle() {
        if (inflight == 0) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> f = new CompletableFuture<>();
        idleWaiters.add(f);
        return f;
    }
}
