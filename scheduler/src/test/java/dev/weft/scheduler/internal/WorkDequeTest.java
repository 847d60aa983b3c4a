package dev.weft.scheduler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The work-stealing deque: LIFO for the owner, FIFO for thieves, every task taken exactly once. */
class WorkDequeTest {
    private static final int SCALE = Math.max(1, Integer.getInteger("weft.test.scale", 1));

    /** A task that only carries a number. */
    static final class Numbered extends Task {
        final int id;

        Numbered(int id) {
            super(false, new TaskType("test"));
            this.id = id;
        }

        @Override
        int run(Worker worker) {
            return COMPLETED;
        }

        @Override
        void cancel() {
        }
    }

    interface Deque {
        void push(Task task);

        Task pop();

        Task steal();
    }

    static Deque workDeque() {
        WorkDeque deque = new WorkDeque();
        return new Deque() {
            public void push(Task task) {
                deque.push(task);
            }

            public Task pop() {
                return deque.pop();
            }

            public Task steal() {
                return deque.steal();
            }
        };
    }

    /**
     * Broken on purpose: the deque's shape without its protocol. A thief claims the oldest task
     * with a plain store instead of a CAS (yielding in between, as a preempted thief would), so
     * two thieves, or a thief and the owner, can take the same task.
     */
    static Deque withoutCas() {
        return new Deque() {
            private final Task[] slots = new Task[200_000 * SCALE];
            private volatile int top;
            private volatile int bottom;

            public void push(Task task) {
                slots[bottom] = task;
                bottom = bottom + 1;
            }

            public Task pop() {
                int b = bottom - 1;
                bottom = b;
                int t = top;
                if (t > b) {
                    bottom = b + 1;
                    return null;
                }
                Task task = slots[b];
                if (t == b) {
                    top = t + 1;
                    bottom = b + 1;
                }
                return task;
            }

            public Task steal() {
                int t = top;
                if (t >= bottom) {
                    return null;
                }
                Task task = slots[t];
                Thread.yield();
                top = t + 1;
                return task;
            }
        };
    }

    @Test
    void ownerPopsNewestFirstAndThievesStealOldestFirst() {
        WorkDeque deque = new WorkDeque();
        Numbered[] tasks = new Numbered[200]; // more than the initial capacity: the deque grows
        for (int i = 0; i < tasks.length; i++) {
            tasks[i] = new Numbered(i);
            deque.push(tasks[i]);
        }
        assertEquals(200, deque.sizeEstimate());
        assertSame(tasks[0], deque.steal());
        assertSame(tasks[199], deque.pop());
        assertTrue(deque.popIf(tasks[198]));
        assertTrue(!deque.popIf(tasks[1]));
        for (int i = 197; i >= 1; i--) {
            assertSame(tasks[i], deque.pop());
        }
        assertNull(deque.pop());
        assertNull(deque.steal());
    }

    /**
     * The owner pushes and pops while thieves steal. Invariant: every pushed task is taken exactly
     * once (no loss, no duplicate), reported with the first offending id.
     */
    static void everyTaskIsTakenExactlyOnce(Deque deque) throws Exception {
        int count = 200_000 * SCALE;
        int thieves = 2;
        Numbered[] tasks = new Numbered[count];
        for (int i = 0; i < count; i++) {
            tasks[i] = new Numbered(i);
        }
        AtomicIntegerArray taken = new AtomicIntegerArray(count);
        AtomicBoolean ownerDone = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CyclicBarrier start = new CyclicBarrier(thieves + 1);
        Thread[] threads = new Thread[thieves];
        for (int t = 0; t < thieves; t++) {
            threads[t] = new Thread(() -> {
                try {
                    start.await();
                    while (!ownerDone.get()) {
                        Task task = deque.steal();
                        if (task != null) {
                            taken.incrementAndGet(((Numbered) task).id);
                        }
                    }
                    Task task;
                    while ((task = deque.steal()) != null) {
                        taken.incrementAndGet(((Numbered) task).id);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads[t].start();
        }
        start.await();
        try {
            for (int i = 0; i < count; i++) {
                deque.push(tasks[i]);
                if ((i & 3) == 3) { // keep the deque short so the last-element race happens often
                    for (int k = 0; k < 3; k++) {
                        Task task = deque.pop();
                        if (task != null) {
                            taken.incrementAndGet(((Numbered) task).id);
                        }
                    }
                }
            }
            Task task;
            while ((task = deque.pop()) != null) {
                taken.incrementAndGet(((Numbered) task).id);
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        } finally {
            ownerDone.set(true);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new AssertionFailedError("the deque threw " + failure.get());
        }
        for (int i = 0; i < count; i++) {
            assertEquals(1, taken.get(i), "task " + i + " taken " + taken.get(i) + " times");
        }
    }

    @Test
    void concurrentPopsAndStealsTakeEveryTaskExactlyOnce() throws Exception {
        everyTaskIsTakenExactlyOnce(workDeque());
    }

    @Test
    void aDequeWithoutItsCasLosesOrDuplicatesTasks() {
        // the broken twin: the same check must fail for a deque without the Chase-Lev protocol
        assertThrows(AssertionFailedError.class, () -> everyTaskIsTakenExactlyOnce(withoutCas()));
    }
}
