package dev.weft.refs;

import static dev.weft.refs.OutsideTransaction.assertRejectedWithAdvice;
import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.atomicInt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

class IntRefTest {

    private static int committed(IntRef ref) {
        return ref.atomic().get();
    }

    // ------------------------------------------------------------------ in-transaction methods

    @Test
    void newRefHoldsZeroOrTheInitialValue() {
        assertEquals(0, committed(new IntRef()));
        assertEquals(-7, committed(new IntRef(-7)));
    }

    @Test
    void getReadsTheCommittedValue() {
        IntRef ref = new IntRef(42);
        assertEquals(42, atomicInt(ref::get));
    }

    @Test
    void setIsReadBackInTheTransactionAndCommitted() {
        IntRef ref = new IntRef(1);
        assertEquals(5, atomicInt(() -> {
            ref.set(5);
            return ref.get();
        }));
        assertEquals(5, committed(ref));
    }

    @Test
    void getAndSetReturnsThePreviousValueAndWrites() {
        IntRef ref = new IntRef(3);
        assertEquals(3, atomicInt(() -> ref.getAndSet(8)));
        assertEquals(8, committed(ref));
    }

    @Test
    void updateAppliesTheFunction() {
        IntRef ref = new IntRef(3);
        atomic(() -> ref.update(x -> x * 10));
        assertEquals(30, committed(ref));
    }

    @Test
    void updateAndGetReturnsTheNewValue() {
        IntRef ref = new IntRef(3);
        assertEquals(6, atomicInt(() -> ref.updateAndGet(x -> x * 2)));
        assertEquals(6, committed(ref));
    }

    @Test
    void getAndUpdateReturnsThePreviousValue() {
        IntRef ref = new IntRef(3);
        assertEquals(3, atomicInt(() -> ref.getAndUpdate(x -> x * 2)));
        assertEquals(6, committed(ref));
    }

    @Test
    void incrementAddsOne() {
        IntRef ref = new IntRef(3);
        atomic(ref::increment);
        assertEquals(4, committed(ref));
    }

    @Test
    void decrementSubtractsOne() {
        IntRef ref = new IntRef(3);
        atomic(ref::decrement);
        assertEquals(2, committed(ref));
    }

    @Test
    void addAddsTheDelta() {
        IntRef ref = new IntRef(3);
        atomic(() -> ref.add(-10));
        assertEquals(-7, committed(ref));
    }

    @Test
    void incrementAndGetReturnsTheNewValue() {
        IntRef ref = new IntRef(3);
        assertEquals(4, atomicInt(ref::incrementAndGet));
        assertEquals(4, committed(ref));
    }

    @Test
    void decrementAndGetReturnsTheNewValue() {
        IntRef ref = new IntRef(3);
        assertEquals(2, atomicInt(ref::decrementAndGet));
        assertEquals(2, committed(ref));
    }

    @Test
    void addAndGetReturnsTheNewValue() {
        IntRef ref = new IntRef(3);
        assertEquals(13, atomicInt(() -> ref.addAndGet(10)));
        assertEquals(13, committed(ref));
    }

    @Test
    void getAndAddReturnsThePreviousValue() {
        IntRef ref = new IntRef(3);
        assertEquals(3, atomicInt(() -> ref.getAndAdd(10)));
        assertEquals(13, committed(ref));
    }

    @Test
    void severalOperationsInOneTransactionComposeAndCommitTogether() {
        IntRef ref = new IntRef(1);
        assertEquals(9, atomicInt(() -> {
            ref.increment();            // 2
            ref.add(3);                 // 5
            ref.update(x -> x * 2);     // 10
            ref.decrement();            // 9
            return ref.getAndSet(1);
        }));
        assertEquals(1, committed(ref));
    }

    @Test
    void exceptionInTheBodyRollsBackEveryWrite() {
        IntRef ref = new IntRef(3);
        assertThrows(DeliberateFailure.class, () -> atomic(() -> {
            ref.set(100);
            ref.increment();
            throw new DeliberateFailure();
        }));
        assertEquals(3, committed(ref));
    }

    @Test
    void getOutsideTransactionThrowsWithAdvice() {
        assertRejectedWithAdvice("IntRef", new IntRef()::get);
    }

    @TestFactory
    Stream<DynamicTest> everyInTransactionMethodOutsideTransactionThrowsWithAdviceAndWritesNothing() {
        IntRef ref = new IntRef(3);
        return Stream.of(
                rejected(ref, "get", ref::get),
                rejected(ref, "set", () -> ref.set(1)),
                rejected(ref, "getAndSet", () -> ref.getAndSet(1)),
                rejected(ref, "update", () -> ref.update(IntRefTest::notCalled)),
                rejected(ref, "updateAndGet", () -> ref.updateAndGet(IntRefTest::notCalled)),
                rejected(ref, "getAndUpdate", () -> ref.getAndUpdate(IntRefTest::notCalled)),
                rejected(ref, "increment", ref::increment),
                rejected(ref, "decrement", ref::decrement),
                rejected(ref, "add", () -> ref.add(1)),
                rejected(ref, "incrementAndGet", ref::incrementAndGet),
                rejected(ref, "decrementAndGet", ref::decrementAndGet),
                rejected(ref, "addAndGet", () -> ref.addAndGet(1)),
                rejected(ref, "getAndAdd", () -> ref.getAndAdd(1)));
    }

    private static DynamicTest rejected(IntRef ref, String method, Executable call) {
        return dynamicTest(method, () -> {
            assertRejectedWithAdvice("IntRef", call);
            assertEquals(3, committed(ref), method + " changed the ref although it was rejected");
        });
    }

    private static int notCalled(int x) {
        return fail("the function must not be called outside a transaction");
    }

    // ------------------------------------------------------------------ the atomic() view, outside transactions

    @Test
    void atomicReturnsTheSameViewOfThisRef() {
        IntRef ref = new IntRef();
        assertSame(ref.atomic(), ref.atomic());
        assertSame(ref, ref.atomic().ref());
    }

    @Test
    void viewGetAndSetWorkWithoutATransaction() {
        IntRef.Atomic view = new IntRef(3).atomic();
        assertEquals(3, view.get());
        view.set(-4);
        assertEquals(-4, view.get());
    }

    @Test
    void viewGetAndSetReturnsThePreviousValue() {
        IntRef.Atomic view = new IntRef(3).atomic();
        assertEquals(3, view.getAndSet(9));
        assertEquals(9, view.get());
    }

    @Test
    void viewCompareAndSetWritesOnlyWhenTheValueIsExpected() {
        IntRef.Atomic view = new IntRef(3).atomic();
        assertFalse(view.compareAndSet(4, 10));
        assertEquals(3, view.get());
        assertTrue(view.compareAndSet(3, 10));
        assertEquals(10, view.get());
        assertFalse(view.compareAndSet(3, 11));
        assertEquals(10, view.get());
    }

    @Test
    void viewCompareAndSetMatchesNegativeValues() {
        IntRef.Atomic view = new IntRef(-1).atomic();
        assertTrue(view.compareAndSet(-1, Integer.MIN_VALUE));
        assertTrue(view.compareAndSet(Integer.MIN_VALUE, -2));
        assertEquals(-2, view.get());
    }

    @Test
    void viewIncrementAndDecrementMethodsReturnNewOrPreviousValues() {
        IntRef.Atomic view = new IntRef(3).atomic();
        assertEquals(4, view.incrementAndGet());
        assertEquals(3, view.decrementAndGet());
        assertEquals(3, view.getAndIncrement());
        assertEquals(4, view.get());
        assertEquals(4, view.getAndDecrement());
        assertEquals(3, view.get());
    }

    @Test
    void viewAddMethodsReturnNewOrPreviousValues() {
        IntRef.Atomic view = new IntRef(3).atomic();
        assertEquals(13, view.addAndGet(10));
        assertEquals(13, view.getAndAdd(-20));
        assertEquals(-7, view.get());
    }

    @Test
    void viewUpdateMethodsApplyTheFunction() {
        IntRef.Atomic view = new IntRef(3).atomic();
        assertEquals(6, view.updateAndGet(x -> x * 2));
        assertEquals(6, view.getAndUpdate(x -> x + 1));
        assertEquals(7, view.get());
        assertEquals(70, view.accumulateAndGet(10, (x, y) -> x * y));
        assertEquals(70, view.get());
    }

    // ------------------------------------------------------------------ the view inside a transaction

    @Test
    void viewReadInsideTransactionSeesTheTransactionsOwnWrite() {
        IntRef ref = new IntRef(1);
        assertEquals(2, atomicInt(() -> {
            ref.set(2);
            return ref.atomic().get();
        }));
    }

    @Test
    void viewWriteInsideTransactionIsSeenByItsReadsAndCommittedWithIt() {
        IntRef ref = new IntRef(1);
        assertEquals(6, atomicInt(() -> {
            ref.atomic().set(5);
            assertEquals("IntRef[1]", ref.toString(), "the view's write was committed before the transaction");
            return ref.get() + 1;
        }));
        assertEquals(5, committed(ref));
    }

    @TestFactory
    Stream<DynamicTest> viewWriteInsideTransactionRollsBackWithIt() {
        return Stream.of(
                rolledBack("set", view -> {
                    view.set(100);
                    return 100;
                }),
                rolledBack("getAndSet", view -> view.getAndSet(100) + 97),
                rolledBack("compareAndSet", view -> view.compareAndSet(3, 100) ? 100 : -1),
                rolledBack("incrementAndGet", IntRef.Atomic::incrementAndGet),
                rolledBack("decrementAndGet", IntRef.Atomic::decrementAndGet),
                rolledBack("getAndIncrement", view -> view.getAndIncrement() + 1),
                rolledBack("getAndDecrement", view -> view.getAndDecrement() - 1),
                rolledBack("addAndGet", view -> view.addAndGet(10)),
                rolledBack("getAndAdd", view -> view.getAndAdd(10) + 10),
                rolledBack("updateAndGet", view -> view.updateAndGet(x -> x * 2)),
                rolledBack("getAndUpdate", view -> view.getAndUpdate(x -> x * 2) * 2),
                rolledBack("accumulateAndGet", view -> view.accumulateAndGet(5, Integer::sum)));
    }

    /**
     * Runs {@code write} (which returns the value it leaves) through the view inside a transaction
     * that then fails: the transaction must see the write, and the failure must discard it.
     */
    private static DynamicTest rolledBack(String method, ToIntFunction<IntRef.Atomic> write) {
        return dynamicTest(method, () -> {
            IntRef ref = new IntRef(3);
            int[] seenInside = new int[1];
            assertThrows(DeliberateFailure.class, () -> atomic(() -> {
                int expected = write.applyAsInt(ref.atomic());
                assertEquals(expected, ref.get(), "the transaction does not see the view's write");
                seenInside[0] = ref.get();
                throw new DeliberateFailure();
            }));
            assertTrue(seenInside[0] != 3, "the write did not change the value inside the transaction");
            assertEquals(3, committed(ref), method + " escaped the rollback");
        });
    }

    // ------------------------------------------------------------------ int wrap-around

    @Test
    void viewIncrementAtMaxValueWrapsAndCompareAndSetStillMatches() {
        IntRef.Atomic view = new IntRef(Integer.MAX_VALUE).atomic();
        assertEquals(Integer.MIN_VALUE, view.incrementAndGet());
        assertEquals(Integer.MIN_VALUE, view.get());
        assertTrue(view.compareAndSet(Integer.MIN_VALUE, 0), "wrapped value is stored un-normalized");
        view.set(Integer.MIN_VALUE);
        assertEquals(Integer.MIN_VALUE, view.getAndDecrement());
        assertTrue(view.compareAndSet(Integer.MAX_VALUE, 1));
        view.set(Integer.MAX_VALUE);
        assertEquals(Integer.MIN_VALUE + 1, view.addAndGet(2));
        assertTrue(view.compareAndSet(Integer.MIN_VALUE + 1, 2));
    }

    @Test
    void transactionalIncrementAtMaxValueWrapsAndCompareAndSetStillMatches() {
        IntRef ref = new IntRef(Integer.MAX_VALUE);
        assertEquals(Integer.MIN_VALUE, atomicInt(ref::incrementAndGet));
        assertEquals(Integer.MIN_VALUE, committed(ref));
        assertTrue(ref.atomic().compareAndSet(Integer.MIN_VALUE, Integer.MAX_VALUE));

        assertEquals(Integer.MAX_VALUE, atomicInt(() -> ref.getAndAdd(3)));
        assertTrue(ref.atomic().compareAndSet(Integer.MIN_VALUE + 2, Integer.MIN_VALUE));

        atomic(ref::decrement);
        assertTrue(ref.atomic().compareAndSet(Integer.MAX_VALUE, Integer.MAX_VALUE));

        atomic(() -> ref.update(x -> x + 1));
        assertTrue(ref.atomic().compareAndSet(Integer.MIN_VALUE, 0));
    }

    @TestFactory
    Stream<DynamicTest> negativeValueFromEveryWriteIsMatchedByCompareAndSet() {
        // The cell must hold (long) value whichever method wrote it, or the raw-bit
        // compare-and-set of a negative int would fail.
        return Stream.of(
                normalized("constructor", ref -> { }, -5),
                normalized("set", ref -> atomic(() -> ref.set(-5)), 5),
                normalized("getAndSet", ref -> atomic(() -> ref.getAndSet(-5)), 5),
                normalized("update", ref -> atomic(() -> ref.update(x -> -x)), 5),
                normalized("updateAndGet", ref -> atomic(() -> ref.updateAndGet(x -> -x)), 5),
                normalized("getAndUpdate", ref -> atomic(() -> ref.getAndUpdate(x -> -x)), 5),
                normalized("decrement", ref -> atomic(ref::decrement), -4),
                normalized("add", ref -> atomic(() -> ref.add(-10)), 5),
                normalized("decrementAndGet", ref -> atomic(ref::decrementAndGet), -4),
                normalized("addAndGet", ref -> atomic(() -> ref.addAndGet(-10)), 5),
                normalized("getAndAdd", ref -> atomic(() -> ref.getAndAdd(-10)), 5),
                normalized("view set", ref -> ref.atomic().set(-5), 5),
                normalized("view getAndSet", ref -> ref.atomic().getAndSet(-5), 5),
                normalized("view compareAndSet", ref -> ref.atomic().compareAndSet(5, -5), 5),
                normalized("view decrementAndGet", ref -> ref.atomic().decrementAndGet(), -4),
                normalized("view getAndDecrement", ref -> ref.atomic().getAndDecrement(), -4),
                normalized("view addAndGet", ref -> ref.atomic().addAndGet(-10), 5),
                normalized("view getAndAdd", ref -> ref.atomic().getAndAdd(-10), 5),
                normalized("view updateAndGet", ref -> ref.atomic().updateAndGet(x -> -x), 5),
                normalized("view getAndUpdate", ref -> ref.atomic().getAndUpdate(x -> -x), 5),
                normalized("view accumulateAndGet", ref -> ref.atomic().accumulateAndGet(-10, Integer::sum), 5));
    }

    /** Starts a ref at {@code initial}, lets {@code write} bring it to -5, then compare-and-sets -5. */
    private static DynamicTest normalized(String method, Consumer<IntRef> write, int initial) {
        return dynamicTest(method, () -> {
            IntRef ref = new IntRef(initial);
            write.accept(ref);
            assertEquals(-5, committed(ref), "test bug: the write must leave -5");
            assertTrue(ref.atomic().compareAndSet(-5, 0), method + " stored -5 in a form compareAndSet does not match");
            assertEquals(0, committed(ref));
        });
    }

    @Test
    void wrappedValueWrittenInOneTransactionIsMatchedInsideAnother() {
        IntRef ref = new IntRef(Integer.MAX_VALUE);
        atomic(() -> ref.add(1));
        assertEquals(7, atomicInt(() -> ref.atomic().compareAndSet(Integer.MIN_VALUE, 7) ? ref.get() : -1));
    }

    // ------------------------------------------------------------------ toString

    @Test
    void toStringShowsTheCommittedValue() {
        IntRef ref = new IntRef(-12);
        assertEquals("IntRef[-12]", ref.toString());
        assertEquals("IntRef.Atomic[-12]", ref.atomic().toString());
    }

    @Test
    void toStringInsideATransactionShowsTheCommittedValueNotItsWrite() {
        IntRef ref = new IntRef(1);
        String[] inside = new String[2];
        atomic(() -> {
            ref.set(2);
            inside[0] = ref.toString();
            inside[1] = ref.atomic().toString();
        });
        assertEquals("IntRef[1]", inside[0]);
        assertEquals("IntRef.Atomic[1]", inside[1]);
        assertEquals("IntRef[2]", ref.toString());
    }

    @Test
    void toStringShowsTheCommittedValueWhileAnotherThreadsTransactionHoldsAWrite() throws Exception {
        IntRef ref = new IntRef(1);
        OpenTransaction open = OpenTransaction.start(() -> ref.set(2));
        try {
            assertEquals("IntRef[1]", ref.toString());
            assertEquals(1, ref.atomic().get());
        } finally {
            open.commit();
        }
        assertEquals("IntRef[2]", ref.toString());
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    void concurrentViewAndTransactionalIncrementsAreAllCounted() {
        // Invariant: every increment, whether a one-operation view call or a transaction, is
        // counted exactly once.
        IntRef counter = new IntRef();
        Race.run(thread -> {
            for (int i = 0; i < Race.OPERATIONS; i++) {
                counter.atomic().incrementAndGet();
                atomic(counter::increment);
            }
        });
        assertEquals(2 * Race.THREADS * Race.OPERATIONS, committed(counter),
                "lost or duplicated increments with " + Race.THREADS + " threads x " + Race.OPERATIONS);
    }

    @Test
    void concurrentGetAndIncrementHandsOutEveryValueExactlyOnce() {
        // Invariant: getAndIncrement (view) and getAndAdd(1) (transaction) are linearizable, so the
        // values they return are exactly 0 .. total-1, each once.
        IntRef ticket = new IntRef();
        int total = 2 * Race.THREADS * Race.OPERATIONS;
        AtomicIntegerArray handedOut = new AtomicIntegerArray(total);
        Race.run(thread -> {
            for (int i = 0; i < Race.OPERATIONS; i++) {
                handedOut.incrementAndGet(ticket.atomic().getAndIncrement());
                handedOut.incrementAndGet(atomicInt(() -> ticket.getAndAdd(1)));
            }
        });
        for (int value = 0; value < total; value++) {
            assertEquals(1, handedOut.get(value), "value " + value + " handed out the wrong number of times");
        }
        assertEquals(total, committed(ticket));
    }
}
