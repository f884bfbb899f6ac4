/**
 * The protocol-neutral bookkeeping of the client's transactions, without any network type: the
 * {@link dst.client.transactions.TransactionTable} (ids, the server's window, the TX fallback queue,
 * deadline expiry, the late-reply check, resend in id order after a reconnect) and the
 * {@link dst.client.transactions.DurabilityLedger} (which acknowledged writes a flush has made durable).
 *
 * <p>Threading: none of these classes is thread-safe; the session's single event loop thread owns them
 * and every transaction in them. Buffers: they hold no buffers; a transaction's payload belongs to the
 * caller's entry type, which releases it when the entry leaves the table.
 */
package dst.client.transactions;
