package dst.nativebridge.ublk.uapi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct ublk_params} with its {@code ublk_param_basic} ({@code BASIC_*}, at {@link #BASIC}) and
 * {@code ublk_param_discard} ({@code DISCARD_*}, at {@link #DISCARD}) parts, as sent by SET_PARAMS.
 * Newer kernels append more parts; {@link #LEN} tells them how much of the struct we know, which
 * they accept. A flyweight over its own direct buffer.
 */
public final class UblkParams {
    /** The prefix dst sends: len, types, basic, discard (6.1 layout, padded to 8). */
    public static final int SIZEOF = 64;
    public static final int LEN = 0;
    public static final int TYPES = 4;
    public static final int BASIC = 8;
    public static final int DISCARD = 40;

    public static final int UBLK_PARAM_TYPE_BASIC = 1;
    public static final int UBLK_PARAM_TYPE_DISCARD = 1 << 1;

    public static final int BASIC_ATTRS = 0;
    public static final int BASIC_LOGICAL_BS_SHIFT = 4;
    public static final int BASIC_PHYSICAL_BS_SHIFT = 5;
    public static final int BASIC_IO_OPT_SHIFT = 6;
    public static final int BASIC_IO_MIN_SHIFT = 7;
    public static final int BASIC_MAX_SECTORS = 8;
    public static final int BASIC_CHUNK_SECTORS = 12;
    public static final int BASIC_DEV_SECTORS = 16;
    public static final int BASIC_VIRT_BOUNDARY_MASK = 24;
    public static final int BASIC_SIZEOF = 32;

    public static final int UBLK_ATTR_READ_ONLY = 1;
    public static final int UBLK_ATTR_ROTATIONAL = 1 << 1;
    public static final int UBLK_ATTR_VOLATILE_CACHE = 1 << 2;
    public static final int UBLK_ATTR_FUA = 1 << 3;

    public static final int DISCARD_ALIGNMENT = 0;
    public static final int DISCARD_GRANULARITY = 4;
    public static final int DISCARD_MAX_DISCARD_SECTORS = 8;
    public static final int DISCARD_MAX_WRITE_ZEROES_SECTORS = 12;
    public static final int DISCARD_MAX_DISCARD_SEGMENTS = 16;
    public static final int DISCARD_SIZEOF = 20;

    private final ByteBuffer buf = ByteBuffer.allocateDirect(SIZEOF).order(ByteOrder.LITTLE_ENDIAN);

    public UblkParams() {
        buf.putInt(LEN, SIZEOF);
    }

    public ByteBuffer buffer() {
        return buf;
    }

    public UblkParams basic(int attrs, int logicalBsShift, int physicalBsShift, int ioOptShift, int ioMinShift,
                            int maxSectors, long devSectors) {
        buf.putInt(TYPES, buf.getInt(TYPES) | UBLK_PARAM_TYPE_BASIC);
        buf.putInt(BASIC + BASIC_ATTRS, attrs);
        buf.put(BASIC + BASIC_LOGICAL_BS_SHIFT, (byte) logicalBsShift);
        buf.put(BASIC + BASIC_PHYSICAL_BS_SHIFT, (byte) physicalBsShift);
        buf.put(BASIC + BASIC_IO_OPT_SHIFT, (byte) ioOptShift);
        buf.put(BASIC + BASIC_IO_MIN_SHIFT, (byte) ioMinShift);
        buf.putInt(BASIC + BASIC_MAX_SECTORS, maxSectors);
        buf.putLong(BASIC + BASIC_DEV_SECTORS, devSectors);
        return this;
    }

    /** The kernel wants a non-zero granularity and exactly one segment when discards are allowed. */
    public UblkParams discard(int granularity, int maxDiscardSectors, int maxWriteZeroesSectors, int maxSegments) {
        buf.putInt(TYPES, buf.getInt(TYPES) | UBLK_PARAM_TYPE_DISCARD);
        buf.putInt(DISCARD + DISCARD_GRANULARITY, granularity);
        buf.putInt(DISCARD + DISCARD_MAX_DISCARD_SECTORS, maxDiscardSectors);
        buf.putInt(DISCARD + DISCARD_MAX_WRITE_ZEROES_SECTORS, maxWriteZeroesSectors);
        buf.putShort(DISCARD + DISCARD_MAX_DISCARD_SEGMENTS, (short) maxSegments);
        return this;
    }

    /** The {@code UBLK_PARAM_TYPE_*} parts filled in. */
    public int types() {
        return buf.getInt(TYPES);
    }

    public long devSectors() {
        return buf.getLong(BASIC + BASIC_DEV_SECTORS);
    }
}
