package dst.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * One handshake message: a type and a list of TLV options. Small and short-lived, so values are
 * plain byte arrays (no reference counting). Wire layout in {@link HandshakeDecoder}.
 */
public final class HandshakeFrame {
    public static final int HELLO = 1;
    public static final int CHALLENGE = 2;
    public static final int AUTH = 3;
    public static final int WELCOME = 4;
    public static final int ERROR = 5;

    /** One option: tag and raw value. */
    public record Option(int tag, byte[] value) {
        public Option {
            if (tag < 0 || tag > 0xFFFF) throw new IllegalArgumentException("tag out of range: " + tag);
            if (value.length > 0xFFFF) throw new IllegalArgumentException("option too long: " + value.length);
        }
    }

    private final int type;
    private final List<Option> options;

    public HandshakeFrame(int type, List<Option> options) {
        if (type < 0 || type > 0xFFFF) throw new IllegalArgumentException("type out of range: " + type);
        this.type = type;
        this.options = Collections.unmodifiableList(new ArrayList<>(options));
    }

    public static Builder builder(int type) {
        return new Builder(type);
    }

    public int type() {
        return type;
    }

    public List<Option> options() {
        return options;
    }

    public Optional<byte[]> bytes(int tag) {
        for (Option o : options) {
            if ((o.tag() & ~Tlv.CRITICAL) == tag) return Optional.of(o.value());
        }
        return Optional.empty();
    }

    public Optional<String> string(int tag) {
        return bytes(tag).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    public Optional<Long> u64(int tag) {
        return bytes(tag).map(b -> requireLength(tag, b, 8).getLong());
    }

    public Optional<Integer> u32(int tag) {
        return bytes(tag).map(b -> requireLength(tag, b, 4).getInt());
    }

    private static ByteBuffer requireLength(int tag, byte[] b, int len) {
        if (b.length != len) {
            throw new IllegalArgumentException("option 0x" + Integer.toHexString(tag) + " must be "
                    + len + " bytes, got " + b.length);
        }
        return ByteBuffer.wrap(b);
    }

    /** The first critical option whose tag is not in {@code known}, if any. */
    public Optional<Integer> unknownCriticalTag(int... known) {
        outer:
        for (Option o : options) {
            if ((o.tag() & Tlv.CRITICAL) == 0) continue;
            int plain = o.tag() & ~Tlv.CRITICAL;
            for (int k : known) {
                if (k == plain) continue outer;
            }
            return Optional.of(o.tag());
        }
        return Optional.empty();
    }

    public static String typeName(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case CHALLENGE -> "CHALLENGE";
            case AUTH -> "AUTH";
            case WELCOME -> "WELCOME";
            case ERROR -> "ERROR";
            default -> "TYPE#" + type;
        };
    }

    @Override
    public String toString() {
        return typeName(type) + "(" + options.size() + " options)";
    }

    /** Builds a frame option by option. */
    public static final class Builder {
        private final int type;
        private final List<Option> options = new ArrayList<>();

        private Builder(int type) {
            this.type = type;
        }

        public Builder bytes(int tag, byte[] value) {
            options.add(new Option(tag, value));
            return this;
        }

        public Builder string(int tag, String value) {
            return bytes(tag, value.getBytes(StandardCharsets.UTF_8));
        }

        public Builder u64(int tag, long value) {
            return bytes(tag, ByteBuffer.allocate(8).putLong(value).array());
        }

        public Builder u32(int tag, int value) {
            return bytes(tag, ByteBuffer.allocate(4).putInt(value).array());
        }

        public HandshakeFrame build() {
            return new HandshakeFrame(type, options);
        }
    }

    /** An ERROR frame with an errno and a message. */
    public static HandshakeFrame error(int errno, String message) {
        return builder(ERROR).u32(Tlv.ERRNO, errno).string(Tlv.MESSAGE, message).build();
    }
}
