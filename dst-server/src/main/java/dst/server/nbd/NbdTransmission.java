package dst.server.nbd;

import dst.server.export.Export;

/**
 * What the handshake settled for the transmission phase of one connection.
 *
 * @param export        the export chosen
 * @param identity      who the client is: its TLS certificate's CN, or "" (anonymous)
 * @param readOnly      writes are refused (the export is read-only, or the identity may only read it)
 * @param mode          simple, structured or extended replies
 * @param metaContextId id of {@code base:allocation} when the client selected it for this export, else 0
 * @param maxPayload    largest READ or WRITE payload accepted (announced in NBD_INFO_BLOCK_SIZE)
 * @param flags         the transmission flags sent to the client
 */
record NbdTransmission(Export export, String identity, boolean readOnly, ReplyMode mode, int metaContextId,
                       int maxPayload, int flags) {
    boolean blockStatus() {
        return metaContextId != 0;
    }
}
