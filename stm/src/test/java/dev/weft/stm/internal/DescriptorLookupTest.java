package dev.weft.stm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * {@link Transaction#current()} answers from a cache indexed by thread id before it probes the
 * ThreadLocal: threads whose ids share a slot must still each get their own descriptor, however
 * their lookups interleave; and two live threads sharing a slot must not write it on every
 * lookup (the cache line would bounce between their cores and miss for every thread cached on it).
 */
class DescriptorLookupTest {

    @Test
    void threadsSharingACacheSlotEachKeepTheirOwnDescriptor() throws Exception {
        int threads = Transaction.lookupSlots() + 200; // more than the cache's slots: many ids share a slot
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

    /** A thread, not started, whose id shares the cache slot of {@code other}'s. */
    @SuppressWarnings("deprecation") // Thread.getId: threadId() exists only from JDK 19
    private static Thread sharingTheSlotOf(Thread other, Runnable body) {
        int mask = Transaction.lookupSlots() - 1;
        for (;;) {
            Thread candidate = new Thread(body);
            if ((candidate.getId() & mask) == (other.getId() & mask)) {
                return candidate;
            }
        }
    }

    @Test
    void twoLiveThreadsSharingASlotRarelyTakeItFromEachOther() throws Exception {
        int rounds = 20 * Transaction.SLOT_CLAIM_EVERY;
        AtomicInteger turn = new AtomicInteger();
        int[] takeovers = new int[2];
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        IntFunction<Runnable> alternate = me -> () -> {
            try {
                Transaction mine = Transaction.current();
                for (int round = 0; round < rounds; round++) {
                    while (turn.get() != me) {
                        Thread.onSpinWait();
                    }
                    boolean cachedBefore = Transaction.cachedAt(Thread.currentThread(), mine);
                    assertSame(mine, Transaction.current(), "a thread got another descriptor");
                    if (!cachedBefore && Transaction.cachedAt(Thread.currentThread(), mine)) {
                        takeovers[me]++;
                    }
                    turn.set(1 - me);
                }
            } catch (Throwable t) {
                failures.add(t);
                turn.set(1 - me);
            }
        };
        Thread first = new Thread(alternate.apply(0));
        Thread second = sharingTheSlotOf(first, alternate.apply(1));
        first.start();
        second.start();
        first.join(60_000);
        second.join(60_000);
        assertEquals(List.of(), failures);
        int most = 2 * (rounds / Transaction.SLOT_CLAIM_EVERY + 2);
        assertTrue(takeovers[0] + takeovers[1] <= most, "the threads took the shared slot from each other "
                + (takeovers[0] + takeovers[1]) + " times in " + 2 * rounds + " lookups (at most " + most + ")");
        assertTrue(takeovers[0] + takeovers[1] > 0, "neither thread ever took the slot over");
    }

    @Test
    void aThreadTakesOverASlotHeldByAnEndedThread() throws Exception {
        Thread ended = new Thread(() -> {
            for (int i = 0; i <= Transaction.SLOT_CLAIM_EVERY; i++) {
                Transaction.current(); // claims the slot by the last call at the latest
            }
        });
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        Thread later = sharingTheSlotOf(ended, () -> {
            try {
                Transaction mine = Transaction.current();
                assertFalse(Transaction.cachedAt(Thread.currentThread(), mine),
                        "the first miss took over an occupied slot");
                for (int i = 0; i < Transaction.SLOT_CLAIM_EVERY; i++) {
                    assertSame(mine, Transaction.current());
                }
                assertTrue(Transaction.cachedAt(Thread.currentThread(), mine),
                        "the slot of an ended thread was never taken over");
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        ended.start();
        ended.join(60_000);
        later.start();
        later.join(60_000);
        assertEquals(List.of(), failures);
    }
}
