package dst.runtime.transport;

import io.netty.channel.unix.DomainSocketAddress;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one address syntax server and client share. */
class TransportParseTest {
    private static InetSocketAddress tcp(String spec) {
        return (InetSocketAddress) Transport.parse(spec, Transport.DEFAULT_PORT).address();
    }

    @Test
    void hostWithAndWithoutPortIsTcpAndNotResolvedYet() {
        assertEquals(InetSocketAddress.createUnresolved("127.0.0.1", 9000), tcp("127.0.0.1:9000"));
        assertEquals(InetSocketAddress.createUnresolved("server.example", Transport.DEFAULT_PORT), tcp("server.example"));
        assertTrue(tcp("server.example:1").isUnresolved(), "parsing does no DNS lookup");
        assertEquals(InetSocketAddress.createUnresolved("0.0.0.0", 7000), tcp(":7000"));
        assertEquals("127.0.0.1:0", Transport.parse("127.0.0.1:0", 1).describe());
    }

    @Test
    void ipv6InBracketsOrBare() {
        assertEquals(InetSocketAddress.createUnresolved("::1", 9000), tcp("[::1]:9000"));
        assertEquals(InetSocketAddress.createUnresolved("::1", Transport.DEFAULT_PORT), tcp("[::1]"));
        assertEquals(InetSocketAddress.createUnresolved("fe80::1", Transport.DEFAULT_PORT), tcp("fe80::1"));
        assertEquals("[::1]:9000", Transport.parse("[::1]:9000", 1).describe());
    }

    @Test
    void unixPrefixNamesASocketFile() {
        Transport t = Transport.parse("unix:/run/dst.sock", Transport.DEFAULT_PORT);
        assertEquals("/run/dst.sock", ((DomainSocketAddress) t.address()).path());
        assertEquals("unix:/run/dst.sock", t.describe());
        assertThrows(IllegalArgumentException.class, () -> Transport.parse("unix:", 1));
    }

    @Test
    void badPortsAndPathsAreRefused() {
        for (String bad : new String[]{"host:port", "host:70000", "host:-1", "host/x:1", "a/b"}) {
            assertThrows(IllegalArgumentException.class, () -> Transport.parse(bad, 1), bad);
        }
    }

    @Test
    void resolvedAddressLooksTheNameUp() {
        InetSocketAddress r = (InetSocketAddress) Transport.parse("127.0.0.1:5", 1).resolvedAddress();
        assertTrue(!r.isUnresolved() && r.getAddress().isLoopbackAddress(), r.toString());
    }
}
