package dst.server.export;

import dst.server.backend.Backend;
import dst.server.backend.BlockDeviceBackend;
import dst.server.backend.DelayFilter;
import dst.server.backend.FileBackend;
import dst.server.backend.MemoryBackend;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * A named export: its backend plus what the handshake advertises. {@link #id()} is random per
 * opening, so a client that reconnects to a server serving a different disk under the same name
 * (a memory export after a restart, say) can tell, and must not carry on as if nothing happened.
 * File and block device exports keep their content across restarts, so their id is derived from
 * the path and size instead.
 */
public final class Export implements Closeable {
    private final ExportSpec spec;
    private final Backend backend;
    private final long id;
    /** Rules from the access file ({@code --access-file}), replacing the command line's; null: the command line's. */
    private volatile ExportAccess accessOverride;

    public Export(ExportSpec spec, Backend backend, long id) {
        this.spec = spec;
        this.backend = backend;
        this.id = id;
    }

    public static Export open(ExportSpec spec) throws IOException {
        Backend backend;
        long id;
        if (spec.isMemory()) {
            backend = new MemoryBackend(spec.size());
            id = new SecureRandom().nextLong();
        } else {
            Path path = Path.of(spec.path());
            if (Files.exists(path) && !Files.isRegularFile(path) && !Files.isDirectory(path)) {
                backend = BlockDeviceBackend.open(path, spec.readOnly());
            } else {
                backend = FileBackend.openFile(path, spec.size(), spec.readOnly());
            }
            id = (path.toAbsolutePath().normalize().toString() + "#" + backend.size()).hashCode() * 0x9E3779B97F4A7C15L;
        }
        if (spec.writeDelayMillis() > 0) {
            backend = new DelayFilter(backend, java.time.Duration.ofMillis(spec.writeDelayMillis()), spec.writeDelayCount());
        }
        if (backend.size() % spec.blockSize() != 0) {
            long s = backend.size();
            backend.close();
            throw new IOException(spec.path() + ": size " + s + " is not a multiple of the block size " + spec.blockSize());
        }
        return new Export(spec, backend, id);
    }

    public String name() {
        return spec.name();
    }

    public Backend backend() {
        return backend;
    }

    public boolean readOnly() {
        return spec.readOnly();
    }

    /** Who may connect, read, write: the access file's rules for this export when it has some, else the command line's. */
    public ExportAccess access() {
        ExportAccess override = accessOverride;
        return override != null ? override : spec.access();
    }

    /** Replaces the rules of the command line's {@code allow=} with {@code rules} (null: back to the command line's). */
    public void overrideAccess(ExportAccess rules) {
        this.accessOverride = rules;
    }

    public int blockSize() {
        return spec.blockSize();
    }

    public long size() {
        return backend.size();
    }

    public long id() {
        return id;
    }

    @Override
    public void close() throws IOException {
        backend.close();
    }

    @Override
    public String toString() {
        return name() + " (" + backend.describe() + ", " + size() + " bytes" + (readOnly() ? ", read-only" : "")
                + (access().restricted() ? ", " + access() : "") + ")";
    }
}
