package dst.protocol.auth;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proofs of the challenge-response, pinned to their documented layout (PROTOCOL.md §7.1). */
class AuthProofTest {
    private static final byte[] KEY = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final byte[] NC = new byte[32];
    private static final byte[] NS = new byte[32];

    static {
        for (int i = 0; i < 32; i++) {
            NC[i] = (byte) i;
            NS[i] = (byte) (0xFF - i);
        }
    }

    @Test
    void clientProofIsTheDocumentedHmac() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        mac.update("dst-client".getBytes());
        mac.update(new byte[]{0, 32});
        mac.update(NC);
        mac.update(new byte[]{0, 32});
        mac.update(NS);
        mac.update(new byte[]{0, 5});
        mac.update("alice".getBytes());
        mac.update(new byte[]{0, 5});
        mac.update("disk0".getBytes());
        assertArrayEquals(mac.doFinal(), AuthProof.client(KEY, NC, NS, "alice", "disk0"));
    }

    @Test
    void everyInputChangesTheProof() {
        byte[] p = AuthProof.client(KEY, NC, NS, "alice", "disk0");
        assertEquals(AuthProof.PROOF_LENGTH, p.length);
        assertFalse(AuthProof.matches(p, AuthProof.server(KEY, NC, NS, "alice", "disk0")), "client and server proofs differ");
        assertFalse(AuthProof.matches(p, AuthProof.client(KEY, NS, NC, "alice", "disk0")), "nonces swapped");
        assertFalse(AuthProof.matches(p, AuthProof.client(KEY, NC, NS, "alicedisk", "0")), "field boundaries are length-prefixed");
        assertFalse(AuthProof.matches(p, AuthProof.client(KEY, NC, NS, "alice", "disk1")));
        byte[] other = KEY.clone();
        other[31] ^= 1;
        assertFalse(AuthProof.matches(p, AuthProof.client(other, NC, NS, "alice", "disk0")));
        assertTrue(AuthProof.matches(p, AuthProof.client(KEY, NC, NS, "alice", "disk0")));
        assertFalse(AuthProof.matches(p, null));
        assertFalse(AuthProof.matches(p, new byte[5]));
    }

    @Test
    void keysAreSixtyFourHexDigitsAndKeyFilesMustBePrivate(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        byte[] k = ClientKey.generate();
        assertArrayEquals(k, ClientKey.parse(ClientKey.toText(k).toUpperCase() + "\n"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ClientKey.parse("secret-123"));
        assertFalse(bad.getMessage().contains("secret-123"), "the message never echoes what might be a secret");
        Path f = dir.resolve("k");
        ClientKey.write(f, k);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertArrayEquals(k, ClientKey.read(f));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        assertThrows(java.io.IOException.class, () -> ClientKey.read(f));
    }
}
