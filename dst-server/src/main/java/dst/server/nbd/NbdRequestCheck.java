package dst.server.nbd;

import dst.server.backend.Backend;

/**
 * Whether a request may run, by the NBD rules: known command, flags valid for it, writes only where the client
 * may write, range inside the export, payload within the negotiated maximum. Answers the NBD errno the spec
 * asks for: EINVAL for unknown commands and flags, EPERM for writes to a read-only export, ENOSPC for writes past
 * the end (EINVAL for other ranges past it), EOVERFLOW for a chunked READ larger than the maximum payload,
 * ENOTSUP for a FAST_ZERO the backend cannot do fast.
 */
final class NbdRequestCheck {
    private NbdRequestCheck() {
    }

    /** The error reply for {@code r}, or null when it may run. Does not take {@code r}. */
    static NbdReply refusal(NbdRequest r, NbdTransmission t) {
        int type = r.type();
        if (type < Nbd.CMD_READ || type > Nbd.CMD_BLOCK_STATUS || type == Nbd.CMD_DISC) {
            return NbdReply.error(r, Nbd.EINVAL, "unknown command " + type);
        }
        int invalid = r.flags() & ~validFlags(type, t.mode());
        if (invalid != 0) {
            return NbdReply.error(r, Nbd.EINVAL, "flags 0x" + Integer.toHexString(invalid) + " are not valid for " + Nbd.commandName(type));
        }
        if (t.mode() == ReplyMode.EXTENDED && type == Nbd.CMD_WRITE && !r.has(Nbd.CMD_FLAG_PAYLOAD_LEN)) {
            return NbdReply.error(r, Nbd.EINVAL, "NBD_CMD_WRITE without NBD_CMD_FLAG_PAYLOAD_LEN");
        }
        if (r.payloadDropped()) {
            return NbdReply.error(r, Nbd.EINVAL, "write of " + r.length() + " bytes exceeds the maximum payload " + t.maxPayload());
        }
        boolean writes = type == Nbd.CMD_WRITE || type == Nbd.CMD_TRIM || type == Nbd.CMD_WRITE_ZEROES;
        if (writes && t.readOnly()) {
            return NbdReply.error(r, Nbd.EPERM, t.export().readOnly() ? "export '" + t.export().name() + "' is read-only"
                    : "this client may only read export '" + t.export().name() + "'");
        }
        if (type == Nbd.CMD_FLUSH) return null;
        long size = t.export().size();
        long offset = r.offset();
        long length = r.length();
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            return NbdReply.error(r, type == Nbd.CMD_WRITE || type == Nbd.CMD_WRITE_ZEROES ? Nbd.ENOSPC : Nbd.EINVAL,
                    "range " + Long.toUnsignedString(offset) + "+" + Long.toUnsignedString(length) + " is outside export '"
                            + t.export().name() + "' of " + size + " bytes");
        }
        if (type == Nbd.CMD_READ && length > t.maxPayload()) {
            return NbdReply.error(r, t.mode().chunked() ? Nbd.EOVERFLOW : Nbd.EINVAL,
                    "read of " + length + " bytes exceeds the maximum payload " + t.maxPayload());
        }
        if (type == Nbd.CMD_BLOCK_STATUS && (!t.blockStatus() || length == 0)) {
            return NbdReply.error(r, Nbd.EINVAL, length == 0 ? "block status of 0 bytes"
                    : "no metadata context was selected (NBD_OPT_SET_META_CONTEXT base:allocation)");
        }
        Backend b = t.export().backend();
        if (type == Nbd.CMD_WRITE_ZEROES && r.has(Nbd.CMD_FLAG_FAST_ZERO) && !b.zeroesFast()) {
            return NbdReply.error(r, Nbd.ENOTSUP, "zeroing is not faster than writing on this export");
        }
        return null;
    }

    /** The command flags {@code type} accepts (FUA on every command: the spec says servers must accept it). */
    static int validFlags(int type, ReplyMode mode) {
        int flags = Nbd.CMD_FLAG_FUA;
        switch (type) {
            case Nbd.CMD_READ -> flags |= mode.chunked() ? Nbd.CMD_FLAG_DF : 0;
            case Nbd.CMD_WRITE -> flags |= mode == ReplyMode.EXTENDED ? Nbd.CMD_FLAG_PAYLOAD_LEN : 0;
            case Nbd.CMD_WRITE_ZEROES -> flags |= Nbd.CMD_FLAG_NO_HOLE | Nbd.CMD_FLAG_FAST_ZERO;
            case Nbd.CMD_BLOCK_STATUS -> flags |= Nbd.CMD_FLAG_REQ_ONE;
            default -> {
            }
        }
        return flags;
    }
}
