package dst.it.harness;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Registered for every test (META-INF/services, autodetection on): a test, and a class's static set-up, must leave no
 * mount under the temp dir and no loop device it did not find. Why: in CI something left ext4 mounted on a loop device
 * over a FUSE file whose daemon was gone, and a later, unrelated test failed in {@code mkfs.btrfs} ("cannot check
 * mount status of /dev/loop1: Transport endpoint is not connected": it stats the backing file of every mounted loop
 * device; {@link Host#runPastBrokenMounts} is that test's side of it).
 * What is left is removed (unmount, lazily if busy; loop devices detached) so the classes after it run on a clean
 * machine (checked after each test, before its {@code @TempDir} is deleted), and the test that left it fails, naming
 * what it left.
 */
public final class LeftBehindMounts implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeftBehindMounts.class);
    private static final String TMP = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize() + "/";

    private record Snapshot(Set<String> mounts, Set<String> loops) {
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        remember(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        remember(context);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        removeWhatWasLeft(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        removeWhatWasLeft(context);
    }

    private static void remember(ExtensionContext context) throws IOException, InterruptedException {
        context.getStore(NS).put("before", snapshot());
    }

    private static void removeWhatWasLeft(ExtensionContext context) throws IOException, InterruptedException {
        Snapshot before = context.getStore(NS).get("before", Snapshot.class);
        if (before == null) return;
        Snapshot after = settled(before);
        List<String> left = new ArrayList<>();
        // Deepest first: a filesystem on a loop device on a FUSE mount goes before the FUSE mount.
        List<String> mounts = after.mounts.stream().filter(m -> !before.mounts.contains(m)).sorted(Comparator.reverseOrder()).toList();
        for (String m : mounts) {
            Host.Result r = Host.exec("umount", m);
            if (r.exitCode() != 0) r = Host.exec("umount", "-l", m);
            left.add("mount " + m + (r.exitCode() == 0 ? "" : " (could not unmount: " + r.output().trim() + ")"));
        }
        for (String loop : snapshot().loops) { // anew: unmounting may have let a loop device autoclear
            if (before.loops.contains(loop)) continue;
            Host.Result r = Host.exec("losetup", "-d", loop);
            left.add("loop device " + loop + (r.exitCode() == 0 ? "" : " (could not detach: " + r.output().trim() + ")"));
        }
        if (!left.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " left behind (now removed): " + String.join(", ", left));
        }
    }

    /** A detached loop device may linger a moment (autoclear runs when its last user closes it): wait up to 3 s. */
    private static Snapshot settled(Snapshot before) throws IOException, InterruptedException {
        Snapshot now = snapshot();
        for (int i = 0; i < 30 && !(before.mounts.containsAll(now.mounts) && before.loops.containsAll(now.loops)); i++) {
            Thread.sleep(100);
            now = snapshot();
        }
        return now;
    }

    private static Snapshot snapshot() throws IOException, InterruptedException {
        Set<String> mounts = new HashSet<>();
        for (Host.Mount m : Host.mounts()) {
            if (m.point().startsWith(TMP)) mounts.add(m.point());
        }
        return new Snapshot(mounts, Host.onPath("losetup") ? new HashSet<>(Host.loopDevices().keySet()) : Set.of());
    }
}
