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
