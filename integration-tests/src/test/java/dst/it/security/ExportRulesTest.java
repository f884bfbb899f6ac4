package dst.it.security;

import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.Io;
import dst.it.harness.RawConnection;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.Opcode;
import dst.protocol.Reply;
import dst.protocol.Request;
import dst.server.auth.ServerSecurity;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-export rules (allow=alice:rw+bob:ro): who may connect, read, write. */
class ExportRulesTest {
    private static final String SHARED = "shared=mem:1M,allow=alice:rw+bob:ro";

    @Test
    void readWriteIdentityWritesAndReadOnlyIdentityReadsIt() throws Exception {
        try (SecureServer s = SecureServer.start(SecureServer.keysOnly(), SHARED)) {
            try (RemoteDisk alice = RemoteDisk.connect(s.client("shared", "alice", SecureServer.ALICE))) {
                assertFalse(alice.info().readOnly());
                Io.writeAndVerify(alice, 0, 11, 16384);
            }
            try (RemoteDisk bob = RemoteDisk.connect(s.client("shared", "bob", SecureServer.BOB))) {
                assertTrue(bob.info().readOnly(), "WELCOME tells a ro identity the export is read-only for it");
                assertArrayEquals(Blocks.content(11, 0, 16384), Io.read(bob, 0, 16384));
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> bob.write(0, Unpooled.wrappedBuffer(new byte[512]), false).get());
                assertEquals(Errno.EROFS, DstException.errnoOf(e), "the client library refuses locally");
            }
        }
    }

    /** A ro identity that sends a WRITE anyway (ignoring the read-only flag) gets EPERM from the server. */
    @Test
    void readOnlyIdentityGetsEpermOnWrite() throws Exception {
        try (SecureServer s = SecureServer.start(SecureServer.keysOnly(), SHARED);
             RawConnection bob = RawConnection.connect(s.port())) {
            ExportInfo info = bob.login("shared", "bob", SecureServer.BOB);
            assertTrue(info.readOnly());
            for (int op : new int[]{Opcode.WRITE, Opcode.TRIM, Opcode.WRITE_ZEROES}) {
                bob.send(op == Opcode.WRITE ? new Request(op, 0, op, 0, 512, Unpooled.wrappedBuffer(new byte[512]))
                        : new Request(op, 0, op, 0, 512));
                Reply r = bob.readReply();
                try {
                    assertEquals(Errno.EPERM, r.status(), Opcode.name(op) + ": " + r.message());
                    assertTrue(r.message().contains("shared"), "names the export: " + r.message());
                } finally {
                    r.release();
                }
            }
            bob.send(new Request(Opcode.READ, 0, 99, 0, 512));
            Reply read = bob.readReply();
            try {
                assertEquals(Errno.OK, read.status(), "reads still work on the same connection");
            } finally {
                read.release();
            }
        }
    }

    @Test
    void identityNotListedIsRefusedWithTheExportName() throws Exception {
        try (SecureServer s = SecureServer.start(SecureServer.keysOnly(), "private=mem:1M,allow=alice:rw", "open=mem:1M")) {
            DstException e = assertThrows(DstException.class, () -> RemoteDisk.connect(s.client("private", "bob", SecureServer.BOB)));
            assertEquals(Errno.EACCES, e.errno());
            assertTrue(e.getMessage().contains("'private'"), e.getMessage());
            try (RemoteDisk bob = RemoteDisk.connect(s.client("open", "bob", SecureServer.BOB))) {
                Io.writeAndVerify(bob, 0, 5, 4096); // an export without rules admits every authenticated identity
            }
        }
    }

    @Test
    void anonymousOnlyWhereTheRulesSaySo() throws Exception {
        ServerSecurity anonymousToo = new ServerSecurity(SecureServer.KEYS, true, null);
        try (SecureServer s = SecureServer.start(anonymousToo, "public=mem:1M,allow=anonymous:ro+alice:rw", "members=mem:1M,allow=*:rw")) {
            try (RemoteDisk anon = RemoteDisk.connect(s.client("public", null, null))) {
                assertTrue(anon.info().readOnly());
                Io.read(anon, 0, 4096);
            }
            DstException e = assertThrows(DstException.class, () -> RemoteDisk.connect(s.client("members", null, null)));
            assertEquals(Errno.EACCES, e.errno());
            try (RemoteDisk bob = RemoteDisk.connect(s.client("members", "bob", SecureServer.BOB))) {
                Io.writeAndVerify(bob, 0, 6, 4096); // * = any authenticated identity
            }
        }
    }
}
