/**
 * The client's network side: {@link dst.client.net.RemoteDisk} (a BlockDevice over one export) on a reconnecting
 * session that holds each request as a transaction until its reply, resends unanswered ones in id order after a
 * reconnect and enforces the I/O timeout; the pipelines ({@code ClientInitializer}), handshake and reply handlers.
 *
 * <p>Threading: a session's transaction table, fallback queue and connection state are confined to its one event
 * loop; submitters hand requests over to it (and wait when the byte budget is used up); user futures complete on
 * a separate completion thread, so callbacks may submit again.
 *
 * <p>Buffer ownership: a transaction owns its write payload until completion, so it can be resent; each Reply is
 * released by the session once handled, and a READ's data is handed to the caller, who releases it.
 */
package dst.client.net;
