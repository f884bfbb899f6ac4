package dst.client.daemon;

import dst.protocol.ExportName;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The state directory of attached devices (default {@code /run/dst}): per device NAME a directory
 * {@code NAME/} holding its {@code state} record and the FUSE mount point {@code fuse/}, and its log
 * {@code NAME.log} beside it (kept after detach, for post-mortems). A device's directory is claimed
 * atomically by creating it, so two attaches cannot pick the same name.
 */
public final class RunDir {
    public static final String DEFAULT = "/run/dst";

    private final Path root;

    public RunDir(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public Path deviceDir(String name) {
        return root.resolve(name);
    }

    public Path stateFile(String name) {
        return deviceDir(name).resolve("state");
    }

    /**
     * Where the process serving device {@code name} keeps the id of its session on the server, for the process that
     * takes the device over (restart, FUSE handover, ublk recovery): it resumes that session and so keeps the write
     * claim, fencing the old connection (PROTOCOL.md §5.2). Mode 0600: the id is half of what resuming needs (the
     * identity is the other half).
     */
    public Path sessionFile(String name) {
        return deviceDir(name).resolve("session");
    }

    /** Persists {@code id} as device {@code name}'s session (atomically, mode 0600). */
    public void saveSession(String name, long id) throws IOException {
        Path file = sessionFile(name);
        Path tmp = file.resolveSibling("session.tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, Long.toHexString(id) + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The session device {@code name}'s (previous) serving process persisted, or 0 when there is none (or it is unreadable). */
    public long savedSession(String name) {
        try {
            return Long.parseUnsignedLong(Files.readString(sessionFile(name)).trim(), 16);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    public Path logFile(String name) {
        return root.resolve(name + ".log");
    }

    public Path defaultMountPoint(String name) {
        return deviceDir(name).resolve("fuse");
    }

    /**
     * Claims {@code wanted}, or when it is taken and {@code exact} is false, the first free of
     * {@code wanted-2}, {@code wanted-3}, ... A name whose process is gone is reclaimed.
     *
     * @return the claimed name
     */
    public String claim(String wanted, boolean exact) throws IOException {
        ExportName.check("device name", wanted); // the export's name by default, and a directory here either way
        Files.createDirectories(root);
        for (int i = 1; i < 1000; i++) {
            String name = i == 1 ? wanted : wanted + "-" + i;
            try {
                Files.createDirectory(deviceDir(name));
                return name;
            } catch (FileAlreadyExistsException e) {
                if (isStale(name)) {
                    removeDeviceDir(name);
                    i--; // try the same name again
                    continue;
                }
                if (exact) throw new IllegalArgumentException("a device named '" + name + "' is already attached (see dst-client list)");
            }
        }
        throw new IOException("no free device name for " + wanted + " in " + root);
    }

    /**
     * A device directory whose serving process is gone (or that never got a record, after a minute), and whose
     * device is not waiting for a new one ({@link DeviceRecord#waiting}: only {@code attach --name} takes that).
     */
    boolean isStale(String name) throws IOException {
        Path state = stateFile(name);
        if (!Files.exists(state)) {
            Path dir = deviceDir(name);
            return Files.exists(dir) && System.currentTimeMillis() - Files.getLastModifiedTime(dir).toMillis() > 60_000;
        }
        DeviceRecord r = DeviceRecord.read(state);
        return !r.processAlive() && !r.waiting();
    }

    /**
     * Removes a device's directory (the record and the empty mount point), unless its device waits for a new daemon
     * (then the record is what a new daemon needs, and the mount point is live: walking into it would hang).
     */
    public void removeDeviceDir(String name) throws IOException {
        Path dir = deviceDir(name);
        if (!Files.exists(dir)) return;
        if (Files.exists(stateFile(name)) && DeviceRecord.read(stateFile(name)).waiting()) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Every device with a record, sorted by name. */
    public List<DeviceRecord> records() throws IOException {
        List<DeviceRecord> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (Stream<Path> s = Files.list(root)) {
            for (Path dir : s.filter(Files::isDirectory).sorted().toList()) {
                Path state = dir.resolve("state");
                if (Files.exists(state)) {
                    try {
                        out.add(DeviceRecord.read(state));
                    } catch (IOException e) {
                        // being replaced right now, or gone: skip it
                    }
                }
            }
        }
        return out;
    }

    /** The device named {@code nameOrDevice}, or attached as that device path (e.g. {@code /dev/loop3}). */
    public Optional<DeviceRecord> find(String nameOrDevice) throws IOException {
        for (DeviceRecord r : records()) {
            if (r.name().equals(nameOrDevice) || (!r.device().isEmpty() && r.device().equals(nameOrDevice))) return Optional.of(r);
        }
        return Optional.empty();
    }
}
