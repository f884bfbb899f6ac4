package dst.server.nbd;

import dst.protocol.nbd.Nbd;
import dst.server.backend.Backend;

/**
 * What only NBD checks before a request goes down the shared request path (which then applies the one rule for
 * every front door, {@code ExportInfo.refusal}: EPERM for writes on a read-only grant, ENOSPC for writes and zeroing
 * past the end, EINVAL for other ranges past it). Here: a known command, flags valid for it, the payload form of
 * extended headers, payload sizes, a metadata context for BLOCK_STATUS, FAST_ZERO only where zeroing is fast. NBD's
 * errnos as the spec asks: EINVAL for unknown commands and flags, EOVERFLOW for a chunked READ larger than the
 * maximum payload, ENOTSUP for a FAST_ZERO the backend cannot do fast.
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
        long length = r.length();
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
