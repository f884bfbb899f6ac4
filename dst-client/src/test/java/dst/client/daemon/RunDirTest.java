package dst.client.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunDirTest {
    @TempDir
    Path tmp;

    @Test
    void namesAreClaimedOnceAndMadeUniqueUnlessExact() throws Exception {
        RunDir dir = new RunDir(tmp);
        assertEquals("disk", dir.claim("disk", false));
        DeviceRecord.create("disk", ProcessHandle.current().pid()).write(dir.stateFile("disk"));
        assertEquals("disk-2", dir.claim("disk", false));
        assertThrows(IllegalArgumentException.class, () -> dir.claim("disk", true));
        assertThrows(IllegalArgumentException.class, () -> dir.claim("../etc", false));
    }

    @Test
    void aNameWhoseProcessIsGoneIsReclaimed() throws Exception {
        RunDir dir = new RunDir(tmp);
        dir.claim("disk", true);
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        DeviceRecord.create("disk", gone.pid()).write(dir.stateFile("disk"));
        assertEquals("disk", dir.claim("disk", true));
        assertFalse(Files.exists(dir.stateFile("disk")), "the stale record must be gone");
    }

    @Test
    void recordsRoundTripAndAreFoundByNameOrDevice() throws Exception {
        RunDir dir = new RunDir(tmp);
        dir.claim("vol", true);
        DeviceRecord.create("vol", ProcessHandle.current().pid()).set("device", "/dev/loop7").set("size", "4096")
                .status(DeviceRecord.Status.READY, "ok").write(dir.stateFile("vol"));
        DeviceRecord r = dir.find("/dev/loop7").orElseThrow();
        assertEquals("vol", r.name());
        assertEquals(4096, r.number("size"));
        assertEquals(DeviceRecord.Status.READY, r.status());
        assertTrue(r.processAlive());
        assertTrue(dir.find("vol").isPresent());
        assertTrue(dir.find("other").isEmpty());
        dir.removeDeviceDir("vol");
        assertTrue(dir.records().isEmpty());
    }
}
