package dst.it.nbdclient;

import dst.it.harness.Blocks;
import dst.it.harness.Host;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The writer of the outage tests: {@code dd oflag=direct conv=fsync bs=1M} over the first {@code mib} MiB of a
 * device, pass after pass, as a user would run it. Pass {@code g} writes generation {@code g} of every 1 MiB
 * {@link Blocks} block (id = the block's MiB index), so a read-back tells for each block whether the last pass is
 * there, an older one (a lost write) or garbage. dd must exit 0 every time: any error it saw is a failure.
 * The next pass's data is made while dd writes the current one, so the device always has a write in flight.
 */
final class DirectWriter {
    private static final int MIB = 1 << 20;
    private final Path device;
    private final Path dir;
    private final int mib;
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> passMillis = Collections.synchronizedList(new ArrayList<>());
    private volatile int completed;
    private volatile int started;
    private volatile int stopAfter = Integer.MAX_VALUE;
    private Thread thread;

    DirectWriter(Path device, Path dir, int mib) {
        this.device = device;
        this.dir = dir;
        this.mib = mib;
    }

    /** Starts writing passes 1, 2, ... in the background until {@link #finish} says when to stop. */
    DirectWriter start() {
        thread = new Thread(this::run, "dd-writer");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void run() {
        try {
            CompletableFuture<Path> next = CompletableFuture.completedFuture(pattern(1));
            for (int g = 1; g <= stopAfter && failures.isEmpty(); g++) {
                Path data = next.join();
                int following = g + 1;
                next = CompletableFuture.supplyAsync(() -> pattern(following));
                started = g;
                long t0 = System.nanoTime();
                Host.Result r = dd(data, 0, mib, true);
                passMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                if (r.exitCode() != 0) failures.add("pass " + g + ": dd exit " + r.exitCode() + ": " + r.output().trim());
                else completed = g;
            }
            next.join();
        } catch (Throwable t) {
            failures.add("writer: " + t);
        }
    }

    /** One dd of {@code count} MiB from {@code data} to the device at MiB {@code seek}, direct, with an fsync at the end or not. */
    Host.Result dd(Path data, int seek, int count, boolean fsync) throws IOException, InterruptedException {
        return Host.exec(300, List.of("dd", "if=" + data, "of=" + device, "bs=1M", "count=" + count, "seek=" + seek,
                "oflag=direct", fsync ? "conv=fsync,notrunc" : "conv=notrunc", "status=none"), Map.of());
    }

    /** The data of pass {@code g} in one of two alternating files (pass g-1's file is free once pass g starts). */
    Path pattern(int g) {
        return pattern(g, mib, dir.resolve("pass-" + (g % 2) + ".bin"));
    }

    /** Generation {@code g} of {@code count} 1 MiB blocks (ids 0..count-1) in {@code file}. */
    static Path pattern(int g, int count, Path file) {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < count; i++) out.write(Blocks.content(i, g, MIB));
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Stops after the first pass that starts after now has completed; waits for it (or a failure). */
    void finish(long timeoutMillis) throws InterruptedException {
        stopAfter = started + 1;
        thread.join(timeoutMillis);
        if (thread.isAlive()) throw new AssertionError("writer still running " + timeoutMillis + " ms after finish; passes done " + completed);
    }

    int completed() {
        return completed;
    }

    /** Passes started so far (the one in progress included). */
    int started() {
        return started;
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    /** How long each pass took, in order. */
    List<Long> passMillis() {
        return List.copyOf(passMillis);
    }

    /** {@link #check} of the device, read with O_DIRECT (what the server returns, not the page cache), against pass {@code g}. */
    Map<Blocks.Verdict, Integer> checkDevice(int g) throws IOException, InterruptedException {
        Path copy = dir.resolve("readback.bin");
        Host.exec(300, List.of("dd", "if=" + device, "of=" + copy, "bs=1M", "count=" + mib, "iflag=direct", "status=none"), Map.of())
                .ok("dd read-back of " + device);
        Map<Blocks.Verdict, Integer> v = check(copy, g, mib);
        Files.delete(copy);
        return v;
    }

    /**
     * How many blocks of the first {@code count} MiB of {@code file} (a server's raw image) get each verdict against
     * generation {@code g}; only the verdicts that occur ({@code {OK=count}} when all is well).
     */
    static Map<Blocks.Verdict, Integer> check(Path file, int g, int count) throws IOException {
        Map<Blocks.Verdict, Integer> verdicts = new EnumMap<>(Blocks.Verdict.class);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(MIB);
            for (int i = 0; i < count; i++) {
                b.clear();
                while (b.hasRemaining() && ch.read(b, (long) i * MIB + b.position()) > 0) {
                    // read on until the block is whole
                }
                verdicts.merge(Blocks.check(b.array(), i, g), 1, Integer::sum);
            }
        }
        return verdicts;
    }

    int mib() {
        return mib;
    }
}
