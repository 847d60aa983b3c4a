package dev.weft.scheduler.internal;

import dev.weft.scheduler.Fork;
import dev.weft.stm.Stm;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A forked subtask: plain code run on some worker, joined by the code that forked it. Kept small
 * (one object, no future) so that forks of a few microseconds pay off.
 *
 * <p>Thread-safety: {@link #join} and {@link #isDone} from any thread.
 */
public final class ForkTask<T> extends Task implements Fork<T>, Awaitable {
    private static final int NEW = 0;
    private static final int NORMAL = 1;
    private static final int EXCEPTIONAL = 2;

    private final Pool pool;
    private final Supplier<? extends T> body;
    // Written once before status (release via the volatile write); read after status.
    private Object outcome;
    // Written once by the runner (volatile); read by joiners.
    private volatile int status;
    // One external joiner parks here; further ones poll (see awaitExternally).
    private volatile Thread waiter;

    public ForkTask(Pool pool, Supplier<? extends T> body, boolean external, TaskType type) {
        super(external, type);
        this.pool = pool;
        this.body = body;
    }

    @Override
    int run(Worker worker) {
        try {
            complete(NORMAL, body.get());
            return COMPLETED;
        } catch (Throwable failure) {
            complete(EXCEPTIONAL, failure);
            return FAILED;
        }
    }

    @Override
    void abandoned(Throwable failure) {
        if (status == NEW) {
            complete(EXCEPTIONAL, failure);
        }
    }

    @Override
    void cancel() {
        complete(EXCEPTIONAL, new CancellationException("the scheduler was shut down with shutdownNow() before this fork ran"));
    }

    private void complete(int how, Object value) {
        outcome = value;
        status = how;
        Thread parked = waiter; // volatile read after the volatile write: pairs with awaitExternally
        if (parked != null) {
            LockSupport.unpark(parked);
        }
    }

    @Override
    public boolean isDone() {
        return status != NEW;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T join() {
        if (status == NEW) {
            if (Stm.inTransaction()) {
                throw new IllegalStateException("Fork.join() was called inside a transaction; join "
                        + "after the transaction (or before it starts): waiting would run other tasks "
                        + "inside it.");
            }
            Worker worker = pool.currentWorker();
            if (worker == null) {
                awaitExternally();
            } else if (worker.deque.popIf(this)) {
                try {
                    worker.execute(this);
                } catch (Throwable failure) { // the call overflowed the stack before the fork ran
                    if (status == NEW) {
                        outcome = failure; // plain writes: no frame left for a call
                        status = EXCEPTIONAL;
                    }
                    worker.forksNeverRun++; // settled by the worker loop
                    throw failure;
                }
            } else {
                worker.helpUntil(this);
            }
        }
        if (status == NORMAL) {
            return (T) outcome;
        }
        throw sneaky((Throwable) outcome);
    }

    private void awaitExternally() {
        Thread self = Thread.currentThread();
        boolean mine = WAITER.compareAndSet(this, null, self);
        boolean interrupted = false;
        long pollNanos = 1_000;
        while (status == NEW) {
            if (mine) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, pollNanos);
                pollNanos = Math.min(pollNanos * 2, 1_000_000);
            }
            if (Thread.interrupted()) {
                interrupted = true; // join() is not interruptible, like ForkJoinTask.join()
            }
        }
        if (mine) {
            waiter = null;
        }
        if (interrupted) {
            self.interrupt();
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable failure) throws E {
        throw (E) failure;
    }

    private static final VarHandle WAITER;

    static {
        try {
            WAITER = MethodHandles.lookup().findVarHandle(ForkTask.class, "waiter", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
