package dst.client.cli;

import dst.client.daemon.RunDir;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where attached devices keep their records (a picocli mixin shared by attach, detach, restart, list and status). */
public final class RunDirOption {
    @Option(names = "--run-dir", paramLabel = "DIR", defaultValue = "${env:DST_RUN_DIR:-" + RunDir.DEFAULT + "}",
            description = "State directory of attached devices (default: $DST_RUN_DIR or " + RunDir.DEFAULT + ").")
    Path dir;

    RunDir get() {
        return new RunDir(dir);
    }

    /** The attached device {@code which} names (its name or its device path); a usage error when there is none. */
    dst.client.daemon.DeviceRecord find(String which) throws java.io.IOException {
        return get().find(which).orElseThrow(() -> new IllegalArgumentException("no attached device '" + which + "' (see dst-client list)"));
    }
}
