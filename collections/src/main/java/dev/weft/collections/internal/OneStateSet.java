package dev.weft.collections.internal;

import java.util.Iterator;
import java.util.Set;
import java.util.Spliterator;

/**
 * A {@link OneStateCollection} that is a {@link Set}: {@code equals} and {@code hashCode} follow
 * the {@code Set} contracts over one state of the set, and spliterators are {@code DISTINCT}.
 *
 * @param <E> the element type
 */
public abstract class OneStateSet<E> extends OneStateCollection<E> implements Set<E> {
    @Override
    protected int characteristics() {
        return Spliterator.DISTINCT;
    }

    /**
     * {@link Set#equals}: {@code o} is a set with this set's elements, taken from one iterator of
     * one state and counted as they come. ({@code AbstractSet.equals} compares a {@code size()}
     * of one moment with contents of another, and could answer true for a state the set never
     * had.)
     */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Set<?> other)) {
            return false;
        }
        return oneState(() -> {
            int count = 0;
            try {
                for (Object element : this) {
                    count++;
                    if (!other.contains(element)) {
                        return false;
                    }
                }
            } catch (ClassCastException | NullPointerException unused) {
                return false; // as AbstractSet.equals: the other set cannot hold our elements
            }
            return count == other.size();
        });
    }

    /** {@link Set#hashCode}: the sum of the elements' hash codes, over one state. */
    @Override
    public int hashCode() {
        return oneState(() -> {
            int sum = 0;
            for (Iterator<E> it = iterator(); it.hasNext(); ) {
                sum += it.next().hashCode();
            }
            return sum;
        });
    }
}
