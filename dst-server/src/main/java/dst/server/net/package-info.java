/**
 * The Netty server: {@link dst.server.net.DstServer} listens, {@code ServerInitializer} assembles every pipeline
 * (handshake, then data phase), {@code ServerHandshakeHandler} admits clients, {@code RequestHandler} is the
 * dst front door to {@link dst.server.net.RequestPath}, the request path every protocol shares (in-flight bound,
 * the one request rule, FUA, backend dispatch). Sessions survive reconnects and fence their old connection.
 *
 * <p>Threading: handlers run on their channel's event loop; backend calls run on the I/O executor
 * ({@code --io-threads}), or inline on the event loop for a backend that {@code neverBlocks()} and for a READ the
 * backend can answer from memory ({@code readNow}: a cached file). A request counts
 * as running for its session until its reply is written, which is what shutdown and takeover wait for.
 * {@code Session}, {@code SessionRegistry} and {@code LogLimiter} are thread-safe; the rest is per channel.
 *
 * <p>Buffer ownership: a decoded Request is owned by the handler that takes it; a WRITE payload is released by
 * the request path once the backend is done with it (or the request was refused); a READ's data buffer passes
 * to its Reply, which the encoder releases. Handshake frames hold no buffers.
 */
package dst.server.net;
