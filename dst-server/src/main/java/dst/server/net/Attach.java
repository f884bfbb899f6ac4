package dst.server.net;

import dst.protocol.Tlv;

/**
 * How a session uses its export, and so which other sessions it may share it with: any number of readers; read-write
 * sessions either all {@link #SHARED} (a cluster filesystem) or one {@link #EXCLUSIVE} (the default: two machines
 * mounting one ext4 destroy it).
 */
public enum Attach {
    READ, SHARED, EXCLUSIVE;

    /** From a HELLO's attach flags ({@link Tlv.AttachFlags}; absent = 0 = exclusive) and the grant. */
    public static Attach of(int flags, boolean grantedReadOnly) {
        if (grantedReadOnly || (flags & Tlv.AttachFlags.READ_ONLY) != 0) return READ;
        return (flags & Tlv.AttachFlags.SHARED) != 0 ? SHARED : EXCLUSIVE;
    }

    public boolean writes() {
        return this != READ;
    }

    /** Whether a session attached this way cannot coexist with a writer attached {@code other}. */
    public boolean conflictsWith(Attach other) {
        return writes() && other.writes() && (this == EXCLUSIVE || other == EXCLUSIVE);
    }

    public String describe() {
        return switch (this) {
            case READ -> "read-only";
            case SHARED -> "shared read-write";
            case EXCLUSIVE -> "exclusive read-write";
        };
    }
}
