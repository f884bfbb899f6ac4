package dst.client.cli;

import dst.client.core.BlockDevice;
import dst.client.stack.DiskStack;
import dst.runtime.buffers.Buffers;
import dst.runtime.cli.Sizes;
import io.netty.buffer.ByteBuf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code dst-client bench}: an in-process load generator on the client library, so the protocol and
 * server can be measured without any kernel frontend in the way.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, header = "Measure an export with a protocol-level load generator.",
        description = "Keeps --qd requests of --bs bytes in flight for --duration seconds and prints MB/s, IOPS and latency percentiles.",
        footer = {"", "Example:", "  dst-client bench 127.0.0.1:7070/scratch --rw randread --bs 4K --qd 32 --duration 10"})
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TARGET", description = "HOST[:PORT]/EXPORT (dst), or an NBD URI (nbd://HOST[:PORT]/EXPORT).")
    String target;

    @Option(names = "--rw", defaultValue = "read", description = "read, write, randread, randwrite, or randrw (default: ${DEFAULT-VALUE}).")
    String pattern;

    @Option(names = "--rwmix", defaultValue = "70", description = "Percent reads for randrw (default: ${DEFAULT-VALUE}).")
    int readPercent;

    @Option(names = "--bs", defaultValue = "1M", description = "Request size (default: ${DEFAULT-VALUE}).")
    String blockSize;

    @Option(names = "--qd", defaultValue = "8", description = "Requests in flight (default: ${DEFAULT-VALUE}).")
    int queueDepth;

    @Option(names = "--duration", defaultValue = "10", description = "Seconds to run (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "0",
            description = "Run the same load this long first, unmeasured, so the JIT has compiled the hot paths (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--cache", paramLabel = "SIZE", defaultValue = "0",
            description = "Put the client write-back cache of this size in front (as attach does); 0 = none (default: ${DEFAULT-VALUE}).")
    String cache;

    @Option(names = "--span", paramLabel = "SIZE", description = "Use only the first SIZE bytes of the export (default: all).")
    String span;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        int bs = (int) Sizes.parse(blockSize);
        if (bs <= 0 || queueDepth <= 0 || seconds <= 0) throw new IllegalArgumentException("--bs, --qd and --duration must be positive");
        boolean random = pattern.startsWith("rand");
        long cacheBytes = Sizes.parse(cache);
        try (BlockDevice disk = new DiskStack(cacheBytes, 0).open(connection.config(target, pattern.equals("read") || pattern.equals("randread")))) {
            long size = span == null ? disk.info().size() : Math.min(Sizes.parse(span), disk.info().size());
            long blocks = size / bs;
            if (blocks == 0) throw new IllegalArgumentException("export smaller than one request");
            ByteBuf pattern = Buffers.ALLOCATOR.directBuffer(bs);
            ThreadLocalRandom.current().ints(bs / 4).forEach(pattern::writeInt);
            pattern.writerIndex(bs);
            LatencyHistogram histogram = new LatencyHistogram();
            AtomicLong ops = new AtomicLong();
            long start;
            long nanos;
            try {
                if (warmupSeconds > 0) run(disk, pattern, bs, blocks, random, warmupSeconds, new LatencyHistogram(), new AtomicLong());
                start = System.nanoTime();
                run(disk, pattern, bs, blocks, random, seconds, histogram, ops);
                nanos = System.nanoTime() - start;
            } finally {
                pattern.release();
            }
            long n = ops.get();
            double secs = nanos / 1e9;
            System.out.printf("%s bs=%s qd=%d: %.1f MB/s, %.0f IOPS, latency p50=%d us p99=%d us p99.9=%d us (%d ops in %.1f s)%n",
                    this.pattern, blockSize, queueDepth, n * (double) bs / 1e6 / secs, n / secs,
                    histogram.percentileMicros(0.50), histogram.percentileMicros(0.99), histogram.percentileMicros(0.999), n, secs);
        }
        return 0;
    }

    /** Keeps --qd requests in flight for {@code secs} seconds; throws the first failure. */
    private void run(BlockDevice disk, ByteBuf pattern, int bs, long blocks, boolean random, int secs,
                     LatencyHistogram histogram, AtomicLong ops) throws InterruptedException {
        Semaphore slots = new Semaphore(queueDepth);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long end = System.nanoTime() + secs * 1_000_000_000L;
        long next = 0;
        while (System.nanoTime() < end && failure.get() == null) {
            slots.acquire();
            long block = random ? ThreadLocalRandom.current().nextLong(blocks) : (next++ % blocks);
            boolean read = switch (this.pattern) {
                case "read", "randread" -> true;
                case "write", "randwrite" -> false;
                case "randrw" -> ThreadLocalRandom.current().nextInt(100) < readPercent;
                default -> throw new IllegalArgumentException("unknown --rw " + this.pattern);
            };
            long issued = System.nanoTime();
            CompletableFuture<?> f = read
                    ? disk.read(block * bs, bs).thenAccept(ByteBuf::release)
                    : disk.write(block * bs, pattern.retainedDuplicate(), false);
            f.whenComplete((v, e) -> {
                if (e != null) failure.compareAndSet(null, e);
                histogram.record(System.nanoTime() - issued);
                ops.incrementAndGet();
                slots.release();
            });
        }
        slots.acquire(queueDepth);
        if (failure.get() != null) throw new RuntimeException("bench failed: " + failure.get().getMessage(), failure.get());
    }
}
