package dst.client.net.nbd;

import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.Features;
import dst.protocol.nbd.Nbd;

/**
 * What an NBD server offered for an export in its handshake, and what the client makes of it.
 *
 * @param name          export name ("" = the server's default)
 * @param size          bytes
 * @param flags         transmission flags (Nbd.FLAG_*)
 * @param structured    structured replies negotiated (also true with extended headers)
 * @param extended      extended headers negotiated (64-bit request and reply lengths)
 * @param minBlock      minimum block size (0: not told)
 * @param preferredBlock preferred block size (0: not told)
 * @param maxBlock      maximum payload (0: not told)
 * @param metaContext   the id the server gave base:allocation, -1 when it did not agree to it (no BLOCK_STATUS)
 */
record NbdExport(String name, long size, int flags, boolean structured, boolean extended, int minBlock, int preferredBlock, int maxBlock,
                 long metaContext) {
    boolean has(int flag) {
        return (flags & Nbd.FLAG_HAS_FLAGS) != 0 && (flags & flag) != 0;
    }

    /**
     * The export as the session sees it: logical block size 512 (4096 when the server needs it), requests of at
     * most {@code wantedMaxRequest} within the server's maximum, the features the server advertised, and no
     * crc32c, session, export id, boot id or in-flight limit (NBD has none of them). The export is called
     * {@code localName} on this machine (the FUSE file): NBD export names may be empty or contain '/'.
     */
    ExportInfo toExportInfo(int wantedMaxRequest, String localName) throws DstException {
        if (minBlock > 4096 || (minBlock > 0 && Integer.bitCount(minBlock) != 1)) {
            throw new DstException(Errno.EOPNOTSUPP, "NBD export '" + name + "' needs requests aligned to " + minBlock + " bytes (at most 4096 supported)");
        }
        int blockSize = minBlock > 512 ? 4096 : 512;
        int serverMax = maxBlock > 0 ? maxBlock : Nbd.DEFAULT_MAX_PAYLOAD;
        int maxRequest = Math.min(wantedMaxRequest, serverMax);
        maxRequest -= maxRequest % blockSize;
        if (maxRequest <= 0) throw new DstException(Errno.EOPNOTSUPP, "NBD export '" + name + "' allows requests of only " + serverMax + " bytes");
        int features = (has(Nbd.FLAG_SEND_FLUSH) ? Features.FLUSH : 0) | (has(Nbd.FLAG_SEND_FUA) ? Features.FUA : 0)
                | (has(Nbd.FLAG_SEND_TRIM) ? Features.TRIM : 0) | (has(Nbd.FLAG_SEND_WRITE_ZEROES) ? Features.WRITE_ZEROES : 0);
        return new ExportInfo(localName, size, blockSize, maxRequest, has(Nbd.FLAG_READ_ONLY), features, 0, 0, 0, 0, 0);
    }

    /**
     * What offsets and lengths must be multiples of: the export's block size when the server has a minimum
     * above 1 (it may refuse unaligned requests), else 1. The block size is a multiple of the minimum.
     */
    int alignment() {
        return minBlock > 1 ? (minBlock > 512 ? 4096 : 512) : 1;
    }

    /** One line for {@code info}: what the server offered. */
    String describe() {
        return "transmission flags " + Nbd.describeFlags(flags) + "; " + (extended ? "extended headers" : structured ? "structured replies" : "simple replies")
                + (metaContext >= 0 ? ", " + Nbd.BASE_ALLOCATION : "")
                + "; block size " + (minBlock == 0 ? "not told" : "min " + minBlock + " preferred " + preferredBlock + " max " + maxBlock);
    }
}
