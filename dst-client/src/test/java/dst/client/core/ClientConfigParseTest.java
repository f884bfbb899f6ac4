package dst.client.core;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A target is the server's address syntax (Transport.parse), a '/', and an export name (ExportName). */
class ClientConfigParseTest {
    @Test
    void tcpTargets() {
        ClientConfig c = ClientConfig.parse("10.0.0.1:9000/disk0");
        assertEquals("10.0.0.1", c.host());
        assertEquals(9000, c.port());
        assertEquals("disk0", c.export());
        assertNull(c.unixSocket());
        assertEquals("10.0.0.1:9000/disk0", c.target());
        assertEquals(ClientConfig.DEFAULT_PORT, ClientConfig.parse("server/d").port());
        assertEquals("::1", ClientConfig.parse("[::1]:1/d").host());
        assertEquals("[::1]:1/d", ClientConfig.parse("[::1]:1/d").target());
    }

    @Test
    void unixTargets() {
        ClientConfig c = ClientConfig.parse("unix:/run/dst/dst.sock/d0");
        assertEquals(Path.of("/run/dst/dst.sock"), c.unixSocket());
        assertEquals("d0", c.export());
        assertEquals("unix:/run/dst/dst.sock", c.server());
    }

    @Test
    void badTargetsAreRefused() {
        for (String bad : new String[]{"host", "host/", "/d", "host:x/d", "unix:/d", "host/.hidden", "host/a b"}) {
            assertThrows(IllegalArgumentException.class, () -> ClientConfig.parse(bad), bad);
        }
    }
}
