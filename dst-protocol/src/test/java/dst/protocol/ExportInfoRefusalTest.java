package dst.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The one request rule every layer applies: which errno for which bad request. */
class ExportInfoRefusalTest {
    private static final long SIZE = 1 << 20;
    private static final ExportInfo RW = new ExportInfo("d", SIZE, 512, 1 << 20, false, 0, 1, 1, 1);
    private static final ExportInfo RO = new ExportInfo("d", SIZE, 512, 1 << 20, true, 0, 1, 1, 1);

    private static Integer errno(ExportInfo info, int op, long offset, long length) {
        DstException e = info.refusal(op, offset, length);
        return e == null ? null : e.errno();
    }

    @Test
    void requestsInsideTheExportPass() {
        for (int op : new int[]{Opcode.READ, Opcode.WRITE, Opcode.TRIM, Opcode.WRITE_ZEROES}) {
            assertNull(errno(RW, op, 0, SIZE), Opcode.name(op));
            assertNull(errno(RW, op, SIZE - 512, 512), Opcode.name(op));
            assertNull(errno(RW, op, SIZE, 0), Opcode.name(op) + ": zero length at the end");
        }
        assertNull(errno(RW, Opcode.FLUSH, -1, -1), "FLUSH has no range");
        assertNull(errno(RO, Opcode.FLUSH, 0, 0), "FLUSH on a read-only grant is fine");
        assertNull(errno(RO, Opcode.READ, 0, 4096));
    }

    @Test
    void storingPastTheEndIsEnospcAnythingElseEinval() {
        assertEquals(Errno.ENOSPC, errno(RW, Opcode.WRITE, SIZE, 512));
        assertEquals(Errno.ENOSPC, errno(RW, Opcode.WRITE, SIZE - 256, 512));
        assertEquals(Errno.ENOSPC, errno(RW, Opcode.WRITE_ZEROES, 0, SIZE + 1));
        assertEquals(Errno.ENOSPC, errno(RW, Opcode.WRITE, Long.MAX_VALUE, 512), "no overflow in offset + length");
        assertEquals(Errno.EINVAL, errno(RW, Opcode.READ, SIZE - 256, 512));
        assertEquals(Errno.EINVAL, errno(RW, Opcode.TRIM, SIZE, 4096));
        assertEquals(Errno.EINVAL, errno(RW, Opcode.READ, SIZE + 1, 0));
        assertEquals(Errno.EINVAL, errno(RW, Opcode.WRITE, -512, 512), "a negative offset is a bad argument, not a full disk");
        assertEquals(Errno.EINVAL, errno(RW, Opcode.READ, 0, -1));
    }

    @Test
    void changesToAReadOnlyGrantAreErofsBeforeAnyRangeCheck() {
        for (int op : new int[]{Opcode.WRITE, Opcode.TRIM, Opcode.WRITE_ZEROES}) {
            assertEquals(Errno.EROFS, errno(RO, op, 0, 512), Opcode.name(op));
            assertEquals(Errno.EROFS, errno(RO, op, SIZE, 512), Opcode.name(op));
        }
        assertEquals(Errno.EPERM, Errno.onWire(Errno.EROFS), "the wire carries NBD's read-only error");
        assertEquals(Errno.ENOSPC, Errno.onWire(Errno.ENOSPC));
    }

    @Test
    void unknownOpcodesAreEopnotsupp() {
        assertEquals(Errno.EOPNOTSUPP, errno(RW, Opcode.PING, 0, 0));
        assertEquals(Errno.EOPNOTSUPP, errno(RW, Opcode.CONNECTION_ERROR, 0, 0));
        assertEquals(Errno.EOPNOTSUPP, errno(RO, 0x7f, 0, 512));
        DstException e = assertThrows(DstException.class, () -> RW.check(Opcode.WRITE, SIZE, 1));
        assertEquals(Errno.ENOSPC, e.errno());
    }
}
