package dst.client.frontend.ublk;

import dst.nativebridge.ublk.uapi.UblkParams;
import dst.protocol.ExportInfo;
import dst.protocol.Features;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the kernel is told about a device follows from what the server granted in the handshake. */
class UblkParamsFromExportTest {
    private static ExportInfo export(int blockSize, boolean readOnly, int features) {
        return new ExportInfo("disk", 1L << 30, blockSize, 1 << 20, readOnly, features, 1, 2, 1);
    }

    @Test
    void flushAndFuaBecomeAVolatileCacheWithFuaAndTrimAndZeroesBecomeDiscardLimits() {
        ByteBuffer p = UblkControl.params(export(512, false, Features.FLUSH | Features.FUA | Features.TRIM | Features.WRITE_ZEROES),
                UblkOptions.DEFAULT).buffer();
        assertEquals(UblkParams.SIZEOF, p.getInt(UblkParams.LEN));
        assertEquals(UblkParams.UBLK_PARAM_TYPE_BASIC | UblkParams.UBLK_PARAM_TYPE_DISCARD, p.getInt(UblkParams.TYPES));
        assertEquals(UblkParams.UBLK_ATTR_VOLATILE_CACHE | UblkParams.UBLK_ATTR_FUA, p.getInt(UblkParams.BASIC + UblkParams.BASIC_ATTRS));
        assertEquals(9, p.get(UblkParams.BASIC + UblkParams.BASIC_LOGICAL_BS_SHIFT));
        assertEquals(12, p.get(UblkParams.BASIC + UblkParams.BASIC_PHYSICAL_BS_SHIFT));
        assertEquals(UblkOptions.DEFAULT.bufferBytes() >> 9, p.getInt(UblkParams.BASIC + UblkParams.BASIC_MAX_SECTORS));
        assertEquals((1L << 30) >> 9, p.getLong(UblkParams.BASIC + UblkParams.BASIC_DEV_SECTORS));
        assertEquals(512, p.getInt(UblkParams.DISCARD + UblkParams.DISCARD_GRANULARITY));
        assertEquals(1 << 21, p.getInt(UblkParams.DISCARD + UblkParams.DISCARD_MAX_DISCARD_SECTORS));
        assertEquals(1 << 21, p.getInt(UblkParams.DISCARD + UblkParams.DISCARD_MAX_WRITE_ZEROES_SECTORS));
        assertEquals(1, p.getShort(UblkParams.DISCARD + UblkParams.DISCARD_MAX_DISCARD_SEGMENTS));
    }

    @Test
    void readOnly4kExportWithoutFlushOrTrimIsAReadOnlyWriteThroughDiskWithoutDiscard() {
        ByteBuffer p = UblkControl.params(export(4096, true, 0), UblkOptions.DEFAULT).buffer();
        assertEquals(UblkParams.UBLK_PARAM_TYPE_BASIC, p.getInt(UblkParams.TYPES));
        assertEquals(UblkParams.UBLK_ATTR_READ_ONLY, p.getInt(UblkParams.BASIC + UblkParams.BASIC_ATTRS));
        assertEquals(12, p.get(UblkParams.BASIC + UblkParams.BASIC_LOGICAL_BS_SHIFT));
        assertEquals(12, p.get(UblkParams.BASIC + UblkParams.BASIC_PHYSICAL_BS_SHIFT));
    }

    @Test
    void fuaWithoutFlushIsNotAdvertised() {
        ByteBuffer p = UblkControl.params(export(512, false, Features.FUA), UblkOptions.DEFAULT).buffer();
        assertEquals(0, p.getInt(UblkParams.BASIC + UblkParams.BASIC_ATTRS));
    }
}
