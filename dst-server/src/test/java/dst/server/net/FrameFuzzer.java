package dst.server.net;

import dst.protocol.HandshakeDecoder;
import dst.protocol.HandshakeEncoder;
import dst.protocol.HandshakeFrame;
import dst.protocol.Hello;
import dst.protocol.Opcode;
import dst.protocol.RequestHeader;
import dst.protocol.Tlv;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * Makes frames for the fuzz test: valid handshakes and requests (aimed near the edges of an export),
 * mutations of them (bit flips, interesting integers over length and offset fields, truncation,
 * duplication, splicing), and random bytes. A mutated frame gets its checksums repaired most of the
 * time, so that the mutation reaches the checks behind the crc32c instead of dying at it.
 * Deterministic for a given seed.
 */
final class FrameFuzzer {
    private static final int[] INTERESTING = {0, 1, -1, 0x7FFFFFFF, 0x80000000, 0xFFFF, 0x10000, 511, 512, 4096,
            1 << 20, (1 << 20) + 1, 32 << 20, 64 << 10};

    private final Random rnd;
    private final long exportSize;

    FrameFuzzer(long seed, long exportSize) {
        this.rnd = new Random(seed);
        this.exportSize = exportSize;
    }

    Random random() {
        return rnd;
    }

    // ---- valid frames ----

    static byte[] handshake(HandshakeFrame f) {
        ByteBuf b = Unpooled.buffer();
        try {
            HandshakeEncoder.encodeTo(f, b);
            byte[] out = new byte[b.readableBytes()];
            b.readBytes(out);
            return out;
        } finally {
            b.release();
        }
    }

    byte[] hello(String export, String identity, byte[] nonce) {
        int features = rnd.nextInt(64);
        int max = rnd.nextBoolean() ? 1 << 20 : INTERESTING[rnd.nextInt(INTERESTING.length)];
        long session = rnd.nextInt(8) == 0 ? rnd.nextLong() : 0;
        // never exclusive: a fuzzer holding the export's claim would shut the well-behaved client out (EBUSY)
        int attach = rnd.nextBoolean() ? Tlv.AttachFlags.SHARED : Tlv.AttachFlags.READ_ONLY;
        return handshake(new Hello(export, features, rnd.nextInt(16) == 0 ? rnd.nextInt() : 0, max, session, "fuzz",
                identity, nonce).withAttach(attach).toFrame());
    }

    byte[] request(boolean crc) {
        int op = switch (rnd.nextInt(20)) {
            case 0, 1, 2, 3, 4, 5 -> Opcode.READ;
            case 6, 7, 8, 9, 10, 11 -> Opcode.WRITE;
            case 12 -> Opcode.FLUSH;
            case 13, 14 -> Opcode.TRIM;
            case 15, 16 -> Opcode.WRITE_ZEROES;
            case 17 -> Opcode.PING;
            default -> rnd.nextInt(256);
        };
        int length = switch (rnd.nextInt(4)) {
            case 0 -> 512;
            case 1 -> 4096;
            case 2 -> rnd.nextInt(8192);
            default -> INTERESTING[rnd.nextInt(INTERESTING.length)];
        };
        long offset = offsetNearEdges(rnd, exportSize, length);
        int payload = op == Opcode.WRITE ? (rnd.nextInt(10) == 0 ? rnd.nextInt(8192) : Math.max(0, Math.min(length, 8192))) : 0;
        return request(op, rnd.nextInt(4) == 0 ? rnd.nextInt(256) : 0, rnd.nextLong(), offset, length, payload, crc);
    }

    /** An offset at the start, at or across the end, beyond 2^63, or anywhere: where range checks can go wrong. */
    static long offsetNearEdges(Random rnd, long exportSize, long length) {
        return switch (rnd.nextInt(5)) {
            case 0 -> 0;
            case 1 -> exportSize - Math.max(0, Math.min(length, exportSize));
            case 2 -> exportSize - rnd.nextInt(4096);
            case 3 -> rnd.nextBoolean() ? Long.MAX_VALUE - rnd.nextInt(8) : -rnd.nextInt(4096) - 1;
            default -> (rnd.nextLong() & Long.MAX_VALUE) % Math.max(1, exportSize);
        };
    }

    byte[] request(int op, int flags, long tx, long offset, int length, int payloadLength, boolean crc) {
        byte[] f = new byte[RequestHeader.SIZE + payloadLength];
        ByteBuffer b = ByteBuffer.wrap(f);
        b.putInt(RequestHeader.MAGIC).put((byte) op).put((byte) flags).putShort((short) 0).putLong(tx).putLong(offset)
                .putInt(length).putInt(payloadLength);
        for (int i = RequestHeader.SIZE; i < f.length; i++) f[i] = (byte) (tx + i);
        if (crc) repairRequest(f);
        return f;
    }

    // ---- mutations ----

    /** A copy of {@code frame} with one to a few mutations; checksums repaired 7 times in 10. */
    byte[] mutate(byte[] frame, boolean isRequest) {
        return mutate(frame, isRequest, 7);
    }

    /** A copy of {@code frame} with one to a few mutations; checksums repaired {@code repairTenths} times in 10. */
    byte[] mutate(byte[] frame, boolean isRequest, int repairTenths) {
        byte[] f = frame;
        int rounds = 1 + rnd.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            f = switch (rnd.nextInt(9)) {
                case 0, 1 -> flipBits(f);
                case 2, 3 -> overwriteInt(f, isRequest);
                case 4 -> setByte(f);
                case 5 -> Arrays.copyOf(f, rnd.nextInt(f.length + 1));               // truncate
                case 6 -> concat(f, Arrays.copyOfRange(f, 0, rnd.nextInt(f.length + 1))); // duplicate a prefix
                case 7 -> concat(f, randomBytes(1 + rnd.nextInt(64)));                // trailing junk
                default -> insert(f);
            };
        }
        if (rnd.nextInt(10) < repairTenths) {
            if (isRequest) repairRequest(f);
            else repairHandshake(f);
        }
        return f;
    }

    byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        if (n >= 4 && rnd.nextInt(4) == 0) { // a valid magic now and then, so the header checks run
            ByteBuffer.wrap(b).putInt(rnd.nextBoolean() ? RequestHeader.MAGIC : HandshakeDecoder.MAGIC);
        }
        return b;
    }

    private byte[] flipBits(byte[] f) {
        if (f.length == 0) return f;
        byte[] c = f.clone();
        for (int i = 1 + rnd.nextInt(8); i > 0; i--) c[rnd.nextInt(c.length)] ^= (byte) (1 << rnd.nextInt(8));
        return c;
    }

    private byte[] setByte(byte[] f) {
        if (f.length == 0) return f;
        byte[] c = f.clone();
        c[rnd.nextInt(c.length)] = (byte) new int[]{0, 0xFF, 0x7F, 0x80, 1}[rnd.nextInt(5)];
        return c;
    }

    /** Writes an interesting integer over a field: length, payload length, offset, or anywhere. */
    private byte[] overwriteInt(byte[] f, boolean isRequest) {
        if (f.length < 4) return f;
        byte[] c = f.clone();
        int at;
        if (isRequest && c.length >= RequestHeader.SIZE) {
            at = new int[]{RequestHeader.LENGTH_OFFSET, RequestHeader.PAYLOAD_LENGTH_OFFSET, RequestHeader.OFFSET_OFFSET,
                    RequestHeader.OFFSET_OFFSET + 4, RequestHeader.OPCODE_OFFSET, rnd.nextInt(c.length - 3)}[rnd.nextInt(6)];
        } else if (!isRequest && c.length >= HandshakeDecoder.HEADER_SIZE) {
            // body length, or an option's tag/length inside the body
            at = rnd.nextBoolean() ? 8 : HandshakeDecoder.HEADER_SIZE + rnd.nextInt(Math.max(1, c.length - HandshakeDecoder.HEADER_SIZE - 3));
            at = Math.min(at, c.length - 4);
        } else {
            at = rnd.nextInt(c.length - 3);
        }
        ByteBuffer.wrap(c).putInt(at, INTERESTING[rnd.nextInt(INTERESTING.length)]);
        return c;
    }

    private byte[] insert(byte[] f) {
        int at = rnd.nextInt(f.length + 1);
        byte[] junk = randomBytes(1 + rnd.nextInt(16));
        byte[] c = new byte[f.length + junk.length];
        System.arraycopy(f, 0, c, 0, at);
        System.arraycopy(junk, 0, c, at, junk.length);
        System.arraycopy(f, at, c, at + junk.length, f.length - at);
        return c;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    // ---- checksum repair ----

    /** Recomputes a request's payload and header crc32c (as far as the bytes reach). */
    static void repairRequest(byte[] f) {
        if (f.length < RequestHeader.SIZE) return;
        ByteBuffer b = ByteBuffer.wrap(f);
        long plen = Integer.toUnsignedLong(b.getInt(RequestHeader.PAYLOAD_LENGTH_OFFSET));
        if (plen > 0 && RequestHeader.SIZE + plen <= f.length) {
            b.putInt(RequestHeader.PAYLOAD_CRC_OFFSET, crc(f, RequestHeader.SIZE, (int) plen));
        }
        b.putInt(RequestHeader.HEADER_CRC_OFFSET, crc(f, 0, RequestHeader.HEADER_CRC_OFFSET));
    }

    /** Recomputes a handshake frame's crc32c when its body is all there. */
    static void repairHandshake(byte[] f) {
        if (f.length < HandshakeDecoder.HEADER_SIZE) return;
        ByteBuffer b = ByteBuffer.wrap(f);
        long body = Integer.toUnsignedLong(b.getInt(8));
        if (HandshakeDecoder.HEADER_SIZE + body > f.length) return;
        CRC32C c = new CRC32C();
        c.update(f, 0, 12);
        c.update(f, HandshakeDecoder.HEADER_SIZE, (int) body);
        b.putInt(12, (int) c.getValue());
    }

    private static int crc(byte[] f, int from, int len) {
        CRC32C c = new CRC32C();
        c.update(f, from, len);
        return (int) c.getValue();
    }

    /** An AUTH frame with {@code proof}. */
    static byte[] auth(byte[] proof) {
        return handshake(HandshakeFrame.builder(HandshakeFrame.AUTH).bytes(Tlv.PROOF, proof).build());
    }
}
