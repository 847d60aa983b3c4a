package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.spi.Barrier;
import org.junit.jupiter.api.Test;

/**
 * The SPI's load-linked/store-conditional pair ({@code stamp}, {@code compareStampAndSetObject}):
 * a store succeeds only if nothing committed to the cell since its stamp, whatever value that
 * commit wrote, so a value that goes A, B, A again cannot fool it.
 */
class StampTest {

    @Test
    void aStoreWithAFreshStampCommitsAndTransactionsSeeIt() {
        Box<String> box = new Box<>("a");
        long stamp = Barrier.stamp(box);
        assertTrue(Barrier.compareStampAndSetObject(box, stamp, "b"));
        assertEquals("b", box.committed());
        assertEquals("b", atomic(box::get));
        assertNotEquals(stamp, Barrier.stamp(box), "the store is a commit: it moves the stamp");
    }

    @Test
    void aCommitOfTheSameValueInBetweenMakesTheStoreFail() {
        Box<String> box = new Box<>("a");
        long stamp = Barrier.stamp(box);
        atomic(() -> box.set("a")); // A -> A: a compare by value would not notice
        assertFalse(Barrier.compareStampAndSetObject(box, stamp, "b"));
        assertEquals("a", box.committed(), "a failed store writes nothing");
    }

    @Test
    void aValueThatWentAwayAndCameBackMakesTheStoreFail() {
        Box<String> box = new Box<>("a");
        long stamp = Barrier.stamp(box);
        Barrier.setObject(box, "b");               // one-cell commits count as much as transactions
        assertTrue(Barrier.compareAndSetObject(box, "b", "a"));
        assertFalse(Barrier.compareStampAndSetObject(box, stamp, "c"));
        assertEquals("a", box.committed());
        long fresh = Barrier.stamp(box);
        assertTrue(Barrier.compareStampAndSetObject(box, fresh, "c"));
        assertFalse(Barrier.compareStampAndSetObject(box, fresh, "d"), "a stamp is good for one store");
        assertEquals("c", box.committed());
    }

    @Test
    void aStoreIsSeenByATransactionThatStartsAfterItAndNotByOneThatReadBefore() {
        Box<String> box = new Box<>("a");
        Box<String> other = new Box<>("x");
        String[] seen = new String[2];
        int[] attempts = {0};
        atomic(() -> {
            attempts[0]++;
            seen[0] = box.get();
            if (attempts[0] == 1) {
                Thread store = new Thread(() -> Barrier.compareStampAndSetObject(box, Barrier.stamp(box), "b"));
                store.start();
                try {
                    store.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                other.get(); // a read after the store: the snapshot must stay consistent
            }
            seen[1] = box.get();
        });
        assertEquals(seen[0], seen[1], "one transaction saw two values of the cell");
        assertEquals("b", box.committed());
    }
}
