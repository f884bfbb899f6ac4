package dst.client.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Who uses a block device: mounts of it (from {@code /proc/self/mountinfo}, matched by device number, so
 * that any name of the device counts), stacked devices holding it ({@code /sys/class/block/X/holders}) and mounted
 * btrfs filesystems it is a member of ({@code /sys/fs/btrfs/FSID/devices/X}: btrfs mounts show an anonymous device
 * number in mountinfo, and a second raid1 leg appears there not at all).
 * Pure file reads: no native calls, no tools.
 */
public final class DeviceUsers {
    private DeviceUsers() {
    }

    /** The mount points where {@code device} (e.g. {@code /dev/loop3}) is mounted; empty when none. */
    public static List<String> mountPoints(Path device) throws IOException {
        String majorMinor = majorMinor(device);
        List<String> points = new ArrayList<>();
        if (majorMinor == null) return points;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            // 36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
            String[] f = line.split(" ");
            if (f.length > 4 && f[2].equals(majorMinor)) points.add(unescape(f[4]));
        }
        return points;
    }

    /** Devices stacked on {@code device} (device-mapper, md, ...); empty when none. */
    public static List<String> holders(Path device) throws IOException {
        Path dir = Path.of("/sys/class/block", device.getFileName().toString(), "holders");
        if (!Files.isDirectory(dir)) return List.of();
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Mounted btrfs filesystems (their fsid) that have {@code device} as a member; empty when none. */
    public static List<String> btrfsMemberships(Path device) throws IOException {
        Path fs = Path.of("/sys/fs/btrfs");
        if (!Files.isDirectory(fs)) return List.of();
        String name = device.getFileName().toString();
        try (var s = Files.list(fs)) {
            return s.filter(d -> Files.exists(d.resolve("devices").resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .map(d -> "btrfs " + d.getFileName()).sorted().toList();
        }
    }

    /** A sentence naming every user of {@code device}, or null when nothing uses it. */
    public static String describeUse(Path device) throws IOException {
        List<String> mounts = mountPoints(device);
        List<String> holders = new ArrayList<>(holders(device));
        holders.addAll(btrfsMemberships(device));
        if (mounts.isEmpty() && holders.isEmpty()) return null;
        StringBuilder s = new StringBuilder(device.toString()).append(" is in use:");
        if (!mounts.isEmpty()) s.append(" mounted on ").append(String.join(", ", mounts));
        if (!holders.isEmpty()) s.append(mounts.isEmpty() ? "" : ";").append(" held by ").append(String.join(", ", holders));
        return s.toString();
    }

    /** {@code MAJOR:MINOR} of a block device from sysfs, or null when the kernel does not know it. */
    static String majorMinor(Path device) throws IOException {
        Path dev = Path.of("/sys/class/block", device.getFileName().toString(), "dev");
        return Files.exists(dev) ? Files.readString(dev).trim() : null;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException ignored) {
                    // not an escape: keep the backslash
                }
            }
            out.append(c);
        }
        return out.toString();
    }
}
