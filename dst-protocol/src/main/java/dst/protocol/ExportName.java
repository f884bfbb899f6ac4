package dst.protocol;

/**
 * The one rule for an export's name (HELLO's EXPORT_NAME): 1 to 64 of {@code A-Z a-z 0-9 . _ -}, not starting
 * with {@code '.'}.
 *
 * <p>Why this strength: the name does not stay a wire string. The server logs it and keys its exports by it;
 * the client makes it a file name (the FUSE file {@code MOUNTPOINT/EXPORT}), a directory under its run directory
 * (the default device name), and the last segment of a target {@code HOST:PORT/EXPORT} or
 * {@code unix:/PATH/EXPORT}. So it may hold no {@code '/'}, no spaces or shell and terminal control
 * characters, and cannot be {@code "."}, {@code ".."} or a hidden file; 64 bytes keep log lines and paths short.
 * The same rule names attached devices ({@code attach --name}), which become the same kind of directory.
 */
public final class ExportName {
    public static final int MAX_LENGTH = 64;

    private ExportName() {
    }

    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH || name.charAt(0) == '.') return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!ok) return false;
        }
        return true;
    }

    /**
     * Returns {@code name} when it follows the rule.
     *
     * @param what what the name is for the message, e.g. {@code "export name"}
     * @throws IllegalArgumentException naming the bad value and the rule
     */
    public static String check(String what, String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException(what + " '" + name + "' must be 1-" + MAX_LENGTH
                    + " of A-Z a-z 0-9 . _ - and not start with '.'");
        }
        return name;
    }
}
