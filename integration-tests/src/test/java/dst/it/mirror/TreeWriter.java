package dst.it.mirror;

import dst.it.fuse.FileTree;
import dst.it.harness.Host;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An application on the mirror: round after round, a small tree of files with known hashes, each round made durable
 * with syncfs ({@code sync -f}), paced and capped (so that it cannot fill a small test filesystem), until stopped. The first error it meets (a failed write, create or sync) is kept and
 * ends it: what a RAID must spare its application while one leg is gone.
 */
final class TreeWriter implements AutoCloseable {
    private final Path root;
    private final long bytesPerRound;
    private final long pauseMillis;
    private final long maxBytes;
    private final List<FileTree> rounds = new CopyOnWriteArrayList<>();
    private final List<Long> roundEndNanos = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private final Thread thread;

    /** Rounds of {@code bytesPerRound}, {@code pauseMillis} apart, until {@code maxBytes} are written (then it idles). */
    TreeWriter(Path root, long bytesPerRound, long pauseMillis, long maxBytes) {
        this.root = root;
        this.bytesPerRound = bytesPerRound;
        this.pauseMillis = pauseMillis;
        this.maxBytes = maxBytes;
        this.thread = new Thread(this::loop, "tree-writer");
        thread.start();
    }

    private void loop() {
        try {
            for (int i = 0; !stop.get(); i++) {
                Thread.sleep(pauseMillis);
                if (bytes() + bytesPerRound > maxBytes) {
                    i--;
                    continue;
                }
                FileTree t = FileTree.write(root.resolve("round-" + i), bytesPerRound, 1000 + i);
                Host.exec(300, List.of("sync", "-f", root.toString()), Map.of()).ok("sync -f " + root);
                rounds.add(t);
                roundEndNanos.add(System.nanoTime());
            }
        } catch (Throwable t) {
            error.compareAndSet(null, t);
        }
    }

    /** Rounds made durable that ended after {@code nanos} (System.nanoTime()). */
    long roundsDoneAfter(long nanos) {
        return roundEndNanos.stream().filter(t -> t > nanos).count();
    }

    /** Stops after the round in progress; returns the first error the writer saw, or null. */
    Throwable stop() throws InterruptedException {
        stop.set(true);
        thread.join(TimeUnit.MINUTES.toMillis(5));
        if (thread.isAlive()) throw new AssertionError("the writer did not finish its round within 5 minutes");
        return error.get();
    }

    /** Every durable round, file by file, under {@code mountedRoot} (the same tree, possibly mounted elsewhere). */
    void verify(Path mountedRoot) throws Exception {
        for (int i = 0; i < rounds.size(); i++) rounds.get(i).verify(mountedRoot.resolve("round-" + i));
    }

    int rounds() {
        return rounds.size();
    }

    long bytes() {
        return rounds.stream().mapToLong(FileTree::bytes).sum();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
