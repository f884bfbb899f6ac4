/**
 * dst's own wire protocol behind {@link dst.client.net.WireProtocol}: the handshake (HELLO, CHALLENGE/AUTH,
 * WELCOME; {@link dst.client.net.dst.ClientHandshakeHandler}) and the data codec between the session's
 * messages and dst frames ({@link dst.client.net.dst.DstDataCodec}).
 *
 * <p>Threading: every handler runs on its channel's event loop, one instance per connection (the
 * protocol object itself is stateless and shared). Buffers: the codec releases each message it consumed
 * and hands on messages that own their own references (see the class comments).
 */
package dst.client.net.dst;
