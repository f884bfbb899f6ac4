/**
 * The NBD protocol behind {@link dst.client.net.WireProtocol}: the fixed newstyle handshake (STARTTLS,
 * structured replies, OPT_GO with an OPT_EXPORT_NAME fallback) and the transmission codec
 * (requests out, simple or structured replies in, as {@link dst.client.net.Answer}s).
 *
 * <p>Threading: every handler runs on its channel's event loop, one instance per connection; the encoder
 * and decoder of a connection share its {@code NbdInFlight} (confined to that loop). Buffers: write data
 * leaves without a copy (the encoder retains the payload, the WireRequest is released); read data is a
 * retained slice of the input, or an assembled buffer for a read in several chunks, owned by its Answer;
 * partial reads still held when a connection closes are released with it.
 */
package dst.client.net.nbd;
