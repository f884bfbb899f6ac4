package dst.client.frontend.ublk;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FinishedTagsTest {
    @Test
    void takeAllHandsOverEveryPushedTagOnce() {
        FinishedTags tags = new FinishedTags(8);
        assertEquals(FinishedTags.NONE, tags.takeAll());
        tags.push(3);
        tags.push(0);
        tags.push(7);
        List<Integer> got = new ArrayList<>();
        for (int t = tags.takeAll(); t != FinishedTags.NONE; t = tags.after(t)) got.add(t);
        assertEquals(List.of(7, 0, 3), got);
        assertEquals(FinishedTags.NONE, tags.takeAll());
    }

    /**
     * Four completing threads, one queue thread: like the ublk queue, a tag is pushed again only after the taker
     * got it (its "request" is reissued), and every push arrives exactly once.
     */
    @Test
    void concurrentPushersLoseAndDuplicateNothing() throws Exception {
        int depth = 64;
        int rounds = 20_000;
        FinishedTags tags = new FinishedTags(depth);
        AtomicIntegerArray issued = new AtomicIntegerArray(depth); // 1 while the tag's request is "in flight"
        AtomicIntegerArray taken = new AtomicIntegerArray(depth);
        java.util.concurrent.LinkedBlockingQueue<Integer> toComplete = new java.util.concurrent.LinkedBlockingQueue<>();
        for (int t = 0; t < depth; t++) {
            issued.set(t, 1);
            toComplete.add(t);
        }
        CountDownLatch stop = new CountDownLatch(1);
        List<Thread> completers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread c = new Thread(() -> {
                try {
                    while (stop.getCount() > 0) {
                        Integer t = toComplete.poll(10, java.util.concurrent.TimeUnit.MILLISECONDS);
                        if (t != null) tags.push(t);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            c.start();
            completers.add(c);
        }
        long total = 0;
        while (total < (long) depth * rounds / 10) {
            for (int t = tags.takeAll(), next; t != FinishedTags.NONE; t = next) {
                next = tags.after(t);
                assertEquals(1, issued.getAndSet(t, 0), "tag " + t + " handed over twice");
                taken.incrementAndGet(t);
                total++;
                issued.set(t, 1);
                toComplete.add(t); // reissue
            }
        }
        stop.countDown();
        for (Thread c : completers) c.join();
        long sum = 0;
        for (int t = 0; t < depth; t++) sum += taken.get(t);
        assertEquals(total, sum);
    }
}
