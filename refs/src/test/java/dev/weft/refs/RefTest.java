package dev.weft.refs;

import static dev.weft.refs.OutsideTransaction.assertRejectedWithAdvice;
import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

class RefTest {

    private static <T> T committed(Ref<T> ref) {
        return ref.atomic().get();
    }

    /** A string equal to {@code value} but not the same object. */
    private static String equalButDistinct(String value) {
        String copy = new String(value);
        assertNotSame(value, copy);
        return copy;
    }

    // ------------------------------------------------------------------ in-transaction methods

    @Test
    void newRefHoldsNullOrTheInitialValue() {
        assertNull(committed(new Ref<String>()));
        assertNull(committed(new Ref<String>(null)));
        assertEquals("a", committed(new Ref<>("a")));
    }

    @Test
    void getReadsTheCommittedValue() {
        Ref<String> ref = new Ref<>("a");
        assertEquals("a", atomic(ref::get));
    }

    @Test
    void setIsReadBackInTheTransactionAndCommitted() {
        Ref<String> ref = new Ref<>("a");
        assertEquals("b", atomic(() -> {
            ref.set("b");
            return ref.get();
        }));
        assertEquals("b", committed(ref));
    }

    @Test
    void getAndSetReturnsThePreviousValueAndWrites() {
        Ref<String> ref = new Ref<>("a");
        assertEquals("a", atomic(() -> ref.getAndSet("b")));
        assertEquals("b", committed(ref));
    }

    @Test
    void updateAppliesTheFunction() {
        Ref<String> ref = new Ref<>("a");
        atomic(() -> ref.update(s -> s + "b"));
        assertEquals("ab", committed(ref));
    }

    @Test
    void updateAndGetReturnsTheNewValue() {
        Ref<String> ref = new Ref<>("a");
        assertEquals("ab", atomic(() -> ref.updateAndGet(s -> s + "b")));
        assertEquals("ab", committed(ref));
    }

    @Test
    void getAndUpdateReturnsThePreviousValue() {
        Ref<String> ref = new Ref<>("a");
        assertEquals("a", atomic(() -> ref.getAndUpdate(s -> s + "b")));
        assertEquals("ab", committed(ref));
    }

    @Test
    void nullIsAnOrdinaryValueInTransactions() {
        Ref<String> ref = new Ref<>();
        assertNull(atomic(ref::get));
        assertNull(atomic(() -> ref.getAndSet("a")));
        assertEquals("a", atomic(() -> ref.getAndSet(null)));
        assertNull(committed(ref));
        assertEquals("null!", atomic(() -> ref.updateAndGet(s -> s + "!")));
        assertNull(atomic(() -> ref.updateAndGet(s -> null)));
        atomic(() -> ref.set(null));
        assertNull(committed(ref));
    }

    @Test
    void exceptionInTheBodyRollsBackEveryWrite() {
        Ref<String> ref = new Ref<>("a");
        assertThrows(DeliberateFailure.class, () -> atomic(() -> {
            ref.set("b");
            ref.update(s -> s + "c");
            throw new DeliberateFailure();
        }));
        assertEquals("a", committed(ref));
    }

    @Test
    void getOutsideTransactionThrowsWithAdvice() {
        assertRejectedWithAdvice("Ref", new Ref<String>()::get);
    }

    @TestFactory
    Stream<DynamicTest> everyInTransactionMethodOutsideTransactionThrowsWithAdviceAndWritesNothing() {
        Ref<String> ref = new Ref<>("a");
        return Stream.of(
                rejected(ref, "get", ref::get),
                rejected(ref, "set", () -> ref.set("b")),
                rejected(ref, "set(null)", () -> ref.set(null)),
                rejected(ref, "getAndSet", () -> ref.getAndSet("b")),
                rejected(ref, "update", () -> ref.update(RefTest::notCalled)),
                rejected(ref, "updateAndGet", () -> ref.updateAndGet(RefTest::notCalled)),
                rejected(ref, "getAndUpdate", () -> ref.getAndUpdate(RefTest::notCalled)));
    }

    private static DynamicTest rejected(Ref<String> ref, String method, Executable call) {
        return dynamicTest(method, () -> {
            assertRejectedWithAdvice("Ref", call);
            assertEquals("a", committed(ref), method + " changed the ref although it was rejected");
        });
    }

    private static String notCalled(String s) {
        return fail("the function must not be called outside a transaction");
    }

    // ------------------------------------------------------------------ the atomic() view, outside transactions

    @Test
    void atomicReturnsTheSameViewOfThisRef() {
        Ref<String> ref = new Ref<>();
        assertSame(ref.atomic(), ref.atomic());
        assertSame(ref, ref.atomic().ref());
    }

    @Test
    void viewGetAndSetWorkWithoutATransaction() {
        Ref.Atomic<String> view = new Ref<>("a").atomic();
        assertEquals("a", view.get());
        view.set("b");
        assertEquals("b", view.get());
        view.set(null);
        assertNull(view.get());
    }

    @Test
    void viewGetAndSetReturnsThePreviousValue() {
        Ref.Atomic<String> view = new Ref<>("a").atomic();
        assertEquals("a", view.getAndSet(null));
        assertNull(view.getAndSet("b"));
        assertEquals("b", view.get());
    }

    @Test
    void viewCompareAndSetWritesOnlyWhenTheValueIsExpected() {
        Ref.Atomic<String> view = new Ref<>("a").atomic();
        assertFalse(view.compareAndSet("x", "b"));
        assertEquals("a", view.get());
        assertTrue(view.compareAndSet("a", "b"));
        assertEquals("b", view.get());
    }

    @Test
    void viewCompareAndSetMatchesAndWritesNull() {
        Ref.Atomic<String> view = new Ref<String>().atomic();
        assertFalse(view.compareAndSet("a", "b"));
        assertTrue(view.compareAndSet(null, "a"));
        assertFalse(view.compareAndSet(null, "b"));
        assertTrue(view.compareAndSet("a", null));
        assertNull(view.get());
    }

    @Test
    void viewCompareAndSetComparesIdentityNotEquality() {
        String literal = "a";
        Ref.Atomic<String> view = new Ref<>(literal).atomic();
        assertFalse(view.compareAndSet(equalButDistinct(literal), "b"), "an equal but distinct object matched");
        assertSame(literal, view.get());
        assertTrue(view.compareAndSet(literal, "b"));
        assertEquals("b", view.get());
    }

    @Test
    void viewCompareAndSetInsideATransactionAlsoComparesIdentity() {
        String literal = "a";
        Ref<String> ref = new Ref<>(literal);
        assertEquals("a", atomic(() -> ref.atomic().compareAndSet(equalButDistinct(literal), "b") ? "b" : ref.get()));
        assertEquals("c", atomic(() -> ref.atomic().compareAndSet(literal, "c") ? ref.get() : "failed"));
    }

    @Test
    void viewUpdateMethodsApplyTheFunction() {
        Ref.Atomic<String> view = new Ref<>("a").atomic();
        assertEquals("ab", view.updateAndGet(s -> s + "b"));
        assertEquals("ab", view.getAndUpdate(s -> s + "c"));
        assertEquals("abc", view.get());
        assertEquals("abcd", view.accumulateAndGet("d", String::concat));
        assertEquals("abcd", view.get());
    }

    @Test
    void viewUpdateMethodsAcceptNullValuesAndResults() {
        Ref.Atomic<String> view = new Ref<String>().atomic();
        assertEquals("null?", view.updateAndGet(s -> s + "?"));
        assertEquals("null?", view.getAndUpdate(s -> null));
        assertNull(view.get());
        assertEquals("x", view.accumulateAndGet("x", (s, x) -> s == null ? x : s + x));
        assertNull(view.accumulateAndGet(null, (s, x) -> x));
    }

    @Test
    void viewUpdateSucceedsWhenTheFunctionReturnsAnEqualButDistinctObject() {
        // The update loop compares against the very object it read, so an equal replacement is
        // still written (and the loop ends).
        String literal = "a";
        Ref.Atomic<String> view = new Ref<>(literal).atomic();
        String replaced = view.updateAndGet(RefTest::equalButDistinct);
        assertEquals(literal, replaced);
        assertNotSame(literal, view.get());
        assertSame(replaced, view.get());
    }

    // ------------------------------------------------------------------ the view inside a transaction

    @Test
    void viewReadInsideTransactionSeesTheTransactionsOwnWrite() {
        Ref<String> ref = new Ref<>("a");
        assertEquals("b", atomic(() -> {
            ref.set("b");
            return ref.atomic().get();
        }));
        assertNull(atomic(() -> {
            ref.set(null);
            return ref.atomic().get();
        }));
    }

    @Test
    void viewWriteInsideTransactionIsSeenByItsReadsAndCommittedWithIt() {
        Ref<String> ref = new Ref<>("a");
        assertEquals("b!", atomic(() -> {
            ref.atomic().set("b");
            assertEquals("Ref[a]", ref.toString(), "the view's write was committed before the transaction");
            return ref.get() + "!";
        }));
        assertEquals("b", committed(ref));
    }

    @TestFactory
    Stream<DynamicTest> viewWriteInsideTransactionRollsBackWithIt() {
        return Stream.of(
                rolledBack("set", view -> {
                    view.set("z");
                    return "z";
                }),
                rolledBack("set(null)", view -> {
                    view.set(null);
                    return null;
                }),
                rolledBack("getAndSet", view -> view.getAndSet("z").replace("a", "z")),
                rolledBack("compareAndSet", view -> view.compareAndSet("a", "z") ? "z" : "failed"),
                rolledBack("updateAndGet", view -> view.updateAndGet(s -> s + "z")),
                rolledBack("getAndUpdate", view -> view.getAndUpdate(s -> s + "z") + "z"),
                rolledBack("accumulateAndGet", view -> view.accumulateAndGet("z", String::concat)));
    }

    /**
     * Runs {@code write} (which returns the value it leaves) through the view inside a transaction
     * that then fails: the transaction must see the write, and the failure must discard it.
     */
    private static DynamicTest rolledBack(String method, Function<Ref.Atomic<String>, String> write) {
        return dynamicTest(method, () -> {
            Ref<String> ref = new Ref<>("a");
            String[] seenInside = {"a"};
            assertThrows(DeliberateFailure.class, () -> atomic(() -> {
                String expected = write.apply(ref.atomic());
                assertEquals(expected, ref.get(), "the transaction does not see the view's write");
                seenInside[0] = ref.get();
                throw new DeliberateFailure();
            }));
            assertFalse("a".equals(seenInside[0]), "the write did not change the value inside the transaction");
            assertEquals("a", committed(ref), method + " escaped the rollback");
        });
    }

    // ------------------------------------------------------------------ toString

    @Test
    void toStringShowsTheCommittedValueOrNull() {
        Ref<Object> ref = new Ref<>(List.of(1, 2));
        assertEquals("Ref[[1, 2]]", ref.toString());
        assertEquals("Ref.Atomic[[1, 2]]", ref.atomic().toString());
        ref.atomic().set(null);
        assertEquals("Ref[null]", ref.toString());
        assertEquals("Ref.Atomic[null]", ref.atomic().toString());
    }

    @Test
    void toStringInsideATransactionShowsTheCommittedValueNotItsWrite() {
        Ref<String> ref = new Ref<>("a");
        String[] inside = new String[2];
        atomic(() -> {
            ref.set("b");
            inside[0] = ref.toString();
            inside[1] = ref.atomic().toString();
        });
        assertEquals("Ref[a]", inside[0]);
        assertEquals("Ref.Atomic[a]", inside[1]);
        assertEquals("Ref[b]", ref.toString());
    }

    @Test
    void toStringShowsTheCommittedValueWhileAnotherThreadsTransactionHoldsAWrite() throws Exception {
        Ref<String> ref = new Ref<>("a");
        OpenTransaction open = OpenTransaction.start(() -> ref.set("b"));
        try {
            assertEquals("Ref[a]", ref.toString());
            assertEquals("a", ref.atomic().get());
        } finally {
            open.commit();
        }
        assertEquals("Ref[b]", ref.toString());
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    void concurrentViewAndTransactionalUpdatesAreAllApplied() {
        // Invariant: every update of an immutable value, whether a view update loop (identity
        // compare-and-set) or a transaction, is applied exactly once.
        Ref<Integer> counter = new Ref<>(0);
        Race.run(thread -> {
            for (int i = 0; i < Race.OPERATIONS; i++) {
                counter.atomic().updateAndGet(n -> n + 1);
                atomic(() -> counter.update(n -> n + 1));
            }
        });
        assertEquals(2 * Race.THREADS * Race.OPERATIONS, committed(counter),
                "lost or duplicated updates with " + Race.THREADS + " threads x " + Race.OPERATIONS);
    }
}
