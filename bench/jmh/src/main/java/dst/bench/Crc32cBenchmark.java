package dst.bench;

import dst.protocol.Crc32c;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * crc32c over a payload as the codec computes it ({@link Crc32c#of}), per payload size and buffer kind:
 * the cost every write and read pays when crc32c is negotiated. Throughput in bytes/s = size / score.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Crc32cBenchmark {
    @Param({"32", "4096", "131072", "1048576"})
    int size;

    @Param({"direct", "heap"})
    String kind;

    private ByteBuf buf;

    @Setup(Level.Trial)
    public void setUp() {
        buf = "direct".equals(kind) ? PooledByteBufAllocator.DEFAULT.directBuffer(size) : PooledByteBufAllocator.DEFAULT.heapBuffer(size);
        byte[] random = new byte[size];
        ThreadLocalRandom.current().nextBytes(random);
        buf.writeBytes(random);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buf.release();
    }

    @Benchmark
    public int crc32c() {
        return Crc32c.of(buf, 0, size);
    }
}
