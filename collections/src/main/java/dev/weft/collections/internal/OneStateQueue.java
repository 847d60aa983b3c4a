package dev.weft.collections.internal;

import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.Spliterator;

/**
 * The base of the queue views: a {@link OneStateCollection} that is a {@link Queue}. Bulk
 * removals ({@code removeIf}, {@code removeAll}, {@code retainAll}) and {@code containsAll} run
 * as one transaction (or in the running one), so they remove all they should or, if the filter
 * or the collection throws, nothing; inside that transaction the view's iterator and its
 * {@code remove()} join it. The queues' iterators are snapshots, so the other whole-queue reads
 * walk one. Spliterators are {@code ORDERED} (FIFO) unless {@link #characteristics()} says
 * otherwise. {@code add}, {@code remove()} and {@code element()} are {@code offer},
 * {@code poll} and {@code peek} that throw, as in {@code AbstractQueue}.
 *
 * @param <E> the element type
 */
public abstract class OneStateQueue<E> extends OneStateCollection<E> implements Queue<E> {
    /** The queues' iterators are snapshots copied in one transaction. */
    @Override
    protected final boolean snapshotIterators() {
        return true;
    }

    @Override
    protected int characteristics() {
        return Spliterator.ORDERED;
    }

    @Override
    public boolean add(E e) {
        if (offer(e)) {
            return true;
        }
        throw new IllegalStateException("Queue full");
    }

    @Override
    public E remove() {
        E head = poll();
        if (head == null) {
            throw new NoSuchElementException("the queue is empty");
        }
        return head;
    }

    @Override
    public E element() {
        E head = peek();
        if (head == null) {
            throw new NoSuchElementException("the queue is empty");
        }
        return head;
    }
}
