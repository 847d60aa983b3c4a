package dev.weft.collections.internal;

import dev.weft.stm.Stm;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The base of the collection views of Weft's maps and sets: every method that reads the whole
 * collection answers for one state of it, and every bulk change is one transaction.
 *
 * <ul>
 *   <li>{@code containsAll}, {@code addAll}, {@code removeAll}, {@code retainAll} and
 *   {@code removeIf} run as one transaction (joining the running one), so they see one state
 *   and change all or nothing.
 *   <li>{@code toArray}, {@code toString}, {@code forEach} (and {@code hashCode}/{@code equals}
 *   of {@link OneStateSet}) walk one iterator: enough when the view's iterators are snapshots
 *   outside transactions ({@link #snapshotIterators()}); otherwise they walk it in one
 *   transaction. {@code forEach} never runs its action inside a transaction it started: it
 *   collects the elements in the transaction and runs the action after.
 *   <li>{@code spliterator()} reports no size ({@code AbstractCollection}'s default would
 *   promise {@code SIZED} with a size read at another moment than the iteration, and streams
 *   then fail when the collection changes meanwhile); it is {@code CONCURRENT} and
 *   {@code NONNULL}, plus what {@link #characteristics()} adds.
 * </ul>
 *
 * @param <E> the element type
 */
public abstract class OneStateCollection<E> extends AbstractCollection<E> {
    /**
     * Whether the view's iterators, made outside a transaction, iterate one state (a snapshot):
     * then one iterator is one state; otherwise whole-collection reads run in a transaction.
     */
    protected abstract boolean snapshotIterators();

    /** Spliterator characteristics beyond {@code CONCURRENT | NONNULL} (e.g. {@code ORDERED}, {@code DISTINCT}). */
    protected int characteristics() {
        return 0;
    }

    /** Runs a read of the whole collection where it sees one state (see the class comment). */
    final <T> T oneState(Supplier<T> read) {
        return snapshotIterators() || Stm.inTransaction() ? read.get() : Stm.atomic(read);
    }

    @Override
    public boolean containsAll(Collection<?> c) {
        Objects.requireNonNull(c);
        return Stm.atomicBoolean(() -> super.containsAll(c));
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        Objects.requireNonNull(c);
        return Stm.atomicBoolean(() -> super.addAll(c));
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

    @Override
    public boolean removeIf(Predicate<? super E> filter) {
        Objects.requireNonNull(filter);
        return Stm.atomicBoolean(() -> super.removeIf(filter));
    }

    @Override
    public Object[] toArray() {
        return oneState(super::toArray);
    }

    @Override
    public <T> T[] toArray(T[] a) {
        Objects.requireNonNull(a);
        return oneState(() -> super.toArray(a));
    }

    @Override
    public String toString() {
        return oneState(super::toString);
    }

    @Override
    public void forEach(Consumer<? super E> action) {
        Objects.requireNonNull(action);
        if (snapshotIterators() || Stm.inTransaction()) {
            for (Iterator<E> it = iterator(); it.hasNext(); ) {
                action.accept(it.next());
            }
            return;
        }
        for (E element : Stm.atomic(() -> new ArrayList<>(this))) {
            action.accept(element);
        }
    }

    @Override
    public Spliterator<E> spliterator() {
        return Spliterators.spliteratorUnknownSize(iterator(),
                Spliterator.CONCURRENT | Spliterator.NONNULL | characteristics());
    }
}
