package dst.client.net;

/**
 * What a transaction asks of the export, whatever the wire protocol: each {@link WireProtocol} maps these
 * to its own opcodes. WRITE, TRIM and WRITE_ZEROES change the disk; FLUSH makes completed changes durable.
 */
public enum Op {
    READ, WRITE, FLUSH, TRIM, WRITE_ZEROES;

    /** WRITE, TRIM or WRITE_ZEROES: changes data, so it sits in the server's volatile cache until a flush. */
    public boolean changesData() {
        return this == WRITE || this == TRIM || this == WRITE_ZEROES;
    }
}
