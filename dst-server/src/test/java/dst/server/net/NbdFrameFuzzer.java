package dst.server.net;

import dst.protocol.nbd.Nbd;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * NBD frames for the fuzz test: client flags, options (GO, INFO, LIST, STRUCTURED_REPLY, EXTENDED_HEADERS,
 * meta contexts, STARTTLS, unknown ones) and transmission requests (compact or extended, commands and flags at
 * random, offsets and lengths near an export's edges), with mutations from {@link FrameFuzzer}'s toolbox.
 * Deterministic for a given random.
 */
final class NbdFrameFuzzer {
    private static final long[] LENGTHS = {0, 1, 511, 512, 4096, 65536, 1 << 20, (1 << 20) + 1, 4 << 20, 32 << 20,
            0xFFFFFFFFL, 1L << 40, -1};

    private final Random rnd;
    private final long exportSize;

    NbdFrameFuzzer(Random rnd, long exportSize) {
        this.rnd = rnd;
        this.exportSize = exportSize;
    }

    Random random() {
        return rnd;
    }

    byte[] clientFlags() {
        int flags = rnd.nextInt(20) == 0 ? rnd.nextInt() : Nbd.FLAG_C_FIXED_NEWSTYLE | (rnd.nextBoolean() ? Nbd.FLAG_C_NO_ZEROES : 0);
        return ByteBuffer.allocate(4).putInt(flags).array();
    }

    byte[] option(int code, byte[] data) {
        return ByteBuffer.allocate(16 + data.length).putLong(Nbd.IHAVEOPT).putInt(code).putInt(data.length).put(data).array();
    }

    static byte[] nameAndInfos(String name, int... infos) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(6 + n.length + 2 * infos.length).putInt(n.length).put(n).putShort((short) infos.length);
        for (int i : infos) b.putShort((short) i);
        return b.array();
    }

    static byte[] meta(String name, String... queries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(4).putInt(n.length).array());
        out.writeBytes(n);
        out.writeBytes(ByteBuffer.allocate(4).putInt(queries.length).array());
        for (String q : queries) {
            byte[] qb = q.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(4).putInt(qb.length).array());
            out.writeBytes(qb);
        }
        return out.toByteArray();
    }

    /** An option other than the one that ends the handshake. */
    byte[] haggle(String export) {
        return switch (rnd.nextInt(9)) {
            case 0 -> option(Nbd.OPT_STRUCTURED_REPLY, new byte[0]);
            case 1 -> option(Nbd.OPT_SET_META_CONTEXT, meta(export, Nbd.BASE_ALLOCATION));
            case 2 -> option(Nbd.OPT_LIST_META_CONTEXT, meta(export, "base:"));
            case 3 -> option(Nbd.OPT_LIST, new byte[0]);
            case 4 -> option(Nbd.OPT_INFO, nameAndInfos(export, Nbd.INFO_NAME, Nbd.INFO_BLOCK_SIZE));
            case 5 -> option(Nbd.OPT_EXTENDED_HEADERS, new byte[0]);
            case 6 -> option(Nbd.OPT_STARTTLS, new byte[0]);
            case 7 -> option(rnd.nextInt(), randomBytes(rnd.nextInt(64)));
            default -> option(Nbd.OPT_SET_META_CONTEXT, randomBytes(rnd.nextInt(32)));
        };
    }

    byte[] go(String export) {
        return rnd.nextInt(4) == 0 ? option(Nbd.OPT_EXPORT_NAME, export.getBytes(StandardCharsets.UTF_8))
                : option(Nbd.OPT_GO, nameAndInfos(export, Nbd.INFO_BLOCK_SIZE));
    }

    byte[] request(boolean extended) {
        int type = rnd.nextInt(12) == 0 ? rnd.nextInt(65536) : rnd.nextInt(8);
        if (type == Nbd.CMD_DISC && rnd.nextInt(4) != 0) type = Nbd.CMD_READ; // DISC ends the connection: keep it rarer
        int flags = rnd.nextInt(3) == 0 ? rnd.nextInt(64) : rnd.nextInt(8) == 0 ? rnd.nextInt(65536) : 0;
        long length = rnd.nextBoolean() ? LENGTHS[rnd.nextInt(LENGTHS.length)] : rnd.nextInt(8192);
        long offset = FrameFuzzer.offsetNearEdges(rnd, exportSize, length);
        boolean payload = extended ? (flags & Nbd.CMD_FLAG_PAYLOAD_LEN) != 0 || type == Nbd.CMD_WRITE && rnd.nextInt(10) != 0
                : type == Nbd.CMD_WRITE;
        if (extended && payload) flags |= Nbd.CMD_FLAG_PAYLOAD_LEN;
        int data = payload ? (int) Math.min(Math.max(length, 0), 8192) : 0;
        if (payload) length = rnd.nextInt(10) == 0 ? length : data;
        ByteBuffer b = ByteBuffer.allocate((extended ? 32 : 28) + data);
        b.putInt(extended ? Nbd.EXTENDED_REQUEST_MAGIC : Nbd.REQUEST_MAGIC).putShort((short) flags).putShort((short) type)
                .putLong(rnd.nextLong()).putLong(offset);
        if (extended) b.putLong(length);
        else b.putInt((int) length);
        return b.array();
    }

    /** Bit flips, interesting values over a field, truncation, or bytes spliced in. */
    byte[] mutate(byte[] f) {
        byte[] m = f.clone();
        switch (rnd.nextInt(4)) {
            case 0 -> {
                for (int i = 1 + rnd.nextInt(4); i > 0 && m.length > 0; i--) m[rnd.nextInt(m.length)] ^= (byte) (1 << rnd.nextInt(8));
            }
            case 1 -> {
                if (m.length >= 4) ByteBuffer.wrap(m).putInt(rnd.nextInt(m.length - 3), (int) LENGTHS[rnd.nextInt(LENGTHS.length)]);
            }
            case 2 -> m = java.util.Arrays.copyOf(m, rnd.nextInt(m.length + 1));
            default -> {
                byte[] extra = randomBytes(1 + rnd.nextInt(40));
                byte[] out = java.util.Arrays.copyOf(m, m.length + extra.length);
                System.arraycopy(extra, 0, out, m.length, extra.length);
                m = out;
            }
        }
        return m;
    }

    byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }
}
