package dst.client.net.nbd;

/**
 * The keepalive message of an NBD connection. NBD has no PING: the encoder turns this into a small READ at
 * offset 0 under a handle no transaction uses, and the decoder drops its reply.
 */
final class NbdKeepalive {
    static final NbdKeepalive INSTANCE = new NbdKeepalive();

    private NbdKeepalive() {
    }
}
