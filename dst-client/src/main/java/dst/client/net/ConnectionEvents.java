package dst.client.net;

/**
 * What a connection's data-phase handler tells its session: the only way a {@link ReplyHandler} reaches
 * it. Each connection has a number given by the session; events of a connection the session has
 * already replaced are its to ignore. Called on the connection's event loop, which is the session's.
 */
interface ConnectionEvents {
    /** An answer arrived. Ownership of {@code answer} passes to the session. */
    void answered(long connection, Answer answer);

    /** The socket can take more again: send what waits. */
    void writable(long connection);

    /** The link is declared dead (no answer to keepalives); the connection is being closed. */
    void dead(long connection, String why);

    /** A frame could not be decoded (corrupt, or not the protocol); the connection is being closed. */
    void badFrame(long connection, Exception e);

    /** The server says the export grew to {@code size} bytes. */
    void resized(long connection, long size);

    /** The connection is closed. */
    void closed(long connection);
}
