package dst.client.cli;

import dst.client.daemon.RunDir;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where attached devices keep their records (a picocli mixin shared by attach, detach, list and status). */
public final class RunDirOption {
    @Option(names = "--run-dir", paramLabel = "DIR", defaultValue = "${env:DST_RUN_DIR:-" + RunDir.DEFAULT + "}",
            description = "State directory of attached devices (default: $DST_RUN_DIR or " + RunDir.DEFAULT + ").")
    Path dir;

    RunDir get() {
        return new RunDir(dir);
    }
}
