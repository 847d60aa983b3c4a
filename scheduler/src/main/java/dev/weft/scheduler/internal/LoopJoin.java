package dev.weft.scheduler.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The completion of one {@code parallelFor}: the number of indexes not yet finished, and the
 * first failure (later ones are added to it as suppressed).
 *
 * <p>Thread-safety: pieces on any worker report to it; one thread waits on it.
 */
public final class LoopJoin implements Awaitable {
    private final AtomicLong remaining;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread waiter;

    public LoopJoin(long indexes, Thread waiter) {
        this.remaining = new AtomicLong(indexes);
        this.waiter = waiter;
    }

    void finished(long indexes) {
        if (indexes != 0 && remaining.addAndGet(-indexes) == 0) {
            LockSupport.unpark(waiter);
        }
    }

    void failed(Throwable thrown) {
        if (!failure.compareAndSet(null, thrown)) {
            Throwable first = failure.get();
            if (first != thrown) {
                first.addSuppressed(thrown);
            }
        }
    }

    @Override
    public boolean isDone() {
        return remaining.get() == 0;
    }

    /** The first failure, or null. Meaningful once done. */
    public Throwable failure() {
        return failure.get();
    }

    /** Waits on a thread outside the pool (not interruptible; the interrupt status is kept). */
    public void awaitExternally() {
        boolean interrupted = false;
        while (!isDone()) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
