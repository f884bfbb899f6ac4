package dst.it.security;

import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.FakeServer;
import dst.it.harness.FaultProxy;
import dst.it.harness.Io;
import dst.it.harness.RawConnection;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.HandshakeFrame;
import dst.protocol.Hello;
import dst.protocol.Tlv;
import dst.protocol.auth.AuthProof;
import dst.protocol.auth.ClientKey;
import dst.server.auth.ServerSecurity;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mutual HMAC challenge-response over real loopback sockets, against real and impostor peers. */
class MutualAuthenticationTest {
    private static final String EXPORT = "d0=mem:4M";

    @Test
    void rightKeyIsServed() throws Exception {
        try (SecureServer s = SecureServer.start(SecureServer.keysOnly(), EXPORT);
             RemoteDisk disk = RemoteDisk.connect(s.client("d0", "alice", SecureServer.ALICE))) {
            Io.writeAndVerify(disk, 4096, 1, 64 * 1024);
        }
    }

    @Test
    void wrongKeyIsRefusedWithEacces() throws Exception {
        try (SecureServer s = SecureServer.start(SecureServer.keysOnly(), EXPORT)) {
            DstException e = assertThrows(DstException.class, () -> RemoteDisk.connect(s.client("d0", "alice", SecureServer.BOB)));
            assertEquals(Errno.EACCES, e.errno(), e.getMessage());
            assertEquals("authentication failed", e.reason());
        }
    }

    @Test
    void unknownIdentityIsRefusedLikeAWrongKey() throws Exception {
        try (SecureServer s = SecureServer.start(SecureServer.keysOnly(), EXPORT)) {
            DstException e = assertThrows(DstException.class, () -> RemoteDisk.connect(s.client("d0", "mallory", ClientKey.generate())));
            assertEquals(Errno.EACCES, e.errno(), e.getMessage());
            assertEquals("authentication failed", e.reason(), "must not tell an unknown name from a wrong key");
        }
    }

    @Test
    void anonymousClientIsRefusedWhenKeysAreRequired() throws Exception {
        try (SecureServer s = SecureServer.start(SecureServer.keysOnly(), EXPORT)) {
            DstException e = assertThrows(DstException.class, () -> RemoteDisk.connect(s.client("d0", null, null)));
            assertEquals(Errno.EACCES, e.errno(), e.getMessage());
        }
    }

    @Test
    void unknownExportIsOnlyToldAfterLogin() throws Exception {
        try (SecureServer s = SecureServer.start(SecureServer.keysOnly(), EXPORT)) {
            DstException anon = assertThrows(DstException.class, () -> RemoteDisk.connect(s.client("nope", null, null)));
            assertEquals(Errno.EACCES, anon.errno(), "an unauthenticated peer must not learn which exports exist");
            DstException known = assertThrows(DstException.class, () -> RemoteDisk.connect(s.client("nope", "alice", SecureServer.ALICE)));
            assertEquals(Errno.ENOENT, known.errno(), known.getMessage());
        }
    }

    /** A client without the key cannot get in with a made-up proof, nor with one recorded from a real login. */
    @Test
    void clientWithoutTheKeyCannotCompleteTheHandshake() throws Exception {
        try (SecureServer s = SecureServer.start(SecureServer.keysOnly(), EXPORT)) {
            byte[] recorded;
            byte[] nc = AuthProof.nonce();
            try (RawConnection real = RawConnection.connect(s.port())) {
                real.send(new Hello("d0", 0, 0, 1 << 20, 0, "raw", "alice", nc).toFrame());
                byte[] ns = real.receive().bytes(Tlv.NONCE).orElseThrow();
                recorded = AuthProof.client(SecureServer.ALICE, nc, ns, "alice", "d0");
                real.send(HandshakeFrame.builder(HandshakeFrame.AUTH).bytes(Tlv.PROOF, recorded).build());
                assertEquals(HandshakeFrame.WELCOME, real.receive().type());
            }
            try (RawConnection replay = RawConnection.connect(s.port())) {
                replay.send(new Hello("d0", 0, 0, 1 << 20, 0, "raw", "alice", nc).toFrame());
                assertEquals(HandshakeFrame.CHALLENGE, replay.receive().type());
                replay.send(HandshakeFrame.builder(HandshakeFrame.AUTH).bytes(Tlv.PROOF, recorded).build());
                HandshakeFrame answer = replay.receive();
                assertEquals(HandshakeFrame.ERROR, answer.type(), "a replayed proof must not work: the server nonce is fresh");
                assertEquals(Errno.EACCES, answer.u32(Tlv.ERRNO).orElseThrow());
                assertNull(replay.receive(), "one error frame, then the server closes");
            }
        }
    }

    /** An impostor server that skips the challenge is refused by the client. */
    @Test
    void clientRefusesAServerThatDoesNotChallenge() throws Exception {
        try (FakeServer fake = new FakeServer(peer -> {
            peer.receive();
            peer.send(new ExportInfo("d0", 1 << 20, 512, 1 << 20, false, 0, 1, 1, 1).toWelcome());
        })) {
            DstException e = assertThrows(DstException.class,
                    () -> RemoteDisk.connect(SecureServer.client(fake.port(), "d0", "alice", SecureServer.ALICE)));
            assertEquals(Errno.EACCES, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("without challenging"), e.getMessage());
        }
    }

    /** An impostor server that challenges but cannot know the key cannot make a valid proof. */
    @Test
    void clientRefusesAServerThatDoesNotKnowTheKey() throws Exception {
        try (FakeServer fake = new FakeServer(peer -> {
            peer.receive();
            peer.send(HandshakeFrame.builder(HandshakeFrame.CHALLENGE).bytes(Tlv.NONCE, AuthProof.nonce()).build());
            HandshakeFrame auth = peer.receive();
            assertNotNull(auth.bytes(Tlv.PROOF).orElse(null));
            peer.send(new ExportInfo("d0", 1 << 20, 512, 1 << 20, false, 0, 1, 1, 1).toWelcome(AuthProof.nonce()));
        })) {
            DstException e = assertThrows(DstException.class,
                    () -> RemoteDisk.connect(SecureServer.client(fake.port(), "d0", "alice", SecureServer.ALICE)));
            assertEquals(Errno.EACCES, e.errno(), e.getMessage());
            fake.done.get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A man in the middle relays the real handshake but alters the server's proof in WELCOME: the
     * client notices. (Without the key it cannot forge the proof either way.)
     */
    @Test
    void clientRefusesATamperedServerProof() throws Exception {
        try (SecureServer s = SecureServer.start(SecureServer.keysOnly(), EXPORT);
             FakeServer mitm = new FakeServer(client -> {
                 try (RawConnection server = RawConnection.connect(s.port())) {
                     server.send(client.receive());          // HELLO
                     client.send(server.receive());          // CHALLENGE
                     server.send(client.receive());          // AUTH
                     HandshakeFrame welcome = server.receive();
                     assertEquals(HandshakeFrame.WELCOME, welcome.type(), "the relayed login itself is genuine");
                     byte[] proof = welcome.bytes(Tlv.PROOF).orElseThrow();
                     proof[0] ^= 1;
                     HandshakeFrame.Builder b = HandshakeFrame.builder(HandshakeFrame.WELCOME);
                     welcome.options().stream().filter(o -> o.tag() != Tlv.PROOF).forEach(o -> b.bytes(o.tag(), o.value()));
                     client.send(b.bytes(Tlv.PROOF, proof).build());
                 }
             })) {
            DstException e = assertThrows(DstException.class,
                    () -> RemoteDisk.connect(SecureServer.client(mitm.port(), "d0", "alice", SecureServer.ALICE)));
            assertEquals(Errno.EACCES, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("failed to prove"), e.getMessage());
            mitm.done.get(10, TimeUnit.SECONDS);
        }
    }

    /** The client re-handshakes by itself after a cut; the server only takes authenticated clients, so it re-authenticated. */
    @Test
    void reconnectAuthenticatesAgain() throws Exception {
        try (SecureServer s = SecureServer.start(SecureServer.keysOnly(), EXPORT);
             FaultProxy relay = FaultProxy.start(s.port());
             RemoteDisk disk = RemoteDisk.connect(SecureServer.client(relay.port(), "d0", "alice", SecureServer.ALICE))) {
            Io.writeAndVerify(disk, 0, 7, 8192);
            relay.cutAll();
            Io.writeAndVerify(disk, 8192, 8, 8192);
            assertTrue(disk.stats().reconnects.sum() >= 1, "the cut forced a reconnect");
            assertArrayEqualsAt(disk, 0, 7, 8192);
        }
    }

    private static void assertArrayEqualsAt(RemoteDisk disk, long offset, long seed, int length) throws Exception {
        org.junit.jupiter.api.Assertions.assertArrayEquals(Blocks.content(seed, 0, length), Io.read(disk, offset, length));
    }

    /** From the third failure on, an address waits longer and longer for its answer. */
    @Test
    void repeatedFailuresAreSlowedDown() throws Exception {
        try (SecureServer s = SecureServer.start(new ServerSecurity(SecureServer.KEYS, false, null), EXPORT)) {
            long fast = 0;
            long slow = 0;
            for (int i = 1; i <= 5; i++) {
                long t0 = System.nanoTime();
                try (RawConnection c = RawConnection.connect(s.port())) {
                    assertThrows(DstException.class, () -> c.login("d0", "alice", SecureServer.BOB));
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                if (i <= 2) fast = Math.max(fast, ms);
                else slow += ms;
            }
            // failures 3, 4, 5: the AUTH answer waits 100, 200, 400 ms and the next CHALLENGE as long
            assertTrue(slow >= 100 + 200 + 400, "failures 3-5 took " + slow + " ms in all");
            try (RemoteDisk ok = RemoteDisk.connect(s.client("d0", "alice", SecureServer.ALICE))) {
                Io.writeAndVerify(ok, 0, 3, 4096); // the right key still gets in (and clears the count)
            }
        }
    }
}
