package dst.server.backend;

import dst.nativebridge.NativeFile;
import dst.protocol.DstException;
import dst.protocol.Errno;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A block device: a {@link FileBackend} whose size comes from sysfs (FileChannel.size() is 0 there). */
public final class BlockDeviceBackend {
    private BlockDeviceBackend() {
    }

    public static FileBackend open(Path device, boolean readOnly) throws IOException {
        long size = deviceSize(device);
        FileChannel ch = readOnly ? FileChannel.open(device, StandardOpenOption.READ)
                : FileChannel.open(device, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            return new FileBackend("blockdev", device, ch, NativeFile.open(device, !readOnly), size);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Size in bytes from /sys/dev/block/MAJOR:MINOR/size (512-byte sectors). */
    static long deviceSize(Path device) throws IOException {
        Object rdev = Files.getAttribute(device, "unix:rdev");
        long dev = ((Number) rdev).longValue();
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        Path sysfs = Path.of("/sys/dev/block/" + major + ":" + minor + "/size");
        if (!Files.exists(sysfs)) {
            throw new DstException(Errno.ENOENT, "cannot size block device " + device + ": " + sysfs + " missing");
        }
        return Long.parseLong(Files.readString(sysfs).trim()) * 512;
    }
}
