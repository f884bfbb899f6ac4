package dst.server.export;

import dst.protocol.ExportName;
import dst.runtime.cli.Sizes;

import java.util.Locale;

/**
 * One {@code --export NAME=PATH[,ro][,size=SIZE][,block=512|4096][,allow=ID:MODE+...][,delay-write=MS[,delay-count=N]]}
 * argument. {@code PATH} is a file (created sparse with {@code size=} when missing), a block device,
 * or {@code mem:SIZE}. {@code allow=} lists who may use the export (see {@link ExportAccess}); a
 * bare {@code ID:MODE} option after it adds one more rule, so {@code allow=alice:rw,bob:ro} also
 * reads. {@code delay-write} slows writes down on purpose (fault-injection tests, slow-disk
 * emulation); {@code delay-count} limits that to the first N writes.
 */
public record ExportSpec(String name, String path, boolean readOnly, long size, int blockSize, long writeDelayMillis,
                         long writeDelayCount, ExportAccess access) {
    public ExportSpec(String name, String path, boolean readOnly, long size, int blockSize) {
        this(name, path, readOnly, size, blockSize, 0, 0, ExportAccess.EVERYONE);
    }

    public ExportSpec(String name, String path, boolean readOnly, long size, int blockSize, long writeDelayMillis,
                      long writeDelayCount) {
        this(name, path, readOnly, size, blockSize, writeDelayMillis, writeDelayCount, ExportAccess.EVERYONE);
    }

    public ExportSpec {
        ExportName.check("export name", name);
        if (blockSize != 512 && blockSize != 4096) {
            throw new IllegalArgumentException("block size must be 512 or 4096, not " + blockSize);
        }
    }

    public boolean isMemory() {
        return path.startsWith("mem:");
    }

    public static ExportSpec parse(String arg) {
        int eq = arg.indexOf('=');
        if (eq <= 0 || eq == arg.length() - 1) {
            throw new IllegalArgumentException("--export wants NAME=PATH[,ro][,size=SIZE][,block=512|4096][,allow=ID:MODE+...], got '" + arg + "'");
        }
        String name = arg.substring(0, eq);
        String[] parts = arg.substring(eq + 1).split(",");
        String path = parts[0];
        boolean ro = false;
        long size = 0;
        int block = 512;
        ExportAccess access = ExportAccess.EVERYONE;
        long delay = 0;
        long delayCount = 0;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            String key = p.contains("=") ? p.substring(0, p.indexOf('=')).toLowerCase(Locale.ROOT) : p.toLowerCase(Locale.ROOT);
            String value = p.contains("=") ? p.substring(p.indexOf('=') + 1) : "";
            if (!p.contains("=") && ExportAccess.isRule(p)) {
                access = access.plus(p);
                continue;
            }
            switch (key) {
                case "ro" -> ro = true;
                case "rw" -> ro = false;
                case "size" -> size = Sizes.parse(value);
                case "block" -> block = (int) Sizes.parse(value);
                case "allow" -> access = access.plus(value);
                case "delay-write" -> delay = Long.parseLong(value.replace("ms", ""));
                case "delay-count" -> delayCount = Long.parseLong(value);
                default -> throw new IllegalArgumentException("unknown export option '" + p + "' in '" + arg
                        + "' (known: ro, rw, size=, block=, allow=ID:ro|rw+..., delay-write=, delay-count=)");
            }
        }
        if (path.startsWith("mem:")) {
            size = Sizes.parse(path.substring(4));
            if (size <= 0) throw new IllegalArgumentException("mem: export needs a size, e.g. mem:1G");
        }
        if (size % block != 0) {
            throw new IllegalArgumentException("export size " + size + " is not a multiple of the block size " + block);
        }
        return new ExportSpec(name, path, ro, size, block, delay, delayCount, access);
    }
}
