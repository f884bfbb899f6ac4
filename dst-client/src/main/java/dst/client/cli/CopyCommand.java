package dst.client.cli;

import dst.client.core.BlockDevice;
import dst.client.core.Extent;
import dst.client.stack.DiskStack;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.runtime.buffers.Buffers;
import dst.runtime.cli.Sizes;
import io.netty.buffer.ByteBuf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/** {@code dst-client copy}: a local file to an export or back, with many requests in flight (like nbdcopy). */
@Command(name = "copy", mixinStandardHelpOptions = true, header = "Copy a local file to an export, or an export to a local file.",
        description = {"Exactly one side is remote: dst://HOST[:PORT]/EXPORT, HOST:PORT/EXPORT, or an NBD URI (nbd://HOST[:PORT]/EXPORT).",
                "Uploads end with a FLUSH, so the data is durable on the server when copy returns 0.",
                "Downloads from an NBD server with base:allocation skip the ranges it reports as zeros (holes): they are not read and stay holes in the file."},
        footer = {"", "Examples:", "  dst-client copy disk.img dst://127.0.0.1/disk0", "  dst-client copy 127.0.0.1:7070/disk0 backup.img"})
final class CopyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOURCE")
    String source;

    @Parameters(index = "1", paramLabel = "DESTINATION")
    String destination;

    @Option(names = "--request-size", paramLabel = "SIZE", defaultValue = "1M", description = "Bytes per request (default: ${DEFAULT-VALUE}).")
    String requestSize;

    @Option(names = "--inflight", defaultValue = "16", description = "Requests in flight at once (default: ${DEFAULT-VALUE}).")
    int inflight;

    @Option(names = "--length", paramLabel = "SIZE", description = "Copy only this many bytes (default: the whole source).")
    String length;

    @Option(names = "--no-progress", description = "No progress bar, even on a terminal.")
    boolean noProgress;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        boolean upload = ConnectionOptions.isRemote(destination);
        boolean download = ConnectionOptions.isRemote(source);
        if (upload == download) {
            throw new IllegalArgumentException("exactly one of SOURCE and DESTINATION must be remote (dst://HOST[:PORT]/EXPORT)");
        }
        int chunk = (int) Sizes.parse(requestSize);
        if (chunk <= 0 || inflight <= 0) throw new IllegalArgumentException("--request-size and --inflight must be positive");
        try (BlockDevice disk = DiskStack.PLAIN.open(connection.config(upload ? destination : source, !upload))) {
            long total;
            long started = System.nanoTime();
            if (upload) {
                total = upload(Path.of(source), disk, chunk);
            } else {
                total = download(disk, Path.of(destination), chunk);
            }
            long nanos = System.nanoTime() - started;
            System.out.printf("copied %s (%d bytes) in %.2f s, %s%n", Human.bytes(total), total, nanos / 1e9, Human.rate(total, nanos));
        }
        return 0;
    }

    private long limit(long available) {
        if (length == null) return available;
        long l = Sizes.parse(length);
        if (l > available) throw new IllegalArgumentException("--length " + l + " is more than the " + available + " bytes available");
        return l;
    }

    private long upload(Path file, BlockDevice disk, int chunk) throws Exception {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long total = limit(in.size());
            if (total > disk.info().size()) {
                throw new DstException(Errno.EFBIG, file + " has " + total + " bytes but the export only " + disk.info().size());
            }
            Pipeline p = new Pipeline(inflight, new Progress(total, !noProgress));
            for (long off = 0; off < total && p.ok(); off += chunk) {
                int n = (int) Math.min(chunk, total - off);
                ByteBuf buf = Buffers.ALLOCATOR.directBuffer(n);
                try {
                    while (buf.writerIndex() < n) {
                        if (buf.writeBytes(in, off + buf.writerIndex(), n - buf.writerIndex()) < 0) throw new IOException(file + " shrank while copying");
                    }
                } catch (IOException e) {
                    buf.release();
                    throw e;
                }
                p.acquire();
                p.track(disk.write(off, buf, false), n);
            }
            p.drain();
            disk.flush().get();
            p.progress.finish();
            return total;
        }
    }

    /**
     * Reads the export extent by extent: ranges the server reports as zeros are neither read nor written (the
     * output starts empty, so they are holes that read as zeros), the rest in requests of {@code chunk} bytes.
     */
    private long download(BlockDevice disk, Path file, int chunk) throws Exception {
        long total = limit(disk.info().size());
        long skipped = 0;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
            Pipeline p = new Pipeline(inflight, new Progress(total, !noProgress));
            for (long pos = 0; pos < total && p.ok(); ) {
                for (Extent e : disk.extents(pos, total - pos).get()) {
                    long end = Math.min(e.end(), total);
                    if (e.zero()) {
                        skipped += end - e.offset();
                        p.progress.add(end - e.offset());
                    } else {
                        readInto(disk, out, p, e.offset(), end, chunk);
                    }
                    pos = end;
                }
            }
            p.drain();
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(total); // a hole at the end
            }
            out.force(false);
            p.progress.finish();
            if (skipped > 0) System.out.printf("skipped %s of holes (not read)%n", Human.bytes(skipped));
            return total;
        }
    }

    private static void readInto(BlockDevice disk, FileChannel out, Pipeline p, long from, long to, int chunk) throws InterruptedException {
        for (long off = from; off < to && p.ok(); off += chunk) {
            int n = (int) Math.min(chunk, to - off);
            long at = off;
            p.acquire();
            p.track(disk.read(at, n).thenAccept(buf -> {
                try {
                    int done = 0;
                    while (done < n) done += buf.getBytes(buf.readerIndex() + done, out, at + done, n - done);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } finally {
                    buf.release();
                }
            }), n);
        }
    }

    /** Bounds requests in flight and keeps the first failure. */
    private static final class Pipeline {
        final Semaphore slots;
        final int size;
        final Progress progress;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Pipeline(int size, Progress progress) {
            this.slots = new Semaphore(size);
            this.size = size;
            this.progress = progress;
        }

        void acquire() throws InterruptedException {
            slots.acquire();
        }

        boolean ok() {
            return failure.get() == null;
        }

        void track(java.util.concurrent.CompletableFuture<?> f, int bytes) {
            f.whenComplete((v, e) -> {
                if (e != null) failure.compareAndSet(null, e);
                else progress.add(bytes);
                slots.release();
            });
        }

        void drain() throws Exception {
            slots.acquire(size);
            Throwable e = failure.get();
            if (e != null) {
                e = dst.protocol.Failures.unwrap(e);
                if (e instanceof Exception ex) throw ex;
                throw new RuntimeException(e);
            }
        }
    }
}
