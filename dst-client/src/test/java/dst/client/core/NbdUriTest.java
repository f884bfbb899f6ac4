package dst.client.core;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NbdUriTest {
    @Test
    void tcpWithPortAndExport() {
        NbdUri u = NbdUri.parse("nbd://127.0.0.1:10900/disk0");
        assertEquals(new NbdUri(false, "127.0.0.1", 10900, null, "disk0"), u);
    }

    @Test
    void defaultPortAndDefaultExport() {
        assertEquals(new NbdUri(false, "example.com", 10809, null, ""), NbdUri.parse("nbd://example.com"));
        assertEquals(new NbdUri(false, "example.com", 10809, null, ""), NbdUri.parse("nbd://example.com/"));
    }

    @Test
    void exportNameIsThePathWithoutItsFirstSlashPercentDecoded() {
        assertEquals("/abs", NbdUri.parse("nbd://h//abs").export());
        assertEquals("a b+c", NbdUri.parse("nbd://h/a%20b+c").export());
        assertEquals("dir/file", NbdUri.parse("nbd://h/dir/file").export());
    }

    @Test
    void ipv6InBrackets() {
        NbdUri u = NbdUri.parse("nbd://[::1]:10809/e");
        assertEquals("::1", u.host());
        assertEquals("nbd://[::1]:10809/e", u.toString());
    }

    @Test
    void nbdsMeansTls() {
        NbdUri u = NbdUri.parse("nbds://server/secure");
        assertTrue(u.tls());
        assertEquals("secure", u.export());
        assertFalse(NbdUri.parse("nbd://server/x").tls());
    }

    @Test
    void unixSocket() {
        NbdUri u = NbdUri.parse("nbd+unix:///disk?socket=/run/nbd%20s.sock");
        assertNull(u.host());
        assertEquals(Path.of("/run/nbd s.sock"), u.socket());
        assertEquals("disk", u.export());
        assertEquals("", NbdUri.parse("nbd+unix://?socket=/tmp/s").export());
        assertTrue(NbdUri.parse("nbds+unix:///x?socket=/tmp/s").tls());
    }

    @Test
    void configCarriesProtocolAndAddress() {
        ClientConfig c = NbdUri.parse("nbd+unix:///d?socket=/tmp/s").toConfig().build();
        assertEquals(Protocol.NBD, c.protocol());
        assertEquals(Path.of("/tmp/s"), c.unixSocket());
        assertEquals("nbd+unix:///d?socket=/tmp/s", c.target());
        ClientConfig t = NbdUri.parse("nbd://10.0.0.1/e").toConfig().build();
        assertEquals("10.0.0.1", t.host());
        assertEquals(10809, t.port());
        assertEquals("nbd://10.0.0.1:10809/e", t.target());
    }

    @Test
    void matchesOnlyNbdSchemes() {
        assertTrue(NbdUri.matches("nbd://h/"));
        assertTrue(NbdUri.matches("nbds+unix:///e?socket=/s"));
        assertFalse(NbdUri.matches("dst://h/e"));
        assertFalse(NbdUri.matches("127.0.0.1:7070/e"));
    }

    @Test
    void badUrisAreRefusedWithAReason() {
        assertThrows(IllegalArgumentException.class, () -> NbdUri.parse("nbd+unix:///e"), "no socket");
        assertThrows(IllegalArgumentException.class, () -> NbdUri.parse("nbd+unix://host/e?socket=/s"), "host with unix");
        assertThrows(IllegalArgumentException.class, () -> NbdUri.parse("nbd://h/e?socket=/s"), "socket without +unix");
        assertThrows(IllegalArgumentException.class, () -> NbdUri.parse("nbd+vsock://1/e"), "vsock");
        assertThrows(IllegalArgumentException.class, () -> NbdUri.parse("nbd:///e"), "no host");
        assertThrows(IllegalArgumentException.class, () -> NbdUri.parse("nbds://h/e?tls-certificates=/x"), "tls-*");
        assertThrows(IllegalArgumentException.class, () -> NbdUri.parse("nbd://user@h/e"), "PSK user");
        assertThrows(IllegalArgumentException.class, () -> NbdUri.parse("nbd://h:99999/e"), "port");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NbdUri.parse("nbd+unix:///e?socket="));
        assertTrue(e.getMessage().contains("socket"), e.getMessage());
    }
}
