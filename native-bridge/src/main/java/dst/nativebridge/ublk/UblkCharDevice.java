package dst.nativebridge.ublk;

import dst.protocol.Errno;
import dst.nativebridge.LibC;
import dst.nativebridge.NativeException;

import java.io.Closeable;
import java.util.OptionalInt;

/**
 * {@code /dev/ublkcN}: the channel through which one device's queues fetch and commit requests.
 * Opened after ADD_DEV (or START_USER_RECOVERY); the node may take a moment to appear.
 * Closing it is what tells the kernel its server is gone.
 */
public final class UblkCharDevice implements Closeable {
    private final int devId;
    private final int fd;
    private boolean closed;

    private UblkCharDevice(int devId, int fd) {
        this.devId = devId;
        this.fd = fd;
    }

    private static final String BLOCK_PREFIX = "/dev/ublkb";

    public static String path(int devId) {
        return "/dev/ublkc" + devId;
    }

    /** The block device the kernel shows users, {@code /dev/ublkbN}. */
    public static String blockPath(int devId) {
        return BLOCK_PREFIX + devId;
    }

    /** The N of {@code /dev/ublkbN}, or empty when {@code path} is not a ublk block device path. */
    public static OptionalInt devIdOf(String path) {
        if (!path.startsWith(BLOCK_PREFIX) || path.length() == BLOCK_PREFIX.length()) return OptionalInt.empty();
        String n = path.substring(BLOCK_PREFIX.length());
        if (!n.chars().allMatch(Character::isDigit) || n.length() > 9) return OptionalInt.empty();
        return OptionalInt.of(Integer.parseInt(n));
    }

    /** Opens {@code /dev/ublkcN}, waiting up to {@code waitMillis} for devtmpfs/udev to create it. */
    public static UblkCharDevice open(int devId, long waitMillis) throws NativeException {
        String path = path(devId);
        long deadline = System.nanoTime() + waitMillis * 1_000_000;
        while (true) {
            int fd = LibC.INSTANCE.open(path, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
            if (fd >= 0) {
                return new UblkCharDevice(devId, fd);
            }
            int errno = LibC.errno();
            if (errno != Errno.ENOENT || System.nanoTime() > deadline) {
                throw new NativeException("open(" + path + ")", errno);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NativeException("open(" + path + ") interrupted", 4);
            }
        }
    }

    public int devId() {
        return devId;
    }

    int fd() {
        return fd;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.close(fd);
        }
    }
}
