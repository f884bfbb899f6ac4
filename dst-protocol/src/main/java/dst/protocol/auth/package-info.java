/**
 * Mutual HMAC-SHA256 challenge-response (PROTOCOL.md §7): client keys ({@link dst.protocol.auth.ClientKey}) and
 * the proofs both ends compute ({@link dst.protocol.auth.AuthProof}). Static functions without shared state:
 * thread-safe. Keys are byte arrays the caller owns; nothing here keeps a copy.
 */
package dst.protocol.auth;
