package dev.weft.stm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Transaction#current()} answers from a cache indexed by thread id before it probes the
 * ThreadLocal: threads whose ids share a slot must still each get their own descriptor, however
 * their lookups interleave.
 */
class DescriptorLookupTest {

    @Test
    void threadsSharingACacheSlotEachKeepTheirOwnDescriptor() throws Exception {
        int threads = 600; // more than the cache's slots: many ids share a slot
        CyclicBarrier allLookedUp = new CyclicBarrier(threads);
        List<Transaction> first = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread thread = new Thread(() -> {
                try {
                    Transaction mine = Transaction.current();
                    first.add(mine);
                    allLookedUp.await(30, TimeUnit.SECONDS); // every slot now holds its last writer
                    for (int round = 0; round < 100; round++) {
                        assertSame(mine, Transaction.current(), "a thread got another descriptor");
                        Thread.yield();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
            thread.start();
            started.add(thread);
        }
        for (Thread thread : started) {
            thread.join(60_000);
        }
        assertEquals(List.of(), failures);
        Set<Transaction> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        distinct.addAll(first);
        assertEquals(threads, distinct.size(), "two threads shared a descriptor");
    }
}
