package dst.server.net;

import io.netty.channel.ChannelFutureListener;

/**
 * Bounds what one connection can make the server hold: requests received and not yet answered on the wire
 * are at most the {@code MAX_IN_FLIGHT} the WELCOME announced, and PING replies waiting to go out at most
 * {@link #MAX_PENDING_PINGS}. Without it a client that pipelines requests and never reads the replies
 * would grow the I/O queue and the outbound buffer until the server ran out of memory.
 *
 * <p>A request counts from its receipt until its reply's write completes (or it is dropped unanswered): a
 * reply the client has not read yet still holds server memory. A conforming client never trips the limit,
 * because the server frees a slot before the client can see the reply that lets it send again. PINGs are
 * outside the request limit (so a client whose requests are slow can still keep the connection alive) but
 * a peer that sends them without reading the replies is stopped as well.
 *
 * <p>Threading: event loop only; the write listeners run there too.
 */
public final class InFlightLimit {
    /** A conforming client sends one PING per quiet keepalive period and reads every reply. */
    public static final int MAX_PENDING_PINGS = 16;

    private final int maxRequests;
    private int requests;
    private int pings;

    /** Frees a request's slot once its reply has been written (or failed to be). */
    public final ChannelFutureListener requestAnswered = f -> requests--;
    /** Frees a PING's slot once its reply has been written (or failed to be). */
    final ChannelFutureListener pingAnswered = f -> pings--;

    public InFlightLimit(int maxRequests) {
        if (maxRequests < 1) throw new IllegalArgumentException("maxRequests must be at least 1, got " + maxRequests);
        this.maxRequests = maxRequests;
    }

    /** Takes a slot for a request just received; false when the client already has the maximum in flight. */
    public boolean admitRequest() {
        if (requests >= maxRequests) return false;
        requests++;
        return true;
    }

    /** Takes a slot for a PING just received; false when too many PING replies are still waiting to be sent. */
    boolean admitPing() {
        if (pings >= MAX_PENDING_PINGS) return false;
        pings++;
        return true;
    }

    /** Frees the slot of a request that will never be answered (dropped by fencing). */
    public void requestDropped() {
        requests--;
    }

    public int maxRequests() {
        return maxRequests;
    }

    public int requests() {
        return requests;
    }
}
