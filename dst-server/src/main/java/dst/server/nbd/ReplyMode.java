package dst.server.nbd;

/** Which reply headers the transmission phase uses, as negotiated in the handshake. */
enum ReplyMode {
    /** 16-byte simple replies only (nothing negotiated). */
    SIMPLE,
    /** NBD_OPT_STRUCTURED_REPLY: 20-byte structured chunks for READ, BLOCK_STATUS and errors. */
    STRUCTURED,
    /** NBD_OPT_EXTENDED_HEADERS: 32-byte extended requests and extended reply chunks, 64-bit lengths. */
    EXTENDED;

    boolean chunked() {
        return this != SIMPLE;
    }
}
