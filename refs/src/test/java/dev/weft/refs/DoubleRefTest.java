package dev.weft.refs;

import static dev.weft.refs.OutsideTransaction.assertRejectedWithAdvice;
import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.atomicDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

// assertEquals(double, double) compares like Double.equals: -0.0 differs from 0.0, NaN equals NaN.
class DoubleRefTest {
    /** A quiet NaN whose bits differ from {@link Double#NaN}'s. */
    private static final double OTHER_NAN = Double.longBitsToDouble(0x7ff8_0000_0000_0001L);

    private static double committed(DoubleRef ref) {
        return ref.atomic().get();
    }

    private static long bits(double value) {
        return Double.doubleToRawLongBits(value);
    }

    // ------------------------------------------------------------------ in-transaction methods

    @Test
    void newRefHoldsPositiveZeroOrTheInitialValue() {
        assertEquals(0.0, committed(new DoubleRef()));
        assertEquals(-2.5, committed(new DoubleRef(-2.5)));
        assertEquals(-0.0, committed(new DoubleRef(-0.0)));
    }

    @Test
    void getReadsTheCommittedValue() {
        DoubleRef ref = new DoubleRef(4.25);
        assertEquals(4.25, atomicDouble(ref::get));
    }

    @Test
    void setIsReadBackInTheTransactionAndCommitted() {
        DoubleRef ref = new DoubleRef(1.0);
        assertEquals(5.5, atomicDouble(() -> {
            ref.set(5.5);
            return ref.get();
        }));
        assertEquals(5.5, committed(ref));
    }

    @Test
    void getAndSetReturnsThePreviousValueAndWrites() {
        DoubleRef ref = new DoubleRef(3.0);
        assertEquals(3.0, atomicDouble(() -> ref.getAndSet(8.0)));
        assertEquals(8.0, committed(ref));
    }

    @Test
    void updateAppliesTheFunction() {
        DoubleRef ref = new DoubleRef(3.0);
        atomic(() -> ref.update(x -> x / 2));
        assertEquals(1.5, committed(ref));
    }

    @Test
    void updateAndGetReturnsTheNewValue() {
        DoubleRef ref = new DoubleRef(3.0);
        assertEquals(6.0, atomicDouble(() -> ref.updateAndGet(x -> x * 2)));
        assertEquals(6.0, committed(ref));
    }

    @Test
    void getAndUpdateReturnsThePreviousValue() {
        DoubleRef ref = new DoubleRef(3.0);
        assertEquals(3.0, atomicDouble(() -> ref.getAndUpdate(x -> x * 2)));
        assertEquals(6.0, committed(ref));
    }

    @Test
    void addAddsTheDelta() {
        DoubleRef ref = new DoubleRef(3.0);
        atomic(() -> ref.add(-0.5));
        assertEquals(2.5, committed(ref));
    }

    @Test
    void addAndGetReturnsTheNewValue() {
        DoubleRef ref = new DoubleRef(3.0);
        assertEquals(3.25, atomicDouble(() -> ref.addAndGet(0.25)));
        assertEquals(3.25, committed(ref));
    }

    @Test
    void getAndAddReturnsThePreviousValue() {
        DoubleRef ref = new DoubleRef(3.0);
        assertEquals(3.0, atomicDouble(() -> ref.getAndAdd(0.25)));
        assertEquals(3.25, committed(ref));
    }

    @Test
    void setKeepsTheExactBitsOfNegativeZeroAndNaNPayloads() {
        DoubleRef ref = new DoubleRef(1.0);
        atomic(() -> ref.set(-0.0));
        assertEquals(bits(-0.0), bits(committed(ref)));
        atomic(() -> ref.set(OTHER_NAN));
        assertEquals(bits(OTHER_NAN), bits(atomicDouble(ref::get)));
    }

    @Test
    void exceptionInTheBodyRollsBackEveryWrite() {
        DoubleRef ref = new DoubleRef(3.0);
        assertThrows(DeliberateFailure.class, () -> atomic(() -> {
            ref.set(100.0);
            ref.add(1.0);
            throw new DeliberateFailure();
        }));
        assertEquals(3.0, committed(ref));
    }

    @Test
    void getOutsideTransactionThrowsWithAdvice() {
        assertRejectedWithAdvice("DoubleRef", new DoubleRef()::get);
    }

    @TestFactory
    Stream<DynamicTest> everyInTransactionMethodOutsideTransactionThrowsWithAdviceAndWritesNothing() {
        DoubleRef ref = new DoubleRef(3.0);
        return Stream.of(
                rejected(ref, "get", ref::get),
                rejected(ref, "set", () -> ref.set(1.0)),
                rejected(ref, "getAndSet", () -> ref.getAndSet(1.0)),
                rejected(ref, "update", () -> ref.update(DoubleRefTest::notCalled)),
                rejected(ref, "updateAndGet", () -> ref.updateAndGet(DoubleRefTest::notCalled)),
                rejected(ref, "getAndUpdate", () -> ref.getAndUpdate(DoubleRefTest::notCalled)),
                rejected(ref, "add", () -> ref.add(1.0)),
                rejected(ref, "addAndGet", () -> ref.addAndGet(1.0)),
                rejected(ref, "getAndAdd", () -> ref.getAndAdd(1.0)));
    }

    private static DynamicTest rejected(DoubleRef ref, String method, Executable call) {
        return dynamicTest(method, () -> {
            assertRejectedWithAdvice("DoubleRef", call);
            assertEquals(3.0, committed(ref), method + " changed the ref although it was rejected");
        });
    }

    private static double notCalled(double x) {
        return fail("the function must not be called outside a transaction");
    }

    // ------------------------------------------------------------------ the atomic() view, outside transactions

    @Test
    void atomicReturnsTheSameViewOfThisRef() {
        DoubleRef ref = new DoubleRef();
        assertSame(ref.atomic(), ref.atomic());
        assertSame(ref, ref.atomic().ref());
    }

    @Test
    void viewGetAndSetWorkWithoutATransaction() {
        DoubleRef.Atomic view = new DoubleRef(3.0).atomic();
        assertEquals(3.0, view.get());
        view.set(-4.5);
        assertEquals(-4.5, view.get());
    }

    @Test
    void viewGetAndSetReturnsThePreviousValue() {
        DoubleRef.Atomic view = new DoubleRef(3.0).atomic();
        assertEquals(3.0, view.getAndSet(9.0));
        assertEquals(9.0, view.get());
    }

    @Test
    void viewCompareAndSetWritesOnlyWhenTheValueIsExpected() {
        DoubleRef.Atomic view = new DoubleRef(3.0).atomic();
        assertFalse(view.compareAndSet(3.5, 10.0));
        assertEquals(3.0, view.get());
        assertTrue(view.compareAndSet(3.0, 10.0));
        assertEquals(10.0, view.get());
    }

    @Test
    void viewCompareAndSetTellsPositiveFromNegativeZero() {
        DoubleRef.Atomic view = new DoubleRef(-0.0).atomic();
        assertFalse(view.compareAndSet(0.0, 1.0), "0.0 == -0.0 but their bits differ");
        assertEquals(-0.0, view.get());
        assertTrue(view.compareAndSet(-0.0, 0.0));
        assertFalse(view.compareAndSet(-0.0, 1.0));
        assertTrue(view.compareAndSet(0.0, 1.0));
        assertEquals(1.0, view.get());
    }

    @Test
    void viewCompareAndSetMatchesTheSameNaNButNotAnotherNaN() {
        DoubleRef.Atomic view = new DoubleRef(Double.NaN).atomic();
        assertFalse(view.compareAndSet(OTHER_NAN, 1.0), "a NaN with other bits must not match");
        assertEquals(bits(Double.NaN), bits(view.get()));
        assertTrue(view.compareAndSet(Double.NaN, OTHER_NAN), "NaN != NaN but the same bits must match");
        assertEquals(bits(OTHER_NAN), bits(view.get()));
        assertTrue(view.compareAndSet(OTHER_NAN, 2.0));
        assertEquals(2.0, view.get());
    }

    @Test
    void viewCompareAndSetInsideATransactionAlsoComparesBits() {
        DoubleRef ref = new DoubleRef(-0.0);
        assertEquals(-0.0, atomicDouble(() -> ref.atomic().compareAndSet(0.0, 5.0) ? 5.0 : ref.get()));
        ref.atomic().set(Double.NaN);
        assertEquals(5.0, atomicDouble(() -> ref.atomic().compareAndSet(Double.NaN, 5.0) ? ref.get() : -1.0));
    }

    @Test
    void viewAddMethodsReturnNewOrPreviousValues() {
        DoubleRef.Atomic view = new DoubleRef(3.0).atomic();
        assertEquals(3.5, view.addAndGet(0.5));
        assertEquals(3.5, view.getAndAdd(-4.0));
        assertEquals(-0.5, view.get());
    }

    @Test
    void viewUpdateMethodsApplyTheFunction() {
        DoubleRef.Atomic view = new DoubleRef(3.0).atomic();
        assertEquals(6.0, view.updateAndGet(x -> x * 2));
        assertEquals(6.0, view.getAndUpdate(x -> x + 1));
        assertEquals(7.0, view.get());
        assertEquals(70.0, view.accumulateAndGet(10.0, (x, y) -> x * y));
        assertEquals(70.0, view.get());
    }

    @Test
    void viewUpdateLoopsTerminateOnNaN() {
        // With == as the comparison a NaN could never be compared-and-set: these would spin forever.
        DoubleRef.Atomic view = new DoubleRef(Double.NaN).atomic();
        assertEquals(Double.NaN, view.updateAndGet(x -> x));
        assertEquals(Double.NaN, view.getAndUpdate(x -> x + 1));
        assertEquals(Double.NaN, view.addAndGet(1.0));
        assertEquals(Double.NaN, view.getAndAdd(1.0));
        assertEquals(Double.NaN, view.accumulateAndGet(2.0, (x, y) -> x * y));
        view.set(Double.NaN);
        assertEquals(0.0, view.updateAndGet(x -> 0.0));
    }

    // ------------------------------------------------------------------ the view inside a transaction

    @Test
    void viewReadInsideTransactionSeesTheTransactionsOwnWrite() {
        DoubleRef ref = new DoubleRef(1.0);
        assertEquals(2.0, atomicDouble(() -> {
            ref.set(2.0);
            return ref.atomic().get();
        }));
    }

    @Test
    void viewWriteInsideTransactionIsSeenByItsReadsAndCommittedWithIt() {
        DoubleRef ref = new DoubleRef(1.0);
        assertEquals(6.0, atomicDouble(() -> {
            ref.atomic().set(5.0);
            assertEquals("DoubleRef[1.0]", ref.toString(), "the view's write was committed before the transaction");
            return ref.get() + 1;
        }));
        assertEquals(5.0, committed(ref));
    }

    @TestFactory
    Stream<DynamicTest> viewWriteInsideTransactionRollsBackWithIt() {
        return Stream.of(
                rolledBack("set", view -> {
                    view.set(100.0);
                    return 100.0;
                }),
                rolledBack("getAndSet", view -> view.getAndSet(100.0) + 97.0),
                rolledBack("compareAndSet", view -> view.compareAndSet(3.0, 100.0) ? 100.0 : -1.0),
                rolledBack("addAndGet", view -> view.addAndGet(10.0)),
                rolledBack("getAndAdd", view -> view.getAndAdd(10.0) + 10.0),
                rolledBack("updateAndGet", view -> view.updateAndGet(x -> x * 2)),
                rolledBack("getAndUpdate", view -> view.getAndUpdate(x -> x * 2) * 2),
                rolledBack("accumulateAndGet", view -> view.accumulateAndGet(5.0, Double::sum)));
    }

    /**
     * Runs {@code write} (which returns the value it leaves) through the view inside a transaction
     * that then fails: the transaction must see the write, and the failure must discard it.
     */
    private static DynamicTest rolledBack(String method, ToDoubleFunction<DoubleRef.Atomic> write) {
        return dynamicTest(method, () -> {
            DoubleRef ref = new DoubleRef(3.0);
            double[] seenInside = new double[1];
            assertThrows(DeliberateFailure.class, () -> atomic(() -> {
                double expected = write.applyAsDouble(ref.atomic());
                assertEquals(expected, ref.get(), "the transaction does not see the view's write");
                seenInside[0] = ref.get();
                throw new DeliberateFailure();
            }));
            assertNotEquals(3.0, seenInside[0], "the write did not change the value inside the transaction");
            assertEquals(3.0, committed(ref), method + " escaped the rollback");
        });
    }

    // ------------------------------------------------------------------ toString

    @Test
    void toStringShowsTheCommittedValue() {
        DoubleRef ref = new DoubleRef(-1.5);
        assertEquals("DoubleRef[-1.5]", ref.toString());
        assertEquals("DoubleRef.Atomic[-1.5]", ref.atomic().toString());
        ref.atomic().set(-0.0);
        assertEquals("DoubleRef[-0.0]", ref.toString());
    }

    @Test
    void toStringInsideATransactionShowsTheCommittedValueNotItsWrite() {
        DoubleRef ref = new DoubleRef(1.0);
        String[] inside = new String[2];
        atomic(() -> {
            ref.set(2.0);
            inside[0] = ref.toString();
            inside[1] = ref.atomic().toString();
        });
        assertEquals("DoubleRef[1.0]", inside[0]);
        assertEquals("DoubleRef.Atomic[1.0]", inside[1]);
        assertEquals("DoubleRef[2.0]", ref.toString());
    }

    @Test
    void toStringShowsTheCommittedValueWhileAnotherThreadsTransactionHoldsAWrite() throws Exception {
        DoubleRef ref = new DoubleRef(1.0);
        OpenTransaction open = OpenTransaction.start(() -> ref.set(2.0));
        try {
            assertEquals("DoubleRef[1.0]", ref.toString());
            assertEquals(1.0, ref.atomic().get());
        } finally {
            open.commit();
        }
        assertEquals("DoubleRef[2.0]", ref.toString());
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    void concurrentViewAndTransactionalAddsAreAllCounted() {
        // Invariant: every add of 1.0, whether a one-operation view call or a transaction, is
        // counted exactly once (sums of small integers are exact in double arithmetic).
        DoubleRef counter = new DoubleRef();
        Race.run(thread -> {
            for (int i = 0; i < Race.OPERATIONS; i++) {
                counter.atomic().addAndGet(1.0);
                atomic(() -> counter.add(1.0));
            }
        });
        assertEquals(2.0 * Race.THREADS * Race.OPERATIONS, committed(counter),
                "lost or duplicated adds with " + Race.THREADS + " threads x " + Race.OPERATIONS);
    }

    @Test
    void concurrentGetAndAddHandsOutEveryValueExactlyOnce() {
        // Invariant: getAndAdd(1.0), view or transactional, is linearizable, so the values it
        // returns are exactly 0 .. total-1, each once.
        DoubleRef ticket = new DoubleRef();
        int total = 2 * Race.THREADS * Race.OPERATIONS;
        AtomicIntegerArray handedOut = new AtomicIntegerArray(total);
        Race.run(thread -> {
            for (int i = 0; i < Race.OPERATIONS; i++) {
                handedOut.incrementAndGet((int) ticket.atomic().getAndAdd(1.0));
                handedOut.incrementAndGet((int) atomicDouble(() -> ticket.getAndAdd(1.0)));
            }
        });
        for (int value = 0; value < total; value++) {
            assertEquals(1, handedOut.get(value), "value " + value + " handed out the wrong number of times");
        }
        assertEquals(total, committed(ticket));
    }
}
