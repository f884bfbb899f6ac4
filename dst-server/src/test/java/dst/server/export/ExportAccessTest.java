package dst.server.export;

import org.junit.jupiter.api.Test;

import static dst.server.export.ExportAccess.Level.NONE;
import static dst.server.export.ExportAccess.Level.READ;
import static dst.server.export.ExportAccess.Level.READ_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The allow= rules of --export. */
class ExportAccessTest {
    @Test
    void withoutRulesEveryAdmittedClientMayWrite() {
        ExportSpec s = ExportSpec.parse("d0=mem:1M");
        assertEquals(READ_WRITE, s.access().levelFor("alice"));
        assertEquals(READ_WRITE, s.access().levelFor(null));
    }

    @Test
    void bothSpellingsOfTheRulesParse() {
        for (String arg : new String[]{"d0=/srv/d0.img,allow=alice:rw+bob:ro", "d0=/srv/d0.img,allow=alice:rw,bob:ro",
                "d0=/srv/d0.img,size=1M,allow=alice,allow=bob:ro"}) {
            ExportAccess a = ExportSpec.parse(arg).access();
            assertEquals(READ_WRITE, a.levelFor("alice"), arg);
            assertEquals(READ, a.levelFor("bob"), arg);
            assertEquals(NONE, a.levelFor("carol"), arg);
            assertEquals(NONE, a.levelFor(null), arg);
        }
    }

    @Test
    void starMeansAnyIdentityButNotAnonymousAndNamedRulesWin() {
        ExportAccess a = ExportAccess.parse("*:ro+alice:rw+anonymous:ro");
        assertEquals(READ_WRITE, a.levelFor("alice"));
        assertEquals(READ, a.levelFor("zed"));
        assertEquals(READ, a.levelFor(""));
        assertEquals(NONE, ExportAccess.parse("*:rw").levelFor(null));
    }

    @Test
    void badRulesAreUsageErrors() {
        assertThrows(IllegalArgumentException.class, () -> ExportSpec.parse("d0=mem:1M,allow=alice:rx"));
        assertThrows(IllegalArgumentException.class, () -> ExportSpec.parse("d0=mem:1M,allow="));
        assertThrows(IllegalArgumentException.class, () -> ExportSpec.parse("d0=mem:1M,allow=al ice:rw"));
    }
}
