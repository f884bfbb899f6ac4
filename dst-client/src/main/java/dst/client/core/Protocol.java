package dst.client.core;

/** The wire protocol a client speaks to its server. */
public enum Protocol {
    /** dst's own ({@code dst-protocol/PROTOCOL.md}): crc32c, authentication, session resume with fencing. */
    DST,
    /** The Network Block Device protocol (fixed newstyle), as nbdkit, qemu-nbd and nbd-server speak it. */
    NBD
}
