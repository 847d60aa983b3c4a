package dev.weft.collections.internal;

import dev.weft.stm.Stm;
import dev.weft.stm.TxnOptions;
import java.util.Collection;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code BlockingQueue.drainTo} for Weft's blocking views, with the guarantee
 * {@link java.util.concurrent.ArrayBlockingQueue} gives: an element leaves the queue only once
 * the target has accepted it, so a target that throws loses nothing.
 *
 * <p>How: outside a transaction the drain is one irrevocable transaction (it runs once, so each
 * {@code target.add} happens once), and each element is taken and added in a nested scope: when
 * {@code add} throws, exactly that scope rolls back (the element stays first in the queue), the
 * elements added before it are taken when the transaction commits, and the exception propagates
 * after the commit. (An {@link Error} is not caught, since the engine unwinds bodies with
 * errors: it rolls the whole drain back, leaving the elements added before it in both places.)
 * While the drain runs, other threads read the queue and use unrelated cells as
 * usual; polls wait for it, as they would for {@code ArrayBlockingQueue}'s lock, and so do
 * offers once it has read the last element. A target that is itself a Weft view joins the transaction,
 * so a drain from one Weft queue into another is atomic. Inside a running transaction the drain
 * joins it (options of nested calls are ignored): the target is not transactional, so an
 * attempt that rolls back leaves what it added there.
 */
public final class Drain {
    /** Runs the drain once: an irrevocable transaction is never rolled back by a conflict. */
    private static final TxnOptions ONCE = TxnOptions.DEFAULT.withIrrevocable(true);

    private Drain() {}

    /**
     * Moves up to {@code maxElements} elements from the front of a queue to {@code target}.
     *
     * @param source the queue, named in the self-drain message
     * @param poll takes the first element in the running transaction, or returns null when empty
     * @param target where the elements go
     * @param maxElements at most this many (none if not positive)
     * @return the number moved
     * @throws NullPointerException if {@code target} is null
     * @throws IllegalArgumentException if {@code target} is {@code source}
     */
    public static <E> int drainTo(
            Object source, Supplier<? extends E> poll, Collection<? super E> target, int maxElements) {
        Objects.requireNonNull(target, "drainTo: the target collection is null");
        if (target == source) {
            throw new IllegalArgumentException("drainTo: a queue cannot drain into itself");
        }
        if (maxElements <= 0) {
            return 0;
        }
        Progress progress = new Progress();
        Stm.atomic(ONCE, () -> {
            progress.moved = 0; // a nested drain's enclosing transaction may run it again
            progress.failure = null;
            while (progress.moved < maxElements) {
                try {
                    boolean took = Stm.atomicBoolean(() -> {
                        E element = poll.get();
                        if (element == null) {
                            return false;
                        }
                        target.add(element);
                        return true;
                    });
                    if (!took) {
                        return;
                    }
                    progress.moved++;
                } catch (RuntimeException failure) { // the scope that threw rolled back
                    progress.failure = failure;
                    return;
                }
            }
        });
        if (progress.failure != null) {
            throw progress.failure;
        }
        return progress.moved;
    }

    /** What a drain's transaction did: how many it moved, and what stopped it early. */
    private static final class Progress {
        int moved;
        RuntimeException failure;
    }
}
