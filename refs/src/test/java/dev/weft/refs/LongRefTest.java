package dev.weft.refs;

import static dev.weft.refs.OutsideTransaction.assertRejectedWithAdvice;
import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.atomicLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

class LongRefTest {

    private static long committed(LongRef ref) {
        return ref.atomic().get();
    }

    // ------------------------------------------------------------------ in-transaction methods

    @Test
    void newRefHoldsZeroOrTheInitialValue() {
        assertEquals(0, committed(new LongRef()));
        assertEquals(-7, committed(new LongRef(-7)));
    }

    @Test
    void getReadsTheCommittedValue() {
        LongRef ref = new LongRef(42);
        assertEquals(42, atomicLong(ref::get));
    }

    @Test
    void setIsReadBackInTheTransactionAndCommitted() {
        LongRef ref = new LongRef(1);
        assertEquals(5, atomicLong(() -> {
            ref.set(5);
            return ref.get();
        }));
        assertEquals(5, committed(ref));
    }

    @Test
    void getAndSetReturnsThePreviousValueAndWrites() {
        LongRef ref = new LongRef(3);
        assertEquals(3, atomicLong(() -> ref.getAndSet(8)));
        assertEquals(8, committed(ref));
    }

    @Test
    void updateAppliesTheFunction() {
        LongRef ref = new LongRef(3);
        atomic(() -> ref.update(x -> x * 10));
        assertEquals(30, committed(ref));
    }

    @Test
    void updateAndGetReturnsTheNewValue() {
        LongRef ref = new LongRef(3);
        assertEquals(6, atomicLong(() -> ref.updateAndGet(x -> x * 2)));
        assertEquals(6, committed(ref));
    }

    @Test
    void getAndUpdateReturnsThePreviousValue() {
        LongRef ref = new LongRef(3);
        assertEquals(3, atomicLong(() -> ref.getAndUpdate(x -> x * 2)));
        assertEquals(6, committed(ref));
    }

    @Test
    void incrementAddsOne() {
        LongRef ref = new LongRef(3);
        atomic(ref::increment);
        assertEquals(4, committed(ref));
    }

    @Test
    void decrementSubtractsOne() {
        LongRef ref = new LongRef(3);
        atomic(ref::decrement);
        assertEquals(2, committed(ref));
    }

    @Test
    void addAddsTheDelta() {
        LongRef ref = new LongRef(3);
        atomic(() -> ref.add(-10));
        assertEquals(-7, committed(ref));
    }

    @Test
    void incrementAndGetReturnsTheNewValue() {
        LongRef ref = new LongRef(3);
        assertEquals(4, atomicLong(ref::incrementAndGet));
        assertEquals(4, committed(ref));
    }

    @Test
    void decrementAndGetReturnsTheNewValue() {
        LongRef ref = new LongRef(3);
        assertEquals(2, atomicLong(ref::decrementAndGet));
        assertEquals(2, committed(ref));
    }

    @Test
    void addAndGetReturnsTheNewValue() {
        LongRef ref = new LongRef(3);
        assertEquals(13, atomicLong(() -> ref.addAndGet(10)));
        assertEquals(13, committed(ref));
    }

    @Test
    void getAndAddReturnsThePreviousValue() {
        LongRef ref = new LongRef(3);
        assertEquals(3, atomicLong(() -> ref.getAndAdd(10)));
        assertEquals(13, committed(ref));
    }

    @Test
    void severalOperationsInOneTransactionComposeAndCommitTogether() {
        LongRef ref = new LongRef(1);
        assertEquals(9, atomicLong(() -> {
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
        LongRef ref = new LongRef(3);
        assertThrows(DeliberateFailure.class, () -> atomic(() -> {
            ref.set(100);
            ref.increment();
            throw new DeliberateFailure();
        }));
        assertEquals(3, committed(ref));
    }

    @Test
    void getOutsideTransactionThrowsWithAdvice() {
        assertRejectedWithAdvice("LongRef", new LongRef()::get);
    }

    @TestFactory
    Stream<DynamicTest> everyInTransactionMethodOutsideTransactionThrowsWithAdviceAndWritesNothing() {
        LongRef ref = new LongRef(3);
        return Stream.of(
                rejected(ref, "get", ref::get),
                rejected(ref, "set", () -> ref.set(1)),
                rejected(ref, "getAndSet", () -> ref.getAndSet(1)),
                rejected(ref, "update", () -> ref.update(LongRefTest::notCalled)),
                rejected(ref, "updateAndGet", () -> ref.updateAndGet(LongRefTest::notCalled)),
                rejected(ref, "getAndUpdate", () -> ref.getAndUpdate(LongRefTest::notCalled)),
                rejected(ref, "increment", ref::increment),
                rejected(ref, "decrement", ref::decrement),
                rejected(ref, "add", () -> ref.add(1)),
                rejected(ref, "incrementAndGet", ref::incrementAndGet),
                rejected(ref, "decrementAndGet", ref::decrementAndGet),
                rejected(ref, "addAndGet", () -> ref.addAndGet(1)),
                rejected(ref, "getAndAdd", () -> ref.getAndAdd(1)));
    }

    private static DynamicTest rejected(LongRef ref, String method, Executable call) {
        return dynamicTest(method, () -> {
            assertRejectedWithAdvice("LongRef", call);
            assertEquals(3, committed(ref), method + " changed the ref although it was rejected");
        });
    }

    private static long notCalled(long x) {
        return fail("the function must not be called outside a transaction");
    }

    // ------------------------------------------------------------------ the atomic() view, outside transactions

    @Test
    void atomicReturnsTheSameViewOfThisRef() {
        LongRef ref = new LongRef();
        assertSame(ref.atomic(), ref.atomic());
        assertSame(ref, ref.atomic().ref());
    }

    @Test
    void viewGetAndSetWorkWithoutATransaction() {
        LongRef.Atomic view = new LongRef(3).atomic();
        assertEquals(3, view.get());
        view.set(-4);
        assertEquals(-4, view.get());
    }

    @Test
    void viewGetAndSetReturnsThePreviousValue() {
        LongRef.Atomic view = new LongRef(3).atomic();
        assertEquals(3, view.getAndSet(9));
        assertEquals(9, view.get());
    }

    @Test
    void viewCompareAndSetWritesOnlyWhenTheValueIsExpected() {
        LongRef.Atomic view = new LongRef(3).atomic();
        assertFalse(view.compareAndSet(4, 10));
        assertEquals(3, view.get());
        assertTrue(view.compareAndSet(3, 10));
        assertEquals(10, view.get());
        assertFalse(view.compareAndSet(3, 11));
        assertEquals(10, view.get());
    }

    @Test
    void viewCompareAndSetMatchesNegativeValues() {
        LongRef.Atomic view = new LongRef(-1).atomic();
        assertTrue(view.compareAndSet(-1, Long.MIN_VALUE));
        assertTrue(view.compareAndSet(Long.MIN_VALUE, -2));
        assertEquals(-2, view.get());
    }

    @Test
    void viewIncrementAndDecrementMethodsReturnNewOrPreviousValues() {
        LongRef.Atomic view = new LongRef(3).atomic();
        assertEquals(4, view.incrementAndGet());
        assertEquals(3, view.decrementAndGet());
        assertEquals(3, view.getAndIncrement());
        assertEquals(4, view.get());
        assertEquals(4, view.getAndDecrement());
        assertEquals(3, view.get());
    }

    @Test
    void viewAddMethodsReturnNewOrPreviousValues() {
        LongRef.Atomic view = new LongRef(3).atomic();
        assertEquals(13, view.addAndGet(10));
        assertEquals(13, view.getAndAdd(-20));
        assertEquals(-7, view.get());
    }

    @Test
    void viewUpdateMethodsApplyTheFunction() {
        LongRef.Atomic view = new LongRef(3).atomic();
        assertEquals(6, view.updateAndGet(x -> x * 2));
        assertEquals(6, view.getAndUpdate(x -> x + 1));
        assertEquals(7, view.get());
        assertEquals(70, view.accumulateAndGet(10, (x, y) -> x * y));
        assertEquals(70, view.get());
    }

    // ------------------------------------------------------------------ the view inside a transaction

    @Test
    void viewReadInsideTransactionSeesTheTransactionsOwnWrite() {
        LongRef ref = new LongRef(1);
        assertEquals(2, atomicLong(() -> {
            ref.set(2);
            return ref.atomic().get();
        }));
    }

    @Test
    void viewWriteInsideTransactionIsSeenByItsReadsAndCommittedWithIt() {
        LongRef ref = new LongRef(1);
        assertEquals(6, atomicLong(() -> {
            ref.atomic().set(5);
            assertEquals("LongRef[1]", ref.toString(), "the view's write was committed before the transaction");
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
                rolledBack("incrementAndGet", LongRef.Atomic::incrementAndGet),
                rolledBack("decrementAndGet", LongRef.Atomic::decrementAndGet),
                rolledBack("getAndIncrement", view -> view.getAndIncrement() + 1),
                rolledBack("getAndDecrement", view -> view.getAndDecrement() - 1),
                rolledBack("addAndGet", view -> view.addAndGet(10)),
                rolledBack("getAndAdd", view -> view.getAndAdd(10) + 10),
                rolledBack("updateAndGet", view -> view.updateAndGet(x -> x * 2)),
                rolledBack("getAndUpdate", view -> view.getAndUpdate(x -> x * 2) * 2),
                rolledBack("accumulateAndGet", view -> view.accumulateAndGet(5, Long::sum)));
    }

    /**
     * Runs {@code write} (which returns the value it leaves) through the view inside a transaction
     * that then fails: the transaction must see the write, and the failure must discard it.
     */
    private static DynamicTest rolledBack(String method, ToLongFunction<LongRef.Atomic> write) {
        return dynamicTest(method, () -> {
            LongRef ref = new LongRef(3);
            long[] seenInside = new long[1];
            assertThrows(DeliberateFailure.class, () -> atomic(() -> {
                long expected = write.applyAsLong(ref.atomic());
                assertEquals(expected, ref.get(), "the transaction does not see the view's write");
                seenInside[0] = ref.get();
                throw new DeliberateFailure();
            }));
            assertTrue(seenInside[0] != 3, "the write did not change the value inside the transaction");
            assertEquals(3, committed(ref), method + " escaped the rollback");
        });
    }

    // ------------------------------------------------------------------ long wrap-around

    @Test
    void viewIncrementAtMaxValueWrapsAndCompareAndSetStillMatches() {
        LongRef.Atomic view = new LongRef(Long.MAX_VALUE).atomic();
        assertEquals(Long.MIN_VALUE, view.incrementAndGet());
        assertEquals(Long.MIN_VALUE, view.get());
        assertTrue(view.compareAndSet(Long.MIN_VALUE, 0), "wrapped value no longer matches");
        view.set(Long.MIN_VALUE);
        assertEquals(Long.MIN_VALUE, view.getAndDecrement());
        assertTrue(view.compareAndSet(Long.MAX_VALUE, 1));
        view.set(Long.MAX_VALUE);
        assertEquals(Long.MIN_VALUE + 1, view.addAndGet(2));
        assertTrue(view.compareAndSet(Long.MIN_VALUE + 1, 2));
    }

    @Test
    void transactionalIncrementAtMaxValueWrapsAndCompareAndSetStillMatches() {
        LongRef ref = new LongRef(Long.MAX_VALUE);
        assertEquals(Long.MIN_VALUE, atomicLong(ref::incrementAndGet));
        assertEquals(Long.MIN_VALUE, committed(ref));
        assertTrue(ref.atomic().compareAndSet(Long.MIN_VALUE, Long.MAX_VALUE));

        assertEquals(Long.MAX_VALUE, atomicLong(() -> ref.getAndAdd(3)));
        assertTrue(ref.atomic().compareAndSet(Long.MIN_VALUE + 2, Long.MIN_VALUE));

        atomic(ref::decrement);
        assertTrue(ref.atomic().compareAndSet(Long.MAX_VALUE, Long.MAX_VALUE));

        atomic(() -> ref.update(x -> x + 1));
        assertTrue(ref.atomic().compareAndSet(Long.MIN_VALUE, 0));
    }

    @Test
    void wrappedValueWrittenInOneTransactionIsMatchedInsideAnother() {
        LongRef ref = new LongRef(Long.MAX_VALUE);
        atomic(() -> ref.add(1));
        assertEquals(7, atomicLong(() -> ref.atomic().compareAndSet(Long.MIN_VALUE, 7) ? ref.get() : -1));
    }

    // ------------------------------------------------------------------ toString

    @Test
    void toStringShowsTheCommittedValue() {
        LongRef ref = new LongRef(-12);
        assertEquals("LongRef[-12]", ref.toString());
        assertEquals("LongRef.Atomic[-12]", ref.atomic().toString());
    }

    @Test
    void toStringInsideATransactionShowsTheCommittedValueNotItsWrite() {
        LongRef ref = new LongRef(1);
        String[] inside = new String[2];
        atomic(() -> {
            ref.set(2);
            inside[0] = ref.toString();
            inside[1] = ref.atomic().toString();
        });
        assertEquals("LongRef[1]", inside[0]);
        assertEquals("LongRef.Atomic[1]", inside[1]);
        assertEquals("LongRef[2]", ref.toString());
    }

    @Test
    void toStringShowsTheCommittedValueWhileAnotherThreadsTransactionHoldsAWrite() throws Exception {
        LongRef ref = new LongRef(1);
        OpenTransaction open = OpenTransaction.start(() -> ref.set(2));
        try {
            assertEquals("LongRef[1]", ref.toString());
            assertEquals(1, ref.atomic().get());
        } finally {
            open.commit();
        }
        assertEquals("LongRef[2]", ref.toString());
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    void concurrentViewAndTransactionalIncrementsAreAllCounted() {
        // Invariant: every increment, whether a one-operation view call or a transaction, is
        // counted exactly once.
        LongRef counter = new LongRef();
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
        LongRef ticket = new LongRef();
        int total = 2 * Race.THREADS * Race.OPERATIONS;
        AtomicIntegerArray handedOut = new AtomicIntegerArray(total);
        Race.run(thread -> {
            for (int i = 0; i < Race.OPERATIONS; i++) {
                handedOut.incrementAndGet((int) ticket.atomic().getAndIncrement());
                handedOut.incrementAndGet((int) atomicLong(() -> ticket.getAndAdd(1)));
            }
        });
        for (int value = 0; value < total; value++) {
            assertEquals(1, handedOut.get(value), "value " + value + " handed out the wrong number of times");
        }
        assertEquals(total, committed(ticket));
    }
}
