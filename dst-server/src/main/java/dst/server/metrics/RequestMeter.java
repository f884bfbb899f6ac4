package dst.server.metrics;

import dst.protocol.Opcode;
import dst.runtime.metrics.Histogram;

import java.util.concurrent.atomic.LongAdder;

/**
 * What one identity did on one export, per opcode (READ, WRITE, FLUSH, TRIM, WRITE_ZEROES): requests answered,
 * bytes moved (READ and WRITE; the range length for TRIM and WRITE_ZEROES), errors (refused or failed), and latency
 * from receipt to the backend's completion. Lock-free from any thread.
 */
public final class RequestMeter {
    /** The opcodes metered, in the order of the arrays below. */
    static final int[] OPCODES = {Opcode.READ, Opcode.WRITE, Opcode.FLUSH, Opcode.TRIM, Opcode.WRITE_ZEROES};

    final String export;
    final String identity;
    final LongAdder[] requests = adders();
    final LongAdder[] bytes = adders();
    final LongAdder[] errors = adders();
    final Histogram[] latency = new Histogram[OPCODES.length];

    RequestMeter(String export, String identity) {
        this.export = export;
        this.identity = identity;
        for (int i = 0; i < latency.length; i++) latency[i] = new Histogram();
    }

    /** A request that the backend completed, {@code nanos} after it was received. */
    public void served(int opcode, long length, long nanos) {
        int i = index(opcode);
        if (i < 0) return;
        requests[i].increment();
        bytes[i].add(length);
        latency[i].record(nanos);
    }

    /** A request refused by the rules or failed by the backend. */
    public void failed(int opcode) {
        int i = index(opcode);
        if (i >= 0) errors[i].increment();
    }

    private static int index(int opcode) {
        for (int i = 0; i < OPCODES.length; i++) if (OPCODES[i] == opcode) return i;
        return -1;
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[OPCODES.length];
        for (int i = 0; i < a.length; i++) a[i] = new LongAdder();
        return a;
    }
}
