package dst.nativebridge;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class CurrentThreadTest {
    private static final int PR_GET_IO_FLUSHER = 58;
    private static final int CAP_SYS_RESOURCE = 24;

    /**
     * With CAP_SYS_RESOURCE the flag is set on the calling thread only (the kernel reports it there, not on another
     * thread; PR_GET_IO_FLUSHER needs the capability too); without it the kernel refuses with EPERM, which the ublk queue logs and lives with.
     */
    @Test
    void setIoFlusherMarksOnlyTheCallingThreadOrIsRefusedWithEperm() throws Exception {
        CompletableFuture<Integer> marked = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                CurrentThread.setIoFlusher();
                marked.complete(LibC.INSTANCE.prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0));
            } catch (Throwable e) {
                marked.completeExceptionally(e);
            }
        });
        t.start();
        if (hasCapability(CAP_SYS_RESOURCE)) {
            assertEquals(1, marked.get(10, TimeUnit.SECONDS), "PR_GET_IO_FLUSHER on the marked thread");
            assertEquals(0, LibC.INSTANCE.prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0), "another thread is not marked");
        } else {
            Throwable e = marked.handle((v, err) -> err).get(10, TimeUnit.SECONDS);
            NativeException refused = assertInstanceOf(NativeException.class, e);
            assertEquals(1 /* EPERM */, refused.errno(), refused.getMessage());
        }
    }

    private static boolean hasCapability(int cap) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) >>> cap & 1) != 0;
        }
        return false;
    }
}
