package dst.protocol.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * A 256-bit client key and its text form (64 hex digits), shared by {@code dst-server client add},
 * the server's clients file and the client's key file. Key files must be private to their owner
 * (mode 0600 or stricter): like ssh, a key readable by others is refused rather than used.
 */
public final class ClientKey {
    public static final int LENGTH = 32;
    private static final HexFormat HEX = HexFormat.of();

    private ClientKey() {
    }

    public static byte[] generate() {
        byte[] k = new byte[LENGTH];
        new SecureRandom().nextBytes(k);
        return k;
    }

    public static String toText(byte[] key) {
        return HEX.formatHex(key);
    }

    /** Parses 64 hex digits (surrounding white space ignored); the message never echoes the input. */
    public static byte[] parse(String text) {
        String t = text.strip();
        if (t.length() != 2 * LENGTH || !t.matches("[0-9a-fA-F]+")) {
            throw new IllegalArgumentException("a dst key is " + 2 * LENGTH + " hex digits (see dst-server client add)");
        }
        return HEX.parseHex(t.toLowerCase());
    }

    /** Reads a key file written by {@code dst-server client add --key-file}. */
    public static byte[] read(Path file) throws IOException {
        requirePrivate(file);
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    /** Writes {@code key} to a new file created with mode 0600 (never briefly readable by others). */
    public static void write(Path file, byte[] key) throws IOException {
        writePrivate(file, toText(key) + "\n");
    }

    /** Creates or replaces {@code file} with {@code text}, mode 0600 from the start. */
    public static void writePrivate(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Refuses a file that group or others may read or write: its secret may already be out. */
    public static void requirePrivate(Path file) throws IOException {
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
        for (PosixFilePermission bad : new PosixFilePermission[]{PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE}) {
            if (p.contains(bad)) {
                throw new IOException(file + " is accessible by others (mode " + PosixFilePermissions.toString(p)
                        + "); a key file must be private: chmod 600 " + file);
            }
        }
    }
}
