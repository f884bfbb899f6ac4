package dst.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExportNameTest {
    @Test
    void lettersDigitsDotUnderscoreAndDashUpTo64AreNames() {
        for (String ok : new String[]{"disk0", "d", "a.b_c-D9", "x.", "x".repeat(ExportName.MAX_LENGTH)}) {
            assertTrue(ExportName.isValid(ok), ok);
            assertEquals(ok, ExportName.check("export name", ok));
        }
    }

    /** Everything that would not survive as a file name, a run-dir directory or a target's last segment. */
    @Test
    void pathsHiddenNamesBlanksAndOverlongNamesAreNot() {
        for (String bad : new String[]{"", ".", "..", ".hidden", "a/b", "../etc", "a b", "tab\t", "é", "a:b", "a\nb",
                "x".repeat(ExportName.MAX_LENGTH + 1)}) {
            assertFalse(ExportName.isValid(bad), bad);
        }
        assertFalse(ExportName.isValid(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExportName.check("device name", "a/b"));
        assertTrue(e.getMessage().contains("device name 'a/b'"), e.getMessage());
    }
}
