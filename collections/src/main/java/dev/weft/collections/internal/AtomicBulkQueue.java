package dev.weft.collections.internal;

import dev.weft.stm.Stm;
import java.util.AbstractQueue;
import java.util.Collection;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Predicate;

/**
 * The base of the queue views whose removals go through their iterator: {@code removeIf},
 * {@code removeAll} and {@code retainAll} run as one transaction (or in the running one), so
 * they remove all they should or, if the filter or the collection throws, nothing. Inside that
 * transaction the view's iterator and its {@code remove()} join it. {@code containsAll} is one
 * transaction too (one state), and spliterators report no size: the queues' iterators are
 * snapshots, but {@code AbstractCollection}'s default spliterator would promise {@code SIZED}
 * with a {@code size()} of another moment, and streams would fail when the queue changed
 * in between.
 *
 * @param <E> the element type
 */
public abstract class AtomicBulkQueue<E> extends AbstractQueue<E> {
    @Override
    public boolean containsAll(Collection<?> c) {
        Objects.requireNonNull(c);
        return Stm.atomicBoolean(() -> super.containsAll(c));
    }

    /** {@code CONCURRENT | NONNULL}, plus {@link #characteristics()}. */
    @Override
    public Spliterator<E> spliterator() {
        return Spliterators.spliteratorUnknownSize(iterator(),
                Spliterator.CONCURRENT | Spliterator.NONNULL | characteristics());
    }

    /** Spliterator characteristics beyond {@code CONCURRENT | NONNULL}: {@code ORDERED} (FIFO order). */
    protected int characteristics() {
        return Spliterator.ORDERED;
    }

    @Override
    public boolean removeIf(Predicate<? super E> filter) {
        Objects.requireNonNull(filter);
        return Stm.atomicBoolean(() -> super.removeIf(filter));
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        Objects.requireNonNull(c);
        return Stm.atomicBoolean(() -> super.removeAll(c));
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        Objects.requireNonNull(c);
        return Stm.atomicBoolean(() -> super.retainAll(c));
    }
}
