package dev.weft.scheduler;

import dev.weft.scheduler.internal.AtomicTask;
import dev.weft.scheduler.internal.CallableTask;
import dev.weft.scheduler.internal.ExecuteTask;
import dev.weft.scheduler.internal.ForkTask;
import dev.weft.scheduler.internal.LoopJoin;
import dev.weft.scheduler.internal.Pool;
import dev.weft.scheduler.internal.RangeTask;
import dev.weft.scheduler.internal.TaskType;
import dev.weft.scheduler.internal.Worker;
import dev.weft.stm.Stm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * A multicore executor for transactional work: one worker thread per core, per-worker deques
 * with work stealing, and contention management that treats conflicts between transactions as a
 * scheduling problem.
 *
 * <pre>{@code
 * try (TxnScheduler scheduler = TxnScheduler.create()) {
 *     LongRef counter = new LongRef(0);
 *     CompletableFuture<Long> next = scheduler.submitAtomic(() -> counter.incrementAndGet());
 *     scheduler.parallelFor(0, 1_000, i -> counter.add(i));   // 1,000 transactions on all cores
 *     long fib = scheduler.submit(() -> fib(scheduler, 25)).join();
 * }
 *
 * static long fib(TxnScheduler s, int n) {                    // fork/join
 *     if (n < 2) return n;
 *     Fork<Long> left = s.fork(() -> fib(s, n - 1));
 *     return fib(s, n - 2) + left.join();
 * }
 * }</pre>
 *
 * <h2>Kinds of task</h2>
 * <ul>
 *   <li>{@link #submitAtomic(Supplier)}, {@link #parallelFor}: the scheduler runs the body as a
 *       transaction ({@code Stm.atomic}); such a task may be moved to another worker after a
 *       conflict (placement) and its commits are counted.</li>
 *   <li>{@link #submit(Callable)}, {@link #execute}, {@link #invokeAll}, {@link #fork}: plain code
 *       that may run transactions of its own; those get the contention policy and the irrevocable
 *       fallback, but are never moved (code outside the transaction would run twice).</li>
 * </ul>
 *
 * <h2>Progress</h2>
 * Every transaction run on a worker that has lost {@link Builder#escalateAfter(int)} attempts in
 * total runs its next attempt irrevocably and then cannot abort, so every task finishes however
 * contended (starvation freedom). Tasks that block, in {@code Stm.retry()} or anywhere else, do not
 * hold the pool hostage: the engine reports a worker that parks in {@code retry()} and the
 * scheduler starts a compensation thread at once if work is queued (like {@code ForkJoinPool}'s
 * managed blocking); a supervisor thread finds workers blocked elsewhere (locks, futures) by
 * observation. So a pool whose workers all wait in {@code retry()} still runs the task whose
 * commit will wake them.
 *
 * <h2>Semantics and misuse</h2>
 * Submitting, forking or joining inside a transaction body throws {@link IllegalStateException}: the
 * body may run several times, and waiting would run other tasks inside it. Submit from
 * {@code Stm.afterCommit} instead. Tasks submitted after {@link #shutdown()} are rejected with
 * {@link RejectedExecutionException}; forks and loops started by running tasks are still accepted,
 * so accepted work always completes.
 *
 * <p>Thread-safety: all methods may be called from any thread. Workers are daemon threads.
 */
public final class TxnScheduler extends AbstractExecutorService implements AutoCloseable {
    private final Pool pool;

    private TxnScheduler(Builder builder) {
        this.pool = new Pool(builder.parallelism, builder.policy, builder.escalateAfter,
                builder.placement, builder.maxRelocations, builder.throttling,
                builder.maxCompensationThreads, builder.observeBlocking, builder.idleStrategies, builder.threadNamePrefix,
                builder.supervisorTick.toNanos());
    }

    /**
     * A scheduler with one worker per available processor and the default settings.
     *
     * @return a running scheduler; close it when done
     */
    public static TxnScheduler create() {
        return builder().build();
    }

    /**
     * A builder for a scheduler with non-default settings.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The number of workers (compensation threads not included).
     *
     * @return the parallelism
     */
    public int parallelism() {
        return pool.parallelism();
    }

    // ------------------------------------------------------------------ transactional tasks

    /**
     * Runs {@code body} as one transaction on a worker.
     *
     * @implNote Cost model. The call allocates the task and its {@code CompletableFuture}, finds
     * the task type (a {@code ClassValue} lookup; a map lookup for a named type), CASes the
     * scheduler's count of accepted tasks (a line every submitter and every finishing submitted
     * task writes) and adds to a striped counter. From outside the scheduler the task goes to a
     * random worker's inbox (a {@code ConcurrentLinkedQueue} offer: one node and a CAS); from a
     * worker it is pushed on that worker's own deque (no CAS). Then a full fence and a read of the
     * sleeper count, and a CAS and an unpark if a worker sleeps. On the worker, the body costs what
     * {@code Stm.atomic} costs (the worker's descriptor is a field, so there is no
     * {@code ThreadLocal} lookup), plus the contention policy's waits after lost attempts.
     *
     * @param body the transaction body; may run more than once, see {@code Stm.atomic}
     * @param <T> the result type
     * @return a future completed with the result of the attempt that committed, or with the
     *         exception the body threw (then nothing was published); its {@code cancel(true)}
     *         interrupts the task if it runs (ending a wait in {@code retry()}), and an attempt
     *         whose body returns after the cancel rolls back
     * @throws RejectedExecutionException after shutdown
     * @throws IllegalStateException inside a transaction
     * @throws NullPointerException if {@code body} is null
     */
    public <T> CompletableFuture<T> submitAtomic(Supplier<T> body) {
        Objects.requireNonNull(body, "body");
        return enqueueAtomic(pool.typeOf(body), body);
    }

    /**
     * {@link #submitAtomic(Supplier)}, counted in the statistics of task type {@code type} (see
     * {@link #statisticsByType()}).
     *
     * @implNote Costs as {@link #submitAtomic(Supplier)}; the type is found by name in a concurrent
     * map.
     *
     * @param type the task type's name, for example {@code "reserve"}
     * @param body the transaction body; may run more than once
     * @param <T> the result type
     * @return a future completed with the committed attempt's result or the body's exception
     * @throws RejectedExecutionException after shutdown
     * @throws IllegalStateException inside a transaction
     * @throws NullPointerException if an argument is null
     */
    public <T> CompletableFuture<T> submitAtomic(String type, Supplier<T> body) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(body, "body");
        return enqueueAtomic(pool.typeNamed(type), body);
    }

    private <T> CompletableFuture<T> enqueueAtomic(TaskType type, Supplier<T> body) {
        checkOutsideTransaction("submitAtomic");
        AtomicTask<T> task = new AtomicTask<>(body, type);
        pool.submitExternal(task);
        return task.future;
    }

    /**
     * Runs {@code body} as one transaction on a worker.
     *
     * @implNote Costs as {@link #submitAtomic(Supplier)}, plus one small adapter object around
     * {@code body}.
     *
     * @param body the transaction body; may run more than once
     * @return a future completed (with null) when it committed, or with the exception it threw
     * @throws RejectedExecutionException after shutdown
     * @throws IllegalStateException inside a transaction
     * @throws NullPointerException if {@code body} is null
     */
    public CompletableFuture<Void> submitAtomic(Runnable body) {
        Objects.requireNonNull(body, "body");
        return enqueueAtomic(pool.typeOf(body), () -> {
            body.run();
            return null;
        });
    }

    /**
     * {@link #submitAtomic(Runnable)}, counted in the statistics of task type {@code type}.
     *
     * @implNote Costs as {@link #submitAtomic(Supplier)}, plus one small adapter object around
     * {@code body}; the type is found by name in a concurrent map.
     *
     * @param type the task type's name
     * @param body the transaction body; may run more than once
     * @return a future completed (with null) when it committed, or with the exception it threw
     * @throws RejectedExecutionException after shutdown
     * @throws IllegalStateException inside a transaction
     * @throws NullPointerException if an argument is null
     */
    public CompletableFuture<Void> submitAtomic(String type, Runnable body) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(body, "body");
        return enqueueAtomic(pool.typeNamed(type), () -> {
            body.run();
            return null;
        });
    }

    /**
     * Runs {@code body.accept(i)} for every {@code i} in {@code [from, to)}, each index as its own
     * transaction, spread over the workers, and returns when all have finished. Indexes run in no
     * particular order. If bodies throw, all other indexes still run, and the first exception is
     * rethrown with the later ones suppressed on it. Called on a worker, the caller helps instead
     * of blocking.
     *
     * @implNote Cost model. One submission (as {@link #submitAtomic(Supplier)}) when called from
     * outside, after which the caller parks until the loop is done; on a worker, one push on its
     * own deque, after which the caller runs pieces itself. Pieces split lazily: each pushes its
     * right half on its worker's deque (allocating one small task) until it is one grain, about an
     * eighth of a worker's share, so a loop allocates O(parallelism) tasks however many indexes it
     * has. Each index then runs as one {@code Stm.atomic} transaction without further allocation.
     *
     * @param from the first index
     * @param to one past the last index, not smaller than {@code from}
     * @param body the body of each index's transaction; may run more than once per index
     * @throws IllegalArgumentException if {@code to < from}
     * @throws RejectedExecutionException after shutdown, when called from outside the scheduler
     * @throws IllegalStateException inside a transaction
     * @throws NullPointerException if {@code body} is null
     */
    public void parallelFor(int from, int to, IntConsumer body) {
        Objects.requireNonNull(body, "body");
        runParallelFor(pool.typeOf(body), from, to, body);
    }

    /**
     * {@link #parallelFor(int, int, IntConsumer)}, with every index counted in the statistics of
     * task type {@code type}.
     *
     * @implNote Costs as {@link #parallelFor(int, int, IntConsumer)}.
     *
     * @param type the task type's name
     * @param from the first index
     * @param to one past the last index, not smaller than {@code from}
     * @param body the body of each index's transaction; may run more than once per index
     * @throws IllegalArgumentException if {@code to < from}
     * @throws RejectedExecutionException after shutdown, when called from outside the scheduler
     * @throws IllegalStateException inside a transaction
     * @throws NullPointerException if an argument is null
     */
    public void parallelFor(String type, int from, int to, IntConsumer body) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(body, "body");
        runParallelFor(pool.typeNamed(type), from, to, body);
    }

    private void runParallelFor(TaskType type, int from, int to, IntConsumer body) {
        if (to < from) {
            throw new IllegalArgumentException("parallelFor needs from <= to, got from=" + from + ", to=" + to);
        }
        checkOutsideTransaction("parallelFor");
        if (from == to) {
            return;
        }
        int grain = Math.max(1, (int) (((long) to - from) / (pool.parallelism() * 8L)));
        LoopJoin join = new LoopJoin((long) to - from, Thread.currentThread());
        Worker self = pool.currentWorker();
        if (self != null) {
            self.fork(new RangeTask(join, body, from, to, grain, false, type));
            self.helpUntil(join);
        } else {
            pool.submitExternal(new RangeTask(join, body, from, to, grain, true, type));
            join.awaitExternally();
        }
        Throwable failure = join.failure();
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException("a parallelFor body threw a checked exception", failure);
        }
    }

    /**
     * Spawns {@code body} as a subtask (plain code, which may run transactions) and returns a
     * handle to join it. On a worker it goes on the worker's own deque: cheap, and stolen by idle
     * workers; the caller should join it (or not) after doing other work.
     *
     * @implNote Cost model. On a worker: one small task object, a push on the worker's own deque (a
     * release store, no CAS), a per-worker counter update and the sleeper check of a submission (a
     * full fence and a read). From outside the scheduler it is a submission like
     * {@link #submitAtomic(Supplier)}.
     *
     * @param body the subtask
     * @param <T> the result type
     * @return the handle
     * @throws RejectedExecutionException after shutdown, when called from outside the scheduler
     * @throws IllegalStateException inside a transaction
     * @throws NullPointerException if {@code body} is null
     */
    public <T> Fork<T> fork(Supplier<? extends T> body) {
        Objects.requireNonNull(body, "body");
        checkOutsideTransaction("fork");
        Worker self = pool.currentWorker();
        ForkTask<T> task = new ForkTask<>(pool, body, self == null, pool.forkType(body));
        if (self != null) {
            self.fork(task);
        } else {
            pool.submitExternal(task);
        }
        return task;
    }

    // ------------------------------------------------------------------ ExecutorService

    /**
     * Runs {@code task} (plain code) on a worker.
     *
     * @implNote Costs as the submission of {@link #submitAtomic(Supplier)}; the task runs as plain
     * code, and each transaction it runs costs what {@code Stm.atomic} costs.
     *
     * @param task plain code, which may run transactions
     * @param <T> the result type
     * @return a future completed with its result or exception
     * @throws RejectedExecutionException after shutdown
     * @throws IllegalStateException inside a transaction
     */
    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        return enqueueCallable(pool.typeOf(task), task);
    }

    /**
     * {@link #submit(Callable)}, counted in the statistics of task type {@code type}.
     *
     * @implNote Costs as {@link #submit(Callable)}; the type is found by name in a concurrent map.
     *
     * @param type the task type's name
     * @param task plain code, which may run transactions
     * @param <T> the result type
     * @return a future completed with its result or exception
     * @throws RejectedExecutionException after shutdown
     * @throws IllegalStateException inside a transaction
     * @throws NullPointerException if an argument is null
     */
    public <T> CompletableFuture<T> submit(String type, Callable<T> task) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(task, "task");
        return enqueueCallable(pool.typeNamed(type), task);
    }

    private <T> CompletableFuture<T> enqueueCallable(TaskType type, Callable<T> task) {
        checkOutsideTransaction("submit");
        CallableTask<T> wrapped = new CallableTask<>(task, type);
        pool.submitExternal(wrapped);
        return wrapped.future;
    }

    /**
     * Runs {@code task} (plain code) on a worker.
     *
     * @implNote Costs as the submission of {@link #submitAtomic(Supplier)}; the task runs as plain
     * code, and each transaction it runs costs what {@code Stm.atomic} costs. One small adapter
     * object wraps {@code task}.
     *
     * @param task plain code, which may run transactions
     * @return a future completed with null, or with the exception it threw
     * @throws RejectedExecutionException after shutdown
     * @throws IllegalStateException inside a transaction
     */
    @Override
    public CompletableFuture<Void> submit(Runnable task) {
        Objects.requireNonNull(task, "task");
        return enqueueCallable(pool.typeOf(task), () -> {
            task.run();
            return null;
        });
    }

    /**
     * Runs {@code task} (plain code) on a worker.
     *
     * @implNote Costs as the submission of {@link #submitAtomic(Supplier)}; the task runs as plain
     * code, and each transaction it runs costs what {@code Stm.atomic} costs. One small adapter
     * object wraps {@code task}.
     *
     * @param task plain code, which may run transactions
     * @param result the value the future completes with
     * @param <T> the result type
     * @return a future completed with {@code result}, or with the exception it threw
     * @throws RejectedExecutionException after shutdown
     * @throws IllegalStateException inside a transaction
     */
    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task");
        return enqueueCallable(pool.typeOf(task), () -> {
            task.run();
            return result;
        });
    }

    /**
     * Runs {@code command} on a worker; an exception it throws goes to the worker thread's
     * uncaught-exception handler.
     *
     * @implNote Costs as the submission of {@link #submitAtomic(Supplier)}, without a future.
     *
     * @param command plain code, which may run transactions
     * @throws RejectedExecutionException after shutdown
     * @throws IllegalStateException inside a transaction
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        checkOutsideTransaction("execute");
        pool.submitExternal(new ExecuteTask(command, pool.typeOf(command)));
    }

    /**
     * Runs all tasks and waits for all of them; on a worker of this scheduler the caller runs
     * queued tasks while it waits instead of blocking.
     *
     * @implNote One submission per task, as {@link #submitAtomic(Supplier)}, then a wait for each
     * in order.
     *
     * @param tasks plain code, which may run transactions; each runs on a worker
     * @param <T> the result type
     * @return the futures, in the order of {@code tasks}, all done
     * @throws InterruptedException if interrupted while waiting (outside the scheduler); the
     *         tasks not yet finished are cancelled
     * @throws IllegalStateException inside a transaction
     * @throws NullPointerException if {@code tasks} or one of its elements is null
     */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return invokeAll(tasks, false, 0L);
    }

    /**
     * Runs all tasks and waits for all of them, or until the timeout elapses; then cancels (with
     * interrupt) those not done. On a worker of this scheduler the caller runs queued tasks while
     * it waits instead of blocking.
     *
     * <p>The futures are {@code submit}'s: a cancel at the timeout interrupts the task only while
     * its own body runs, never a task running nested in its join on the same worker (as
     * {@link CompletableFuture#cancel} of {@link #submit(Callable)}'s futures).
     *
     * @implNote One submission per task, as {@link #submitAtomic(Supplier)}, then a wait for each
     * in order.
     *
     * @param tasks plain code, which may run transactions; each runs on a worker
     * @param timeout the longest time to wait, in {@code unit}s
     * @param unit the unit of {@code timeout}
     * @param <T> the result type
     * @return the futures, in the order of {@code tasks}, all done (those that did not finish in
     *         time cancelled)
     * @throws InterruptedException if interrupted while waiting (outside the scheduler); the
     *         tasks not yet finished are cancelled
     * @throws RejectedExecutionException after shutdown
     * @throws IllegalStateException inside a transaction
     * @throws NullPointerException if {@code tasks}, one of its elements or {@code unit} is null
     */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        return invokeAll(tasks, true, System.nanoTime() + unit.toNanos(timeout));
    }

    /**
     * Both invokeAll: waits for each task in order (helping on a worker) until all are done or,
     * if {@code timed}, {@code deadline} ({@code System.nanoTime()}) has passed; then cancels
     * those not done (a no-op for the others).
     */
    private <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, boolean timed, long deadline)
            throws InterruptedException {
        List<CallableTask<T>> submitted = submitAll(tasks, "invokeAll");
        Worker self = pool.currentWorker();
        try {
            for (CallableTask<T> task : submitted) {
                boolean done = self != null
                        ? self.helpUntil(task, timed, deadline)
                        : awaitQuietly(task.future, timed, deadline);
                if (!done) {
                    break;
                }
            }
        } finally { // as AbstractExecutorService: interrupt those running when interrupted or late
            cancelAll(submitted);
        }
        return futuresOf(submitted);
    }

    /**
     * Runs all tasks and returns the result of one that completed normally, once one has;
     * cancels (with interrupt) the others. On a worker of this scheduler the caller runs queued
     * tasks while it waits instead of blocking.
     *
     * @implNote Submits every task at once (as {@link #submit(Callable)}), not one at a time.
     *
     * @param tasks plain code, which may run transactions; each runs on a worker
     * @param <T> the result type
     * @return the result of a task that completed normally
     * @throws ExecutionException if every task failed (the cause: the last failure)
     * @throws InterruptedException if interrupted while waiting (outside the scheduler); the
     *         tasks are cancelled
     * @throws IllegalArgumentException if {@code tasks} is empty
     * @throws RejectedExecutionException after shutdown
     * @throws IllegalStateException inside a transaction
     * @throws NullPointerException if {@code tasks} or one of its elements is null
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, false, 0L);
        } catch (TimeoutException impossible) {
            throw new AssertionError("an untimed invokeAny timed out", impossible);
        }
    }

    /**
     * {@link #invokeAny(Collection)}, waiting at most {@code timeout}.
     *
     * @param tasks plain code, which may run transactions; each runs on a worker
     * @param timeout the longest time to wait, in {@code unit}s
     * @param unit the unit of {@code timeout}
     * @param <T> the result type
     * @return the result of a task that completed normally
     * @throws TimeoutException if none completed normally in time (all are then cancelled)
     * @throws ExecutionException if every task failed (the cause: the last failure)
     * @throws InterruptedException if interrupted while waiting (outside the scheduler)
     * @throws IllegalArgumentException if {@code tasks} is empty
     * @throws RejectedExecutionException after shutdown
     * @throws IllegalStateException inside a transaction
     * @throws NullPointerException if {@code tasks}, one of its elements or {@code unit} is null
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        return invokeAny(tasks, true, System.nanoTime() + unit.toNanos(timeout));
    }

    private <T> T invokeAny(Collection<? extends Callable<T>> tasks, boolean timed, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(tasks, "tasks");
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task; tasks is empty");
        }
        List<CallableTask<T>> submitted = submitAll(tasks, "invokeAny");
        CompletableFuture<T> first = new CompletableFuture<>();
        AtomicInteger failures = new AtomicInteger();
        for (CallableTask<T> task : submitted) {
            task.future.whenComplete((result, failure) -> {
                if (failure == null) {
                    first.complete(result);
                } else if (failures.incrementAndGet() == submitted.size()) {
                    // get() throws ExecutionException with it as the cause, a cancelled task's too
                    first.completeExceptionally(new CompletionException(failure));
                }
            });
        }
        try {
            Worker self = pool.currentWorker();
            if (self != null) {
                if (!self.helpUntil(first::isDone, timed, deadline)) {
                    throw new TimeoutException("no task of invokeAny completed normally in time");
                }
                return first.get();
            }
            return timed ? first.get(Math.max(0L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS) : first.get();
        } finally {
            cancelAll(submitted);
        }
    }

    /**
     * Submits one task per callable; if a submission is refused, cancels those already submitted
     * and rethrows, so that nothing of a refused invokeAll or invokeAny runs on.
     */
    private <T> List<CallableTask<T>> submitAll(Collection<? extends Callable<T>> tasks, String method) {
        Objects.requireNonNull(tasks, "tasks");
        checkOutsideTransaction(method);
        List<CallableTask<T>> submitted = new ArrayList<>(tasks.size());
        for (Callable<T> task : tasks) {
            Objects.requireNonNull(task, "a task in tasks");
            submitted.add(new CallableTask<>(task, pool.typeOf(task)));
        }
        int accepted = 0;
        try {
            for (CallableTask<T> task : submitted) {
                pool.submitExternal(task);
                accepted++;
            }
        } catch (RuntimeException | Error refused) {
            cancelAll(submitted.subList(0, accepted));
            throw refused;
        }
        return submitted;
    }

    /**
     * Waits for {@code future}, if {@code timed} until {@code deadline} ({@code System.nanoTime()});
     * whether it is done. Its outcome stays in it.
     */
    private static boolean awaitQuietly(Future<?> future, boolean timed, long deadline) throws InterruptedException {
        try {
            if (timed) {
                future.get(Math.max(0L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } else {
                future.get();
            }
        } catch (ExecutionException | CancellationException ignored) {
            // the future carries it
        } catch (TimeoutException late) {
            return false;
        }
        return true;
    }

    /** Cancels, with interrupt, every task of {@code tasks} not done yet. */
    private static <T> void cancelAll(List<CallableTask<T>> tasks) {
        for (CallableTask<T> task : tasks) {
            task.future.cancel(true);
        }
    }

    private static <T> List<Future<T>> futuresOf(List<CallableTask<T>> tasks) {
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        for (CallableTask<T> task : tasks) {
            futures.add(task.future);
        }
        return futures;
    }

    /**
     * Refuses new tasks; tasks already accepted (and the forks and loops they start) still run.
     * Idempotent.
     */
    @Override
    public void shutdown() {
        pool.shutdown();
    }

    /**
     * Refuses new tasks, cancels those that have not started (their futures complete with
     * {@link java.util.concurrent.CancellationException}) and interrupts running ones (a task
     * blocked in {@code retry()} then fails with {@code TransactionInterruptedException}).
     *
     * @return an empty list: cancelled tasks are reported through their futures, as
     *         {@code ForkJoinPool} does
     */
    @Override
    public List<Runnable> shutdownNow() {
        pool.shutdownNow();
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        return pool.awaitTermination(timeout, unit);
    }

    /**
     * Shuts down and waits until every accepted task has finished (like Java 19's
     * {@code ExecutorService.close()}). If interrupted while waiting, calls {@link #shutdownNow()}
     * and keeps waiting, then restores the interrupt status.
     *
     * @throws IllegalStateException when called from a task of this scheduler (it would wait for
     *         itself); call {@link #shutdown()} there
     */
    @Override
    public void close() {
        if (pool.currentWorker() != null) {
            throw new IllegalStateException("close() was called from a task running on this "
                    + "scheduler and would wait for itself; call shutdown() from the task, or close() "
                    + "from outside the scheduler.");
        }
        shutdown();
        boolean interrupted = false;
        while (!isTerminated()) {
            try {
                awaitTermination(1, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                if (!interrupted) {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A snapshot of the scheduler's counters.
     *
     * @return the statistics
     */
    public SchedulerStatistics statistics() {
        return pool.statistics();
    }

    /**
     * A snapshot of the counters of each task type seen so far: the names given to the tagged
     * submit methods, and for untagged tasks their body's class (a lambda's is the class that
     * wrote it followed by {@code $$Lambda}).
     *
     * @return the statistics by type name, sorted by name; immutable
     */
    public Map<String, TaskTypeStatistics> statisticsByType() {
        return pool.statisticsByType();
    }

    @Override
    public String toString() {
        return pool.toString();
    }

    private static void checkOutsideTransaction(String operation) {
        if (Stm.inTransaction()) {
            throw new IllegalStateException(operation + "() was called inside a transaction, whose body "
                    + "may run several times; call it outside the transaction, or register it with "
                    + "Stm.afterCommit(() -> ...) to run once the transaction has committed.");
        }
    }

    /**
     * Settings for a {@link TxnScheduler}.
     *
     * <p>Thread-safety: not thread-safe; configure on one thread, then {@link #build()}.
     */
    public static final class Builder {
        private int parallelism = Runtime.getRuntime().availableProcessors();
        private ContentionPolicy policy = ContentionPolicy.exponentialBackoff();
        private int escalateAfter = 8;
        private boolean placement = true;
        private int maxRelocations = 2;
        private boolean throttling = true;
        private int maxCompensationThreads = 256;
        private boolean observeBlocking = true;
        private Supplier<? extends IdleStrategy> idleStrategies =
                () -> new BackoffIdleStrategy(32, 8, 1_000, 250_000);
        private String threadNamePrefix = "weft-worker-";
        private Duration supervisorTick = Duration.ofMillis(1);

        private Builder() {}

        /**
         * The number of workers; default: the number of available processors.
         *
         * @param parallelism from 1 to 32,767
         * @return this builder
         * @throws IllegalArgumentException if {@code parallelism} is outside [1, 32767]
         */
        public Builder parallelism(int parallelism) {
            if (parallelism < 1 || parallelism > 32_767) {
                throw new IllegalArgumentException("parallelism must be between 1 and 32767, was " + parallelism);
            }
            this.parallelism = parallelism;
            return this;
        }

        /**
         * What a worker does after a lost attempt; default {@link ContentionPolicy#exponentialBackoff()}.
         *
         * @param policy the policy, shared by all workers
         * @return this builder
         * @throws NullPointerException if {@code policy} is null
         */
        public Builder contentionPolicy(ContentionPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Lost attempts of a task (over all its runs) after which its next attempt runs
         * irrevocably; default 8. {@link Integer#MAX_VALUE} leaves escalation to the policy alone,
         * which gives up the guarantee that every task finishes.
         *
         * @param aborts at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code aborts} is below 1
         */
        public Builder escalateAfter(int aborts) {
            if (aborts < 1) {
                throw new IllegalArgumentException("escalateAfter must be at least 1, was " + aborts);
            }
            this.escalateAfter = aborts;
            return this;
        }

        /**
         * Conflict-aware placement (steal-on-abort): when a transactional task loses to a task on
         * another worker, it is moved to that worker and runs there after it, serialized instead
         * of aborting again; default on.
         *
         * @param enabled whether to move tasks
         * @return this builder
         */
        public Builder placement(boolean enabled) {
            this.placement = enabled;
            return this;
        }

        /**
         * How many times one task may be moved by placement; default 2. After that it stays and
         * the contention policy decides.
         *
         * @param relocations at least 0
         * @return this builder
         * @throws IllegalArgumentException if {@code relocations} is negative
         */
        public Builder maxRelocations(int relocations) {
            if (relocations < 0) {
                throw new IllegalArgumentException("maxRelocations must not be negative, was " + relocations);
            }
            this.maxRelocations = relocations;
            return this;
        }

        /**
         * Adaptive throttling: fewer workers take tasks while many attempts abort; default on.
         *
         * @param enabled whether to throttle
         * @return this builder
         */
        public Builder throttling(boolean enabled) {
            this.throttling = enabled;
            return this;
        }

        /**
         * The most compensation threads started to replace blocked workers at once; default 256.
         * 0 disables compensation: then tasks blocked in {@code retry()} can hold every worker.
         *
         * @param threads at least 0
         * @return this builder
         * @throws IllegalArgumentException if {@code threads} is negative
         */
        public Builder maxCompensationThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("maxCompensationThreads must not be negative, was " + threads);
            }
            this.maxCompensationThreads = threads;
            return this;
        }

        /**
         * Whether the supervisor also watches for workers blocked outside {@code Stm.retry()} (on a
         * lock, a future's {@code get}, I/O) and compensates them; default on. Waits in
         * {@code retry()} are reported by the engine and compensated either way; turn this off
         * when tasks block nowhere else, to save the supervisor's per-tick look at every thread.
         *
         * @param enabled whether to observe other blocking
         * @return this builder
         */
        public Builder observeBlocking(boolean enabled) {
            this.observeBlocking = enabled;
            return this;
        }

        /**
         * How idle workers wait for work before they go to sleep; default an Agrona
         * {@link BackoffIdleStrategy} (spin, yield, then park up to 250 us). Each worker gets its own
         * instance.
         *
         * @param idleStrategies creates one strategy per worker
         * @return this builder
         * @throws NullPointerException if {@code idleStrategies} is null
         */
        public Builder idleStrategy(Supplier<? extends IdleStrategy> idleStrategies) {
            this.idleStrategies = Objects.requireNonNull(idleStrategies, "idleStrategies");
            return this;
        }

        /**
         * The prefix of the worker threads' names; default {@code "weft-worker-"}.
         *
         * @param prefix the prefix
         * @return this builder
         * @throws NullPointerException if {@code prefix} is null
         */
        public Builder threadNamePrefix(String prefix) {
            this.threadNamePrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * How often the supervisor looks for blocked workers while tasks run; default 1 ms. A
         * worker blocked outside {@code retry()} is compensated after about two ticks blocked (one
         * blocked in {@code retry()} at once).
         *
         * @param tick positive, at most one second
         * @return this builder
         * @throws IllegalArgumentException if {@code tick} is not positive or longer than one
         * second
         * @throws NullPointerException if {@code tick} is null
         */
        public Builder supervisorTick(Duration tick) {
            Objects.requireNonNull(tick, "tick");
            if (tick.isNegative() || tick.isZero() || tick.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("supervisorTick must be positive and at most 1 s, was " + tick);
            }
            this.supervisorTick = tick;
            return this;
        }

        /**
         * Starts a scheduler with these settings.
         *
         * @return a running scheduler; close it when done
         */
        public TxnScheduler build() {
            return new TxnScheduler(this);
        }
    }
}
