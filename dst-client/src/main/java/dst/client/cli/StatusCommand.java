package dst.client.cli;

import dst.client.daemon.DeviceRecord;
import dst.client.host.DeviceUsers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;

/** {@code dst-client status}: everything known about one attached device. */
@Command(name = "status", mixinStandardHelpOptions = true, header = "Show one attached device in detail.")
final class StatusCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DEVICE|NAME", description = "e.g. /dev/loop0 or disk0")
    String which;

    @Mixin
    RunDirOption runDir;

    @Override
    public Integer call() throws Exception {
        DeviceRecord r = runDir.get().find(which).orElseThrow(() ->
                new IllegalArgumentException("no attached device '" + which + "' (see dst-client list)"));
        System.out.printf("name:        %s%n", r.name());
        System.out.printf("device:      %s%n", r.device());
        System.out.printf("state:       %s%s%n", ListCommand.state(r), r.message().isEmpty() ? "" : " (" + r.message() + ")");
        System.out.printf("server:      %s%n", r.get("server"));
        System.out.printf("export:      %s%n", ListCommand.exportInDetail(r.get("export")));
        System.out.printf("size:        %d bytes (%s), block size %s%s%n", r.number("size"), Human.bytes(r.number("size")),
                r.get("block-size"), Boolean.parseBoolean(r.get("read-only")) ? ", read-only" : "");
        System.out.printf("frontend:    %s%n", r.get("frontend"));
        if (!r.get("mountpoint").isEmpty()) {
            String file = r.get("export-file").isEmpty() ? r.get("export") : r.get("export-file");
            System.out.printf("fuse file:   %s/%s%n", r.get("mountpoint"), file);
        }
        if (r.device().startsWith("/dev/") && r.processAlive()) {
            String use = DeviceUsers.describeUse(Path.of(r.device()));
            System.out.printf("in use:      %s%n", use == null ? "no" : use);
        }
        System.out.printf("pid:         %d%s%n", r.pid(), r.processAlive() ? "" : " (not running)");
        System.out.printf("since:       %s%n", Instant.ofEpochMilli(r.number("started")));
        System.out.printf("updated:     %s%n", Instant.ofEpochMilli(r.number("updated")));
        System.out.printf("log:         %s%n", r.get("log"));
        System.out.printf("counters:    %s%n", r.get("stats"));
        return 0;
    }
}
