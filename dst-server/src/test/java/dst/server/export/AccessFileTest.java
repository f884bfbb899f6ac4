package dst.server.export;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The access file: rules per export, comments, and every kind of bad line named with its number. */
class AccessFileTest {
    @TempDir
    Path dir;

    @Test
    void rulesPerExportReplaceTheCommandLinesAndAMissingFileListsNothing() throws IOException {
        Path f = Files.writeString(dir.resolve("access"), "# rules\n\nd0 alice:rw+bob:ro\n  d1 *:ro  \n");
        Map<String, ExportAccess> rules = AccessFile.load(f, Set.of("d0", "d1", "d2"));
        assertEquals(Set.of("d0", "d1"), rules.keySet());
        assertEquals(ExportAccess.Level.READ, rules.get("d0").levelFor("bob"));
        assertEquals(ExportAccess.Level.NONE, rules.get("d0").levelFor("carol"));
        assertEquals(ExportAccess.Level.READ, rules.get("d1").levelFor("carol"));
        assertTrue(AccessFile.load(dir.resolve("missing"), Set.of("d0")).isEmpty());

        Export e = new Export(ExportSpec.parse("d0=mem:1M,allow=carol:rw"), null, 1);
        e.overrideAccess(rules.get("d0"));
        assertEquals(ExportAccess.Level.NONE, e.access().levelFor("carol"), "the file's rules replace allow=");
        e.overrideAccess(null);
        assertEquals(ExportAccess.Level.READ_WRITE, e.access().levelFor("carol"), "and without them allow= is back");
    }

    @Test
    void badLinesAreNamed() throws IOException {
        assertBad("d0\n", "line 1: expected EXPORT RULES");
        assertBad("# ok\nnope alice:rw\n", "line 2: no export 'nope'");
        assertBad("d0 alice:rx\n", "line 1: access rule 'alice:rx'");
        assertBad("d0 alice:rw\nd0 bob:ro\n", "line 2: 'd0' given twice");
    }

    private void assertBad(String text, String expected) throws IOException {
        Path f = Files.writeString(dir.resolve("bad"), text);
        IOException e = assertThrows(IOException.class, () -> AccessFile.load(f, Set.of("d0")));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
