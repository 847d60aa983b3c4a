package dev.weft.stm.internal;

/**
 * Encoding of a cell's 64-bit lock word.
 *
 * <pre>
 *   bit 0      COMMIT_LOCKED: a committer owns the cell; bits 2.. hold the owner's id
 *   bit 1      RESERVED: the (single) irrevocable transaction has read or will write the cell;
 *              the value is still the committed one, so readers ignore the bit, but no
 *              other writer may lock the cell until the bit is cleared
 *   bits 2..63 the version of the committed value when not commit-locked
 * </pre>
 *
 * Owner id 0 is the single-cell operations' id; transactions have ids from 1 up. With 62 bits a
 * clock ticking a billion times a second lasts 146 years.
 */
final class LockWord {
    static final long COMMIT_LOCKED = 1L;
    static final long RESERVED = 2L;
    static final long SINGLE_CELL_OWNER = lockedBy(0);

    private LockWord() {}

    static long unlocked(long version) {
        return version << 2;
    }

    static long lockedBy(long ownerId) {
        return (ownerId << 2) | COMMIT_LOCKED;
    }

    static boolean isCommitLocked(long word) {
        return (word & COMMIT_LOCKED) != 0;
    }

    static boolean isReserved(long word) {
        return (word & RESERVED) != 0;
    }

    /** True when a committer may try to lock the cell: neither commit-locked nor reserved. */
    static boolean isFree(long word) {
        return (word & (COMMIT_LOCKED | RESERVED)) == 0;
    }

    /** The owner id of a commit-locked word (0 for single-cell operations). */
    static long owner(long word) {
        return word >>> 2;
    }

    /** The committed version; meaningful only for a word that is not commit-locked. */
    static long version(long word) {
        return word >>> 2;
    }

    /** Two reads of a lock word saw the same committed value (a reservation does not change it). */
    static boolean sameValue(long first, long second) {
        return (first | RESERVED) == (second | RESERVED) && !isCommitLocked(second);
    }
}
