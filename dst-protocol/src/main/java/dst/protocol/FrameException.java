package dst.protocol;

import io.netty.handler.codec.CorruptedFrameException;

/**
 * A frame that cannot be accepted. Each kind of bad frame has its own subclass so that tests and
 * logs name it; {@link #errno()} is what the peer is told in the error frame sent before closing.
 */
public abstract class FrameException extends CorruptedFrameException {
    private final int errno;

    protected FrameException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /** The first bytes of a frame are not the expected magic: not a dst peer, or lost framing. */
    public static final class BadMagic extends FrameException {
        public BadMagic(int expected, int actual) {
            super(Errno.EPROTO, String.format("bad magic 0x%08x, expected 0x%08x", actual, expected));
        }
    }

    /** A header whose crc32c does not match: the header itself cannot be trusted. */
    public static final class HeaderChecksum extends FrameException {
        public HeaderChecksum(int expected, int actual) {
            super(Errno.EBADMSG, String.format("header crc32c mismatch: got 0x%08x, computed 0x%08x", actual, expected));
        }
    }

    /** A payload whose crc32c does not match: corrupted in transit, never applied. */
    public static final class PayloadChecksum extends FrameException {
        public PayloadChecksum(long transactionId, int expected, int actual) {
            super(Errno.EBADMSG, String.format("payload crc32c mismatch in transaction %d: got 0x%08x, computed 0x%08x",
                    transactionId, actual, expected));
        }
    }

    /** A length over the negotiated maximum: refused before anything is allocated. */
    public static final class TooLong extends FrameException {
        public TooLong(String what, long length, long max) {
            super(Errno.EFBIG, what + " length " + length + " exceeds the negotiated maximum " + max);
        }
    }

    /** A handshake option whose header or value runs past the end of the frame body. */
    public static final class MalformedOption extends FrameException {
        public MalformedOption(String message) {
            super(Errno.EPROTO, message);
        }
    }

    /** A protocol version or handshake message this end does not speak. */
    public static final class Unsupported extends FrameException {
        public Unsupported(String message) {
            super(Errno.EPROTO, message);
        }
    }
}
