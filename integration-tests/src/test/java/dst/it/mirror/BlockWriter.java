package dst.it.mirror;

import dst.it.harness.Blocks;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A verified writer on a block device: O_DIRECT writes of self-describing blocks at random places in the first
 * {@code blocks} blocks, one at a time, each remembered once it returned; the first error ends it and is kept.
 * Afterwards any copy of the device (the device itself, or a RAID leg's backing file) can be checked block by block
 * against the last acknowledged generation of each block.
 */
final class BlockWriter {
    interface BlockSource {
        byte[] read(long block) throws Exception;
    }

    private final long[] acked;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private final AtomicLong writes = new AtomicLong();
    private final Thread thread;

    BlockWriter(Path device, int blocks, long seed) {
        acked = new long[blocks];
        thread = new Thread(() -> loop(device, seed), "block-writer");
        thread.start();
    }

    private void loop(Path device, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        try (DirectBlocks dev = new DirectBlocks(device)) {
            while (!stop.get()) {
                int block = random.nextInt(acked.length);
                long gen = acked[block] + 1;
                dev.write(block, gen);
                acked[block] = gen;
                writes.incrementAndGet();
            }
        } catch (Throwable t) {
            error.compareAndSet(null, t);
        }
    }

    long writes() {
        return writes.get();
    }

    /** Stops after the write in progress; returns the first error the writer saw, or null. */
    Throwable stop() throws InterruptedException {
        stop.set(true);
        thread.join(TimeUnit.MINUTES.toMillis(3));
        if (thread.isAlive()) throw new AssertionError("the writer's last write did not return within 3 minutes");
        return error.get();
    }

    /** Verdicts of every block of {@code source} against what was acknowledged (call after {@link #stop}). */
    Map<Blocks.Verdict, Integer> verify(BlockSource source) throws Exception {
        Map<Blocks.Verdict, Integer> verdicts = new EnumMap<>(Blocks.Verdict.class);
        for (Blocks.Verdict v : Blocks.Verdict.values()) verdicts.put(v, 0);
        for (int block = 0; block < acked.length; block++) {
            verdicts.merge(Blocks.check(source.read(block), (long) block * Blocks.SIZE, acked[block]), 1, Integer::sum);
        }
        return verdicts;
    }

    int blocks() {
        return acked.length;
    }
}
