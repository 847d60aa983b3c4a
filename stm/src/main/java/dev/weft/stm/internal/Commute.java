package dev.weft.stm.internal;

import java.util.function.LongUnaryOperator;
import java.util.function.UnaryOperator;

/**
 * A pending commutative update in the redo log: the entry's {@code objects} slot holds a Commute
 * instead of a value, and the update is applied at commit to the value the cell then holds
 * (Clojure's {@code commute}). Users cannot create instances, so no user value is ever mistaken
 * for one.
 *
 * <p>Pure additions need no node: {@link #ADD_LONG} / {@link #ADD_INT} mark an entry whose
 * {@code bits} hold the accumulated delta, so {@code commuteAdd} allocates nothing. Other updates
 * form a chain, oldest first when applied; a pending addition becomes the chain's first node.
 */
final class Commute {
    static final int ADD_LONG = 0;
    static final int ADD_INT = 1;
    static final int LONG_FUNCTION = 2;
    static final int OBJECT_FUNCTION = 3;

    static final Commute ADD_LONG_MARK = new Commute(ADD_LONG, 0, null, null);
    static final Commute ADD_INT_MARK = new Commute(ADD_INT, 0, null, null);

    final int kind;
    final long delta;
    final Object function;
    final Commute previous; // applied before this one

    Commute(int kind, long delta, Object function, Commute previous) {
        this.kind = kind;
        this.delta = delta;
        this.function = function;
        this.previous = previous;
    }

    /** The value after applying this chain (marker entries: {@code pendingBits} is the delta). */
    long applyLong(long bits, long pendingBits) {
        if (this == ADD_LONG_MARK) {
            return bits + pendingBits;
        }
        if (this == ADD_INT_MARK) {
            return (int) bits + (int) pendingBits;
        }
        if (previous == null) { // one node, the common case: no array
            return stepLong(bits);
        }
        long value = bits;
        for (Commute node : oldestFirst()) {
            value = node.stepLong(value);
        }
        return value;
    }

    private long stepLong(long value) {
        return switch (kind) {
            case ADD_LONG -> value + delta;
            case ADD_INT -> (int) value + (int) delta;
            case LONG_FUNCTION -> ((LongUnaryOperator) function).applyAsLong(value);
            default -> throw new IllegalStateException("object commute on a primitive cell");
        };
    }

    Object applyObject(Object value) {
        if (previous == null) {
            return stepObject(value);
        }
        Object result = value;
        for (Commute node : oldestFirst()) {
            result = node.stepObject(result);
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private Object stepObject(Object value) {
        if (kind != OBJECT_FUNCTION) {
            throw new IllegalStateException("primitive commute on a reference cell");
        }
        return ((UnaryOperator<Object>) function).apply(value);
    }

    /**
     * The chain from its oldest node to this one, in a loop: a transaction may commute one ref
     * a hundred thousand times, and a recursive walk would overflow the stack.
     */
    private Commute[] oldestFirst() {
        int length = 0;
        for (Commute node = this; node != null; node = node.previous) {
            length++;
        }
        Commute[] chain = new Commute[length];
        for (Commute node = this; node != null; node = node.previous) {
            chain[--length] = node;
        }
        return chain;
    }

    /** The chain as a node list, turning a marker entry (delta in bits) into a first node. */
    static Commute chainOf(Object pending, long pendingBits) {
        if (pending == ADD_LONG_MARK) {
            return new Commute(ADD_LONG, pendingBits, null, null);
        }
        if (pending == ADD_INT_MARK) {
            return new Commute(ADD_INT, pendingBits, null, null);
        }
        return (Commute) pending;
    }
}
