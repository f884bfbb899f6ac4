package dst.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * Feature bits negotiated in the handshake. The client asks for a set, may mark some as required;
 * the server grants the intersection with what the export supports and refuses a required bit it
 * does not know or cannot do.
 */
public final class Features {
    public static final int CRC32C = 1;
    public static final int FLUSH = 1 << 1;
    public static final int FUA = 1 << 2;
    public static final int TRIM = 1 << 3;
    public static final int WRITE_ZEROES = 1 << 4;

    /** Every bit this version of dst understands. */
    public static final int KNOWN = CRC32C | FLUSH | FUA | TRIM | WRITE_ZEROES;

    private Features() {
    }

    public static boolean has(int set, int bit) {
        return (set & bit) == bit;
    }

    public static String describe(int set) {
        List<String> names = names(set);
        return names.isEmpty() ? "none" : String.join(",", names);
    }

    /** The features in {@code set} by name ({@code crc32c}, {@code flush}, ...); unknown bits as one {@code 0x...}. */
    public static List<String> names(int set) {
        List<String> j = new ArrayList<>();
        if (has(set, CRC32C)) j.add("crc32c");
        if (has(set, FLUSH)) j.add("flush");
        if (has(set, FUA)) j.add("fua");
        if (has(set, TRIM)) j.add("trim");
        if (has(set, WRITE_ZEROES)) j.add("write-zeroes");
        int unknown = set & ~KNOWN;
        if (unknown != 0) j.add("0x" + Integer.toHexString(unknown));
        return j;
    }
}
