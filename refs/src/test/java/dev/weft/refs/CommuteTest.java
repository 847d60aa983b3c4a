package dev.weft.refs;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The refs' commute methods: applied at commit, visible to a later read, one-op outside. */
class CommuteTest {

    @Test
    void longRefCommuteAddAndFunctionApplyAtCommitAndToALaterRead() {
        LongRef ref = new LongRef(10);
        long seen = atomic(() -> {
            ref.commuteAdd(5);
            ref.commute(x -> x * 2);
            return ref.get();
        });
        assertEquals(30, seen);
        assertEquals(30, ref.atomic().get());
        ref.commuteAdd(1); // outside a transaction: one-operation
        assertEquals(31, ref.atomic().get());
    }

    /**
     * The void adds commute: a transaction that incremented a ref (and read nothing else) commits
     * on its first attempt although another transaction incremented the same ref in between, and
     * both increments count. A read before the add still makes it conflict.
     */
    @Test
    void voidAddsCommuteButAReadBeforeThemStillConflicts() throws Exception {
        LongRef longRef = new LongRef(0);
        IntRef intRef = new IntRef(0);
        assertEquals(1, attemptsWithACommitInBetween(() -> longRef.increment(), () -> longRef.add(10)));
        assertEquals(11, longRef.atomic().get());
        assertEquals(1, attemptsWithACommitInBetween(() -> intRef.decrement(), () -> intRef.add(10)));
        assertEquals(9, intRef.atomic().get());
        assertEquals(2, attemptsWithACommitInBetween(() -> {
            longRef.get();
            longRef.add(1);
        }, () -> longRef.increment()));
        assertEquals(13, longRef.atomic().get());
    }

    /** Runs {@code body} in a transaction on another thread, commits {@code between} after its first attempt ran the body; returns its attempts. */
    private static int attemptsWithACommitInBetween(Runnable body, Runnable between) throws Exception {
        java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch committed = new java.util.concurrent.CountDownLatch(1);
        int[] attempts = {0};
        Thread thread = new Thread(() -> atomic(() -> {
            body.run();
            if (++attempts[0] == 1) {
                ran.countDown();
                try {
                    committed.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        }));
        thread.start();
        ran.await();
        atomic(between);
        committed.countDown();
        thread.join(10_000);
        return attempts[0];
    }

    @Test
    void intRefCommuteWrapsLikeIntArithmetic() {
        IntRef ref = new IntRef(Integer.MAX_VALUE);
        atomic(() -> ref.commuteAdd(1));
        assertEquals(Integer.MIN_VALUE, ref.atomic().get());
        atomic(() -> ref.commute(x -> x - 1));
        assertEquals(Integer.MAX_VALUE, ref.atomic().get());
        assertEquals(Integer.MAX_VALUE, (int) atomic(() -> ref.get()));
    }

    @Test
    void doubleRefCommute() {
        DoubleRef ref = new DoubleRef(1.5);
        atomic(() -> {
            ref.commute(x -> x + 0.25);
            ref.commute(x -> x * 2);
        });
        assertEquals(3.5, ref.atomic().get());
    }

    @Test
    void refCommuteAppendsWithoutReading() {
        Ref<List<String>> ref = new Ref<>(List.of());
        atomic(() -> ref.commute(l -> plus(l, "a")));
        ref.commute(l -> plus(l, "b"));
        assertEquals(List.of("a", "b"), ref.atomic().get());
    }

    @Test
    void nullFunctionIsRejectedAndWritesNothing() {
        LongRef ref = new LongRef(1);
        assertThrows(NullPointerException.class, () -> atomic(() -> {
            ref.set(2);
            ref.commute(null);
        }));
        assertEquals(1, ref.atomic().get());
    }

    private static List<String> plus(List<String> list, String item) {
        List<String> copy = new ArrayList<>(list);
        copy.add(item);
        return copy;
    }
}
