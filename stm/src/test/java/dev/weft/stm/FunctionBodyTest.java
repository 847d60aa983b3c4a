package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.stm.spi.Barrier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * {@link Barrier#atomic(BiFunction, Object, Object)}, the lambda-free transaction the collection
 * views run their one-call methods in: the same semantics as {@code Stm.atomic} with a supplier,
 * and every attempt sees the arguments it was given, also when a nested call ran in between.
 */
class FunctionBodyTest {
    private static final BiFunction<Counter, Long, Long> ADD_AND_GET = (cell, delta) -> {
        cell.add(delta);
        return cell.get();
    };

    @Test
    void runsTheBodyAtomicallyOnItsArgumentsAndReturnsItsResult() {
        Counter cell = new Counter(5);
        assertEquals(8L, (long) Barrier.atomic(ADD_AND_GET, cell, 3L));
        assertEquals(8, cell.committed());
        assertThrows(NullPointerException.class, () -> Barrier.atomic(null, cell, 1L));
    }

    @Test
    void everyAttemptSeesTheArgumentsEvenAfterANestedCallRanInsideIt() {
        Counter cell = new Counter(0);
        Counter other = new Counter(100);
        List<Object> seen = new ArrayList<>();
        BiFunction<Counter, String, String> body = (c, label) -> {
            seen.add(label);
            long v = c.get();
            long nested = Barrier.atomic(ADD_AND_GET, other, 1L); // overwrites the descriptor's arguments while it runs
            if (seen.size() == 1) { // first attempt: another thread commits to c, so validation fails
                CompletableFuture.runAsync(() -> c.setAtomically(c.committed() + 10)).join();
            }
            c.set(v + nested);
            return label + (v + nested);
        };
        String result = Barrier.atomic(body, cell, "outer");
        assertEquals(List.of("outer", "outer"), seen, "the second attempt ran with the outer call's arguments");
        assertEquals("outer111", result); // 10 committed by the other thread + 101
        assertEquals(111, cell.committed());
        assertEquals(101, other.committed(), "the rolled-back attempt's nested add was undone");
    }

    @Test
    void insideATransactionItIsANestedScopeThatRollsBackOnlyItsOwnWrites() {
        Counter cell = new Counter(0);
        Counter outer = new Counter(0);
        BiFunction<Counter, Long, Long> failing = (c, delta) -> {
            c.add(delta);
            throw new IllegalArgumentException("rejected " + delta);
        };
        atomic(() -> {
            outer.set(1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Barrier.atomic(failing, cell, 7L));
            assertEquals("rejected 7", e.getMessage());
            assertEquals(0, cell.get(), "the nested scope's write is rolled back");
            assertEquals(1, outer.get(), "the enclosing transaction's write stays");
        });
        assertEquals(1, outer.committed());
        assertEquals(0, cell.committed());
    }
}
