/**
 * The stream transports server and client share: TCP (native epoll when it loads, NIO otherwise) and Unix
 * sockets, each a {@link dst.runtime.transport.Transport} that picks the event loop, channel classes and options
 * for one kind of address; the one address syntax ({@link dst.runtime.transport.Transport#parse}); and the TLS
 * settings both ends agree on ({@link dst.runtime.transport.Tls}). TLS is a layer on top of any transport, added
 * by each side's initializer.
 *
 * <p>Threading: a Transport is immutable configuration, usable from any thread; {@code beforeListen} and
 * {@code afterClose} run on the thread that starts or closes the server. Nothing here touches message buffers.
 */
package dst.runtime.transport;
