package dev.weft.refs;

import static dev.weft.refs.OutsideTransaction.assertRejectedWithAdvice;
import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.atomicBoolean;
import static dev.weft.stm.Stm.atomicInt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

class BooleanRefTest {

    private static boolean committed(BooleanRef ref) {
        return ref.atomic().get();
    }

    // ------------------------------------------------------------------ in-transaction methods

    @Test
    void newRefHoldsFalseOrTheInitialValue() {
        assertFalse(committed(new BooleanRef()));
        assertTrue(committed(new BooleanRef(true)));
    }

    @Test
    void getReadsTheCommittedValue() {
        BooleanRef ref = new BooleanRef(true);
        assertTrue(atomicBoolean(ref::get));
    }

    @Test
    void setIsReadBackInTheTransactionAndCommitted() {
        BooleanRef ref = new BooleanRef(false);
        assertTrue(atomicBoolean(() -> {
            ref.set(true);
            return ref.get();
        }));
        assertTrue(committed(ref));
        atomic(() -> ref.set(false));
        assertFalse(committed(ref));
    }

    @Test
    void getAndSetReturnsThePreviousValueAndWrites() {
        BooleanRef ref = new BooleanRef(false);
        assertFalse(atomicBoolean(() -> ref.getAndSet(true)));
        assertTrue(committed(ref));
        assertTrue(atomicBoolean(() -> ref.getAndSet(true)));
        assertTrue(committed(ref));
    }

    @Test
    void toggleFlipsTheValue() {
        BooleanRef ref = new BooleanRef(false);
        atomic(ref::toggle);
        assertTrue(committed(ref));
        atomic(ref::toggle);
        assertFalse(committed(ref));
    }

    @Test
    void toggleTwiceInOneTransactionLeavesTheValue() {
        BooleanRef ref = new BooleanRef(true);
        assertFalse(atomicBoolean(() -> {
            ref.toggle();
            boolean between = ref.get();
            ref.toggle();
            return between;
        }));
        assertTrue(committed(ref));
    }

    @Test
    void exceptionInTheBodyRollsBackEveryWrite() {
        BooleanRef ref = new BooleanRef(false);
        assertThrows(DeliberateFailure.class, () -> atomic(() -> {
            ref.set(true);
            throw new DeliberateFailure();
        }));
        assertFalse(committed(ref));
    }

    @Test
    void getOutsideTransactionThrowsWithAdvice() {
        assertRejectedWithAdvice("BooleanRef", new BooleanRef()::get);
    }

    @TestFactory
    Stream<DynamicTest> everyInTransactionMethodOutsideTransactionThrowsWithAdviceAndWritesNothing() {
        BooleanRef ref = new BooleanRef(false);
        return Stream.of(
                rejected(ref, "get", ref::get),
                rejected(ref, "set", () -> ref.set(true)),
                rejected(ref, "getAndSet", () -> ref.getAndSet(true)),
                rejected(ref, "toggle", ref::toggle));
    }

    private static DynamicTest rejected(BooleanRef ref, String method, Executable call) {
        return dynamicTest(method, () -> {
            assertRejectedWithAdvice("BooleanRef", call);
            assertFalse(committed(ref), method + " changed the ref although it was rejected");
        });
    }

    // ------------------------------------------------------------------ the atomic() view, outside transactions

    @Test
    void atomicReturnsTheSameViewOfThisRef() {
        BooleanRef ref = new BooleanRef();
        assertSame(ref.atomic(), ref.atomic());
        assertSame(ref, ref.atomic().ref());
    }

    @Test
    void viewGetAndSetWorkWithoutATransaction() {
        BooleanRef.Atomic view = new BooleanRef(false).atomic();
        assertFalse(view.get());
        view.set(true);
        assertTrue(view.get());
        view.set(false);
        assertFalse(view.get());
    }

    @Test
    void viewGetAndSetReturnsThePreviousValue() {
        BooleanRef.Atomic view = new BooleanRef(false).atomic();
        assertFalse(view.getAndSet(true));
        assertTrue(view.getAndSet(false));
        assertFalse(view.get());
    }

    @Test
    void viewCompareAndSetWritesOnlyWhenTheValueIsExpected() {
        BooleanRef.Atomic view = new BooleanRef(false).atomic();
        assertFalse(view.compareAndSet(true, false));
        assertFalse(view.get());
        assertTrue(view.compareAndSet(false, true));
        assertTrue(view.get());
        assertFalse(view.compareAndSet(false, true));
        assertTrue(view.compareAndSet(true, true));
        assertTrue(view.get());
    }

    @Test
    void viewGetAndToggleFlipsAndReturnsThePreviousValue() {
        BooleanRef.Atomic view = new BooleanRef(false).atomic();
        assertFalse(view.getAndToggle());
        assertTrue(view.get());
        assertTrue(view.getAndToggle());
        assertFalse(view.get());
    }

    // ------------------------------------------------------------------ the view inside a transaction

    @Test
    void viewReadInsideTransactionSeesTheTransactionsOwnWrite() {
        BooleanRef ref = new BooleanRef(false);
        assertTrue(atomicBoolean(() -> {
            ref.set(true);
            return ref.atomic().get();
        }));
    }

    @Test
    void viewWriteInsideTransactionIsSeenByItsReadsAndCommittedWithIt() {
        BooleanRef ref = new BooleanRef(false);
        assertTrue(atomicBoolean(() -> {
            ref.atomic().set(true);
            assertEquals("BooleanRef[false]", ref.toString(), "the view's write was committed before the transaction");
            return ref.get();
        }));
        assertTrue(committed(ref));
    }

    @TestFactory
    Stream<DynamicTest> viewWriteInsideTransactionRollsBackWithIt() {
        return Stream.of(
                rolledBack("set", view -> {
                    view.set(true);
                    return true;
                }),
                rolledBack("getAndSet", view -> !view.getAndSet(true)),
                rolledBack("compareAndSet", view -> view.compareAndSet(false, true)),
                rolledBack("getAndToggle", view -> !view.getAndToggle()));
    }

    /**
     * Runs {@code write} (which returns the value it leaves) through the view inside a transaction
     * that then fails: the transaction must see the write, and the failure must discard it.
     */
    private static DynamicTest rolledBack(String method, Predicate<BooleanRef.Atomic> write) {
        return dynamicTest(method, () -> {
            BooleanRef ref = new BooleanRef(false);
            boolean[] seenInside = new boolean[1];
            assertThrows(DeliberateFailure.class, () -> atomic(() -> {
                boolean expected = write.test(ref.atomic());
                assertEquals(expected, ref.get(), "the transaction does not see the view's write");
                seenInside[0] = ref.get();
                throw new DeliberateFailure();
            }));
            assertTrue(seenInside[0], "the write did not change the value inside the transaction");
            assertFalse(committed(ref), method + " escaped the rollback");
        });
    }

    @TestFactory
    Stream<DynamicTest> trueFromEveryWriteIsMatchedByCompareAndSet() {
        // The cell must hold exactly 1 for true whichever method wrote it, or the raw-bit
        // compare-and-set would not match it.
        return Stream.of(
                normalized("constructor", ref -> { }, true),
                normalized("set", ref -> atomic(() -> ref.set(true)), false),
                normalized("getAndSet", ref -> atomic(() -> ref.getAndSet(true)), false),
                normalized("toggle", ref -> atomic(ref::toggle), false),
                normalized("view set", ref -> ref.atomic().set(true), false),
                normalized("view getAndSet", ref -> ref.atomic().getAndSet(true), false),
                normalized("view compareAndSet", ref -> ref.atomic().compareAndSet(false, true), false),
                normalized("view getAndToggle", ref -> ref.atomic().getAndToggle(), false));
    }

    /** Starts a ref at {@code initial}, lets {@code write} make it true, then compare-and-sets true. */
    private static DynamicTest normalized(String method, Consumer<BooleanRef> write, boolean initial) {
        return dynamicTest(method, () -> {
            BooleanRef ref = new BooleanRef(initial);
            write.accept(ref);
            assertTrue(committed(ref), "test bug: the write must leave true");
            assertTrue(ref.atomic().compareAndSet(true, false), method + " stored true in a form compareAndSet does not match");
            assertFalse(committed(ref));
            assertEquals(0, atomicInt(() -> ref.get() ? 1 : 0));
        });
    }

    // ------------------------------------------------------------------ toString

    @Test
    void toStringShowsTheCommittedValue() {
        BooleanRef ref = new BooleanRef(true);
        assertEquals("BooleanRef[true]", ref.toString());
        assertEquals("BooleanRef.Atomic[true]", ref.atomic().toString());
    }

    @Test
    void toStringInsideATransactionShowsTheCommittedValueNotItsWrite() {
        BooleanRef ref = new BooleanRef(false);
        String[] inside = new String[2];
        atomic(() -> {
            ref.set(true);
            inside[0] = ref.toString();
            inside[1] = ref.atomic().toString();
        });
        assertEquals("BooleanRef[false]", inside[0]);
        assertEquals("BooleanRef.Atomic[false]", inside[1]);
        assertEquals("BooleanRef[true]", ref.toString());
    }

    @Test
    void toStringShowsTheCommittedValueWhileAnotherThreadsTransactionHoldsAWrite() throws Exception {
        BooleanRef ref = new BooleanRef(false);
        OpenTransaction open = OpenTransaction.start(() -> ref.set(true));
        try {
            assertEquals("BooleanRef[false]", ref.toString());
            assertFalse(ref.atomic().get());
        } finally {
            open.commit();
        }
        assertEquals("BooleanRef[true]", ref.toString());
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    void concurrentTogglesAlternateWithoutLosingAny() {
        // Invariant: toggles are linearizable, so the previous values they report alternate
        // false, true, false, ... over the whole history: an even number of toggles from false
        // reports exactly as many falses as trues and ends at false.
        BooleanRef flag = new BooleanRef(false);
        AtomicLongArray reported = new AtomicLongArray(2); // [0] falses, [1] trues
        Race.run(thread -> {
            for (int i = 0; i < Race.OPERATIONS; i++) {
                reported.incrementAndGet(flag.atomic().getAndToggle() ? 1 : 0);
                boolean previous = atomicBoolean(() -> {
                    boolean was = flag.get();
                    flag.toggle();
                    return was;
                });
                reported.incrementAndGet(previous ? 1 : 0);
            }
        });
        long toggles = 2L * Race.THREADS * Race.OPERATIONS;
        assertEquals(toggles / 2, reported.get(0), "falses reported, of " + toggles + " toggles");
        assertEquals(toggles / 2, reported.get(1), "trues reported, of " + toggles + " toggles");
        assertFalse(committed(flag));
    }
}
