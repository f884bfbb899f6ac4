/**
 * The protocol-neutral client core over Netty: a {@link dst.client.net.RemoteDisk} is a
 * {@link dst.client.core.BlockDevice} over a reconnecting {@code ClientSession}.
 *
 * <pre>
 *  RemoteDisk ── submit ──► ClientSession ── TransactionTable, DurabilityLedger (dst.client.transactions)
 *                               │    ▲
 *                  Connector    │    │ ConnectionEvents (answered, writable, dead, badFrame, closed)
 *   (transport, TLS, event loop,│    │
 *    one handshake attempt)     ▼    │
 *        pipeline: flushes ─ [tls] ─ idle ─ WireProtocol's codec ─ ReplyHandler
 * </pre>
 *
 * Reconnect with backoff, resend in id order, I/O deadlines (EIO, never resent after), keepalives and
 * the device counters are the session's and work the same for every {@link dst.client.net.WireProtocol}
 * (dst's own: {@code dst.client.net.dst}). The wire protocol supplies its handshake and a data codec that
 * turns {@link dst.client.net.WireRequest}s into its requests and its replies into
 * {@link dst.client.net.Answer}s.
 *
 * <p>Threading: one event loop thread per session owns the table, the ledger, the connection state and
 * every channel handler; submitters (any other thread) hand transactions over with {@code execute} and may
 * be made to wait for queue budget; user futures complete on the session's completion thread, never on the
 * event loop. Buffers: a write's payload belongs to its transaction until the transaction leaves the table
 * (answered, expired or failed); each {@code WireRequest} holds its own retained duplicate, released by
 * the codec (or by Netty when the write fails); each {@code Answer} owns its READ data, which the session
 * hands to the reader's future or releases.
 */
package dst.client.net;
