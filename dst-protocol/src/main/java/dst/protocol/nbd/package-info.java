/**
 * The NBD protocol's numbers ({@link dst.protocol.nbd.Nbd}), shared by dst-server's NBD front door
 * ({@code dst.server.nbd}) and dst-client's NBD targets ({@code dst.client.net.nbd}), so both ends read
 * one table. Constants and pure functions only: immutable and thread-safe.
 */
package dst.protocol.nbd;
