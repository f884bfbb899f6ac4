package dst.nativebridge.ublk;

import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The block device path and its id, both ways (attach uses the inverse to find a device to recover). */
class UblkCharDevicePathTest {
    @Test
    void blockPathAndDevIdAreInverse() {
        assertEquals("/dev/ublkb7", UblkCharDevice.blockPath(7));
        assertEquals(OptionalInt.of(7), UblkCharDevice.devIdOf(UblkCharDevice.blockPath(7)));
        assertEquals(OptionalInt.of(123), UblkCharDevice.devIdOf("/dev/ublkb123"));
    }

    @Test
    void otherPathsHaveNoDevId() {
        for (String p : new String[] {"/dev/loop0", "/dev/ublkc3", "/dev/ublkb", "/dev/ublkb1x", "/dev/ublkb-1", "", "/dev/ublkb99999999999"}) {
            assertEquals(OptionalInt.empty(), UblkCharDevice.devIdOf(p), p);
        }
    }
}
