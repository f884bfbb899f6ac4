package dst.nativebridge.uring;

import dst.nativebridge.LibC;
import dst.nativebridge.NativeException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Proves the ring works against the host kernel: reads from an eventfd complete with the value written. */
class IoUringTest {

    @Test
    void readOfAnEventfdCompletesThroughTheRing() throws NativeException {
        int efd = LibC.INSTANCE.eventfd(0, LibC.EFD_CLOEXEC);
        try (IoUring ring = IoUring.open(8, true)) {
            ByteBuffer out = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            ByteBuffer in = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            List<long[]> done = new ArrayList<>();
            for (int round = 1; round <= 20; round++) {   // wraps the 8-entry ring more than twice
                ring.nextSqe().read(efd, in.clear(), 1000 + round);
                ring.submit(0);
                out.putLong(0, round);
                assertEquals(8, LibC.INSTANCE.write(efd, out, 8));
                ring.submit(1);
                done.clear();
                ring.drain((userData, res) -> done.add(new long[]{userData, res}));
                assertEquals(1, done.size());
                assertEquals(1000 + round, done.get(0)[0]);
                assertEquals(8, done.get(0)[1]);
                assertEquals(round, in.getLong(0));
            }
        } finally {
            LibC.INSTANCE.close(efd);
        }
    }
}
