/**
 * Who may talk to the server: client keys from the clients file ({@link dst.server.auth.ClientKeys}, immutable
 * once loaded), the anonymous rule and TLS context ({@link dst.server.auth.ServerSecurity}), and the slow-down of
 * peers that keep failing to log in ({@link dst.server.auth.FailureThrottle}, thread-safe: every handshake of
 * every event loop consults it).
 */
package dst.server.auth;
