package dst.client.net;

/**
 * What a transaction asks of the export, whatever the wire protocol: each {@link WireProtocol} maps these
 * to its own opcodes (a protocol without BLOCK_STATUS never gets one). WRITE, TRIM and WRITE_ZEROES change the disk; FLUSH makes completed changes durable.
 */
public enum Op {
    READ, WRITE, FLUSH, TRIM, WRITE_ZEROES,
    /**
     * Which parts of a range read as zeros (NBD base:allocation). Its answer's data is the extents from the
     * request's offset on, in order: u64 length, u32 {@code zero} (1: reads as zeros), 12 bytes each; they may
     * cover less than asked, never more.
     */
    BLOCK_STATUS,
    /** Ends the session on the server when the device closes (dst only: its write claim ends at once). Never in the table. */
    RELEASE;

    /** WRITE, TRIM or WRITE_ZEROES: changes data, so it sits in the server's volatile cache until a flush. */
    public boolean changesData() {
        return this == WRITE || this == TRIM || this == WRITE_ZEROES;
    }

    /** READ and BLOCK_STATUS: the answer carries data for the caller. */
    public boolean answersWithData() {
        return this == READ || this == BLOCK_STATUS;
    }
}
