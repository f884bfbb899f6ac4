package dst.client.frontend.ublk;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tags whose requests finished and wait for the queue thread to commit them: a lock-free stack threaded
 * through an int array, so handing a tag over allocates nothing (no boxed Integer, no queue node per request).
 *
 * <p>Any thread may {@link #push}; only the queue thread takes. A tag is in the stack at most once: it is pushed
 * when its request finishes, and gets its next request only after the queue thread took and committed it.
 * Push is CAS on the head after writing the tag's link; taking swaps the whole stack out, so there is no pop
 * race (no ABA). The CAS publishes the link and whatever the pusher wrote before (the tag's result).
 */
final class FinishedTags {
    static final int NONE = -1;

    private final int[] next;
    private final AtomicInteger head = new AtomicInteger(NONE);

    FinishedTags(int depth) {
        this.next = new int[depth];
    }

    /** Adds {@code tag}, from any thread. */
    void push(int tag) {
        int h;
        do {
            h = head.get();
            next[tag] = h;
        } while (!head.compareAndSet(h, tag));
    }

    /** Takes every tag pushed so far: returns the first, or {@link #NONE}; walk on with {@link #after}. Queue thread only. */
    int takeAll() {
        return head.getAndSet(NONE);
    }

    /** The tag after {@code tag} in what {@link #takeAll} returned, or {@link #NONE}. Read it before committing {@code tag}. */
    int after(int tag) {
        return next[tag];
    }
}
