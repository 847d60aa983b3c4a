package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.stm.spi.Barrier;
import org.junit.jupiter.api.Test;

/**
 * A reference cell's raw bits (the SPI's writeBitsAndObject / lastReadBits / peekObjectIfBitsMatch)
 * commit, roll back and read together with its value. Snapshot readers: SnapshotHistoryTest.
 */
class TaggedCellTest {

    @Test
    void bothHalvesCommitTogetherAndAFilteredPeekSeesThePair() {
        Tagged cell = new Tagged(0b0001, "a");
        assertEquals("a", Barrier.peekObjectIfBitsMatch(cell, 0b0001));
        assertNull(Barrier.peekObjectIfBitsMatch(cell, 0b0110), "bits 0001 do not match 0110");

        atomic(() -> cell.set(0b0100, "b"));

        assertEquals("b", Barrier.peekObjectIfBitsMatch(cell, 0b0110));
        assertNull(Barrier.peekObjectIfBitsMatch(cell, 0b0001), "the old bits went with the old value");
        assertEquals("b/4", atomic(cell::read));
    }

    @Test
    void aTransactionReadsItsOwnPendingPairAndAFailedNestedScopeRestoresTheOuterOne() {
        Tagged cell = new Tagged(1, "committed");
        String seen = atomic(() -> {
            cell.set(2, "outer");
            assertThrows(IllegalStateException.class, () -> atomic(() -> {
                cell.set(3, "inner");
                assertEquals("inner/3", cell.read());
                throw new IllegalStateException("roll the inner scope back");
            }));
            return cell.read();
        });
        assertEquals("outer/2", seen);
        assertEquals("outer/2", atomic(cell::read));
    }

    @Test
    void aFailedTransactionLeavesBothHalvesAsTheyWere() {
        Tagged cell = new Tagged(7, "kept");
        assertThrows(IllegalArgumentException.class, () -> atomic(() -> {
            cell.set(8, "lost");
            throw new IllegalArgumentException("abort");
        }));
        assertEquals("kept/7", atomic(cell::read));
        assertEquals("kept", Barrier.peekObjectIfBitsMatch(cell, 7));
    }
}
