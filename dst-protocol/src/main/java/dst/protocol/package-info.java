/**
 * dst's wire format and nothing else (no sockets, no threads of its own): frame layouts as offset constants
 * ({@code RequestHeader}, {@code ReplyHeader}, {@code HandshakeFrame}), Netty codecs for them, crc32c, the
 * rules both ends share (the one request rule {@code ExportInfo.refusal}, {@link dst.protocol.ExportName}),
 * and the error table {@link dst.protocol.Errno}. {@code PROTOCOL.md} beside the sources is the specification.
 *
 * <p>Threading: codecs are per channel (stateful decoders) and run on its event loop; records and the static
 * rules are immutable and thread-safe.
 *
 * <p>Buffer ownership: a {@link dst.protocol.Request} or {@link dst.protocol.Reply} owns its payload
 * ({@code ByteBufHolder}): whoever holds the message releases it once. Decoders hand payloads on as
 * {@code retainedSlice}s of their cumulation, owned by the message; encoders pass the payload on retained
 * (no copy) and release the message. Handshake frames hold no buffers.
 */
package dst.protocol;
