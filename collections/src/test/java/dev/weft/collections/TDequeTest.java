package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.opentest4j.AssertionFailedError;

/**
 * {@link TDeque} agrees with {@link ArrayDeque} step by step (keeping its own invariants), rejects
 * nulls without writing, waits in {@code takeFirst}/{@code takeLast}, and its two ends do not
 * conflict. The conflict checker and the waiting check each have a broken twin that they must catch.
 */
class TDequeTest {
    // ------------------------------------------------------------------ agrees with ArrayDeque

    /** Random operations on both ends and in the middle, against ArrayDeque; invariants after each. */
    static void assertAgreesWithArrayDeque(int chunkShift, long seed) {
        Random random = new Random(seed);
        TDeque<Integer> deque = new TDeque<>(chunkShift);
        BlockingDeque<Integer> view = deque.asBlockingDeque();
        ArrayDeque<Integer> model = new ArrayDeque<>();
        int steps = Scale.of(5_000);
        for (int step = 0; step < steps; step++) {
            String where = "step " + step + ", chunks of " + (1 << chunkShift) + " (seed " + seed + ")";
            // drift: grow for a while, then shrink, so the ends wander over many chunks and back
            boolean grow = (step / 300) % 2 == 0 ? random.nextInt(10) < 6 : random.nextInt(10) < 4;
            int e = random.nextInt(50);
            switch (random.nextInt(grow ? 4 : 8)) {
                case 0, 1 -> {
                    view.offerFirst(e);
                    model.offerFirst(e);
                }
                case 2, 3 -> {
                    view.offerLast(e);
                    model.offerLast(e);
                }
                case 4 -> assertEquals(model.pollFirst(), view.pollFirst(), where);
                case 5 -> assertEquals(model.pollLast(), view.pollLast(), where);
                case 6 -> {
                    switch (random.nextInt(6)) {
                        case 0 -> assertEquals(model.removeFirstOccurrence(e), view.removeFirstOccurrence(e), where);
                        case 1 -> assertEquals(model.removeLastOccurrence(e), view.removeLastOccurrence(e), where);
                        case 2 -> assertEquals(model.removeIf(x -> x == e), view.removeIf(x -> x == e), where);
                        case 3 -> {
                            int skip = random.nextInt(model.size() + 1);
                            Iterator<Integer> mine = view.iterator();
                            Iterator<Integer> theirs = model.iterator();
                            for (int i = 0; i < skip; i++) {
                                assertEquals(theirs.next(), mine.next(), where);
                            }
                            if (skip > 0) {
                                mine.remove();
                                theirs.remove();
                            }
                        }
                        case 4 -> assertEquals(List.copyOf(model), List.copyOf(view), where);
                        default -> {
                            if (random.nextInt(20) == 0) {
                                view.clear();
                                model.clear();
                            }
                        }
                    }
                }
                default -> {
                    assertEquals(model.peekFirst(), view.peekFirst(), where);
                    assertEquals(model.peekLast(), view.peekLast(), where);
                    assertEquals(model.size(), view.size(), where);
                    assertEquals(model.isEmpty(), view.isEmpty(), where);
                    assertEquals(model.contains(e), view.contains(e), where);
                }
            }
            assertNull(Stm.atomic(deque::brokenInvariant), where);
        }
        List<Integer> descending = new ArrayList<>();
        view.descendingIterator().forEachRemaining(descending::add);
        List<Integer> expected = new ArrayList<>();
        model.descendingIterator().forEachRemaining(expected::add);
        assertEquals(expected, descending);
    }

    @Test
    void agreesWithArrayDequeOnChunksOfTwoFourAndSixteen() {
        long seed = System.nanoTime();
        for (int shift : new int[] {1, 2, TDeque.DEFAULT_CHUNK_SHIFT}) {
            assertAgreesWithArrayDeque(shift, seed + shift);
        }
    }

    @Test
    void theViewsOtherMethodsBehaveAsADeque() throws InterruptedException {
        TDeque<String> deque = new TDeque<>();
        BlockingDeque<String> view = deque.asBlockingDeque();
        assertThrows(NoSuchElementException.class, view::removeFirst);
        assertThrows(NoSuchElementException.class, view::getLast);
        assertThrows(NoSuchElementException.class, view::pop);
        view.push("b");
        view.addFirst("a");
        view.putLast("c");
        assertTrue(view.offerLast("d", 1, TimeUnit.SECONDS));
        assertEquals("a", view.getFirst());
        assertEquals("d", view.getLast());
        assertEquals("a, b, c, d", String.join(", ", view));
        assertEquals("[a, b, c, d]", view.toString());
        assertEquals("TDeque[a, b, c, d]", deque.toString());
        assertEquals(Integer.MAX_VALUE, view.remainingCapacity());
        assertEquals("d", view.pollLast(1, TimeUnit.MILLISECONDS));
        List<String> drained = new ArrayList<>();
        assertEquals(2, view.drainTo(drained, 2));
        assertEquals(List.of("a", "b"), drained);
        assertEquals("c", view.pop());
        assertNull(view.pollFirst(1, TimeUnit.MILLISECONDS), "a timed poll of an empty deque gives up");
        assertNull(view.pollLast(1, TimeUnit.MILLISECONDS));
    }

    // ------------------------------------------------------------------ nulls and misuse

    @Test
    void nullElementsAreRejectedAtTheCallAndNothingIsWritten() {
        TDeque<String> deque = new TDeque<>();
        BlockingDeque<String> view = deque.asBlockingDeque();
        view.add("x");
        List<Executable> inserts = List.of(
                () -> view.add(null), () -> view.addFirst(null), () -> view.addLast(null),
                () -> view.offer(null), () -> view.offerFirst(null), () -> view.offerLast(null),
                () -> view.push(null), () -> view.put(null), () -> view.putFirst(null), () -> view.putLast(null),
                () -> view.offer(null, 1, TimeUnit.SECONDS), () -> view.offerFirst(null, 1, TimeUnit.SECONDS),
                () -> view.offerLast(null, 1, TimeUnit.SECONDS), () -> view.addAll(Arrays.asList("y", null, "z")),
                () -> atomic(() -> deque.offerFirst(null)), () -> atomic(() -> deque.offerLast(null)));
        for (Executable insert : inserts) {
            assertThrows(NullPointerException.class, insert);
        }
        assertEquals(List.of("x"), List.copyOf(view), "a rejected null wrote something");

        // inside a transaction: the NPE rolls back the transaction's other writes...
        LongRef written = new LongRef();
        assertThrows(NullPointerException.class, () -> atomic(() -> {
            written.set(1);
            deque.offerLast("y");
            deque.offerFirst(null);
        }));
        assertEquals(0, written.atomic().get());
        assertEquals(List.of("x"), List.copyOf(view));
        // ...and when the body catches it, the deque went on unchanged by the null
        atomic(() -> {
            try {
                deque.offerFirst(null);
            } catch (NullPointerException expected) {
                deque.offerLast("z");
            }
        });
        assertEquals(List.of("x", "z"), List.copyOf(view));
        assertNull(Stm.atomic(deque::brokenInvariant));
        assertFalse(view.contains(null));
        assertFalse(view.remove(null));
    }

    @Test
    void inTransactionMethodsOutsideATransactionSayWhatToDo() {
        TDeque<String> deque = new TDeque<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> deque.offerFirst("x"));
        assertTrue(e.getMessage().contains("asBlockingDeque()"), e.getMessage());
        assertThrows(IllegalStateException.class, deque::pollLast);
        assertThrows(IllegalStateException.class, deque::takeFirst);
        assertThrows(IllegalStateException.class, deque::size);
    }

    // ------------------------------------------------------------------ blocking

    /**
     * Runs {@code take} (a whole transaction) on another thread against an empty deque; once that
     * thread has blocked or finished, adds 7 at the back. The taker must have waited for the 7.
     */
    static void assertTakeWaitsForAnElement(TDeque<Integer> deque, Supplier<Integer> take) throws InterruptedException {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread taker = new Thread(() -> {
            try {
                result.set(Stm.atomic(take));
            } catch (RuntimeException e) {
                result.set(e);
            }
        }, "taker");
        taker.start();
        BlockingTest.awaitParkedOrDone(taker);
        deque.asBlockingDeque().addLast(7);
        taker.join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(taker.isAlive(), "the taker did not wake up");
        assertEquals(7, result.get(), "the taker did not wait for an element");
    }

    @Test
    void takeFirstAndTakeLastWaitUntilAnotherThreadAdds() throws InterruptedException {
        TDeque<Integer> deque = new TDeque<>();
        assertTakeWaitsForAnElement(deque, deque::takeFirst);
        assertTakeWaitsForAnElement(deque, deque::takeLast);
        assertTakeWaitsForAnElement(deque, () -> {
            try {
                return deque.asBlockingDeque().takeFirst();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        TDeque<Integer> other = new TDeque<>();
        assertTakeWaitsForAnElement(deque, () -> Stm.orElse(other::takeLast, deque::takeLast));
    }

    @Test
    void brokenTwinAPollIsNotATake() {
        TDeque<Integer> deque = new TDeque<>();
        assertThrows(AssertionFailedError.class, () -> assertTakeWaitsForAnElement(deque, deque::pollFirst));
    }

    @Test
    void aBlockedTakeIsInterruptible() throws InterruptedException {
        BlockingDeque<Integer> view = new TDeque<Integer>().asBlockingDeque();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread taker = new Thread(() -> {
            try {
                view.takeLast();
            } catch (Throwable e) {
                thrown.set(e);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        taker.start();
        BlockingTest.awaitParkedOrDone(taker);
        taker.interrupt();
        taker.join(TimeUnit.SECONDS.toMillis(60));
        assertTrue(thrown.get() instanceof InterruptedException, "thrown: " + thrown.get());
        assertFalse(stillInterrupted.get(), "InterruptedException clears the interrupt status");
    }

    // ------------------------------------------------------------------ the ends do not conflict

    /**
     * Runs {@code first} in a transaction on another thread that, in its first attempt, waits
     * until {@code second} has committed on this thread, then commits. Returns how many attempts
     * {@code first} took: 1 if the two did not conflict, 2 if {@code second} invalidated it. The
     * first transaction also writes a ref of its own: a read-only transaction commits on the
     * snapshot it read and never has to run again, so it would show no conflict at all.
     */
    static int attemptsWhileAnotherCommits(Runnable first, Runnable second) throws InterruptedException {
        LongRef ownWrite = new LongRef();
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch otherCommitted = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                atomic(() -> {
                    first.run();
                    ownWrite.increment();
                    if (attempts.incrementAndGet() == 1) {
                        inside.countDown();
                        try {
                            if (!otherCommitted.await(60, TimeUnit.SECONDS)) {
                                throw new IllegalStateException("the other commit did not come");
                            }
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "first");
        thread.start();
        assertTrue(inside.await(60, TimeUnit.SECONDS), "the first transaction did not start");
        atomic(second);
        otherCommitted.countDown();
        thread.join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(thread.isAlive());
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        return attempts.get();
    }

    /** Two operations on a deque, one at each end (or a broken deque's version of them). */
    record EndPair(String name, int minimumSize, Consumer<TDeque<Integer>> first, Consumer<TDeque<Integer>> second) {}

    static final List<EndPair> OPPOSITE_ENDS = List.of(
            new EndPair("offerFirst / offerLast", 0, d -> d.offerFirst(-1), d -> d.offerLast(-2)),
            new EndPair("offerLast / offerFirst", 0, d -> d.offerLast(-1), d -> d.offerFirst(-2)),
            new EndPair("pollFirst / offerLast", 1, TDeque::pollFirst, d -> d.offerLast(-2)),
            new EndPair("offerFirst / pollLast", 1, d -> d.offerFirst(-1), TDeque::pollLast),
            new EndPair("pollLast / offerFirst", 1, TDeque::pollLast, d -> d.offerFirst(-2)),
            new EndPair("peekFirst / pollLast", 2, TDeque::peekFirst, TDeque::pollLast),
            new EndPair("pollFirst / pollLast", 2, TDeque::pollFirst, TDeque::pollLast),
            new EndPair("pollLast / pollFirst", 2, TDeque::pollLast, TDeque::pollFirst),
            new EndPair("isEmpty / pollLast", 2, TDeque::isEmpty, TDeque::pollLast));

    /**
     * For every pair, on deques of up to six elements placed at every offset in chunks of two and
     * of sixteen (so that either end may sit at a chunk's edge and cross it), asserts that the
     * operation at one end commits in one attempt although the other end changed meanwhile.
     */
    static void assertEndsDoNotConflict(List<EndPair> pairs) throws InterruptedException {
        for (int shift : new int[] {1, TDeque.DEFAULT_CHUNK_SHIFT}) {
            for (int front = 0; front <= 4; front++) {
                for (int back = 0; back <= 4; back++) {
                    for (int shiftedBy = 0; shiftedBy <= (1 << shift); shiftedBy++) {
                        for (EndPair pair : pairs) {
                            if (front + back < pair.minimumSize()) {
                                continue;
                            }
                            TDeque<Integer> deque = layout(shift, front, back, shiftedBy);
                            int attempts = attemptsWhileAnotherCommits(() -> pair.first().accept(deque),
                                    () -> pair.second().accept(deque));
                            assertEquals(1, attempts, pair.name() + " conflicted on " + deque + " (chunks of "
                                    + (1 << shift) + ", " + front + " pushed at the front, " + back
                                    + " at the back, after moving " + shiftedBy + " places)");
                        }
                    }
                }
            }
        }
    }

    /** A deque of front + back elements whose ends moved shiftedBy places back beforehand. */
    static TDeque<Integer> layout(int shift, int front, int back, int shiftedBy) {
        TDeque<Integer> deque = new TDeque<>(shift);
        atomic(() -> {
            for (int i = 0; i < shiftedBy; i++) {
                deque.offerLast(0);
                deque.pollFirst();
            }
            for (int i = 0; i < front; i++) {
                deque.offerFirst(100 + i);
            }
            for (int i = 0; i < back; i++) {
                deque.offerLast(200 + i);
            }
        });
        return deque;
    }

    @Test
    void theTwoEndsDoNotConflictUnlessTheResultOfOneDependsOnTheOther() throws InterruptedException {
        assertEndsDoNotConflict(OPPOSITE_ENDS);
        // where the result depends on the other end they must conflict (serializability)
        TDeque<Integer> one = layout(1, 0, 1, 1);
        assertEquals(2, attemptsWhileAnotherCommits(one::pollFirst, one::pollLast), "both took the one element");
        TDeque<Integer> empty = layout(1, 0, 0, 1);
        assertEquals(2, attemptsWhileAnotherCommits(empty::isEmpty, () -> empty.offerLast(1)),
                "it saw an empty deque that was not empty when it committed");
    }

    @Test
    void brokenTwinEndsSharingASizeCounterAreCaught() {
        // Broken: a deque that keeps an element count in one cell, read and written by both ends.
        LongRef count = new LongRef();
        List<EndPair> counting = List.of(new EndPair("counted pollFirst / counted pollLast", 2,
                d -> {
                    d.pollFirst();
                    count.set(count.get() - 1); // read and written (decrement() would commute: no conflict)
                },
                d -> {
                    d.pollLast();
                    count.set(count.get() - 1);
                }));
        assertThrows(AssertionFailedError.class, () -> assertEndsDoNotConflict(counting));
    }

    /**
     * Regression (session 19): an iterator's remove() in a nested scope that rolled back left the
     * element in the deque but kept the removal in the iterator's record of where its own removals
     * moved the elements; a later remove() then looked one place off and, finding another element
     * there, silently removed nothing. Now the iterator throws ConcurrentModificationException
     * after such a rollback, wherever in the deque the rolled-back removal was.
     */
    @Test
    void anIteratorRefusesOnceAScopeItRemovedInRolledBack() {
        for (int k = 0; k < 5; k++) {
            TDeque<Integer> deque = new TDeque<>();
            BlockingDeque<Integer> view = deque.asBlockingDeque();
            view.addAll(List.of(0, 1, 2, 3, 4));
            int victim = k;
            atomic(() -> {
                Iterator<Integer> it = view.iterator();
                for (int i = 0; i <= victim; i++) {
                    it.next();
                }
                assertThrows(DeliberateFailure.class, () -> atomic(() -> {
                    it.remove();
                    throw new DeliberateFailure();
                }));
                assertEquals(List.of(0, 1, 2, 3, 4), List.copyOf(view), "the rolled-back remove of " + victim);
                assertThrows(ConcurrentModificationException.class, it::next, "after removing " + victim);
                // a fresh iterator works, its remove() in a committed nested scope included
                Iterator<Integer> fresh = view.iterator();
                assertEquals(0, fresh.next());
                atomic(fresh::remove);
                assertEquals(1, fresh.next());
                fresh.remove();
            });
            assertEquals(List.of(2, 3, 4), List.copyOf(view), "k = " + k);
        }
    }
}
