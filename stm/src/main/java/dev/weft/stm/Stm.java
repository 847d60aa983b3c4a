package dev.weft.stm;

import dev.weft.stm.internal.IoDetector;
import dev.weft.stm.internal.Transaction;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The entry point: run code atomically over transactional refs.
 *
 * <pre>{@code
 * import static dev.weft.stm.Stm.atomic;
 *
 * LongRef from = new LongRef(100), to = new LongRef(0);
 * atomic(() -> {
 *     from.add(-10);
 *     to.add(10);
 * });
 * long total = atomic(() -> from.get() + to.get());
 * }</pre>
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li><b>Atomic and serializable:</b> the body's writes become visible all at once, and all
 *       committed transactions appear to run one at a time in some order consistent with real
 *       time (no write skew).</li>
 *   <li><b>Opaque:</b> a body only ever sees one consistent committed state, even in an attempt
 *       that will be rolled back, so invariants that hold between transactions hold inside
 *       every attempt.</li>
 *   <li><b>Re-executed on conflict:</b> the body may run more than once, so it must not perform
 *       irreversible side effects (I/O, sending messages) and must not catch {@link Throwable}
 *       or {@link Error} (the engine unwinds a losing attempt with an internal {@code Error}).</li>
 *   <li><b>Exceptions roll back:</b> an exception thrown by the body discards every write of the
 *       transaction and propagates to the caller unchanged.</li>
 *   <li><b>Flat nesting:</b> {@code atomic} inside a running transaction joins it; the whole
 *       commits or rolls back together.</li>
 *   <li><b>Progress:</b> conflicts are retried with randomized backoff; a read-only transaction
 *       that lost a race re-runs on a registered snapshot that cannot be invalidated; a
 *       transaction that keeps losing becomes irrevocable and then cannot abort. Neither mode
 *       stops threads that do not write the refs it touches.</li>
 * </ul>
 *
 * <p>Thread-safety: all methods may be called from any thread, platform or virtual. A transaction
 * belongs to the thread that runs it: refs find it through the current thread, and threads
 * started inside a body do not join it.
 */
public final class Stm {
    private Stm() {}

    /**
     * Runs {@code body} as a transaction (or as part of the running one). On a thread with no
     * running transaction this starts one, runs {@code body} until an attempt commits (re-running
     * it after each conflict and after each {@link #retry()} wake-up) and returns after the commit
     * and the {@link #afterCommit afterCommit} hooks. Inside a running transaction it joins it as a
     * nested scope: if {@code body} throws, only the scope's writes are rolled back before the
     * exception propagates, and nothing is committed until the outermost call returns.
     *
     * @implNote Cost model (docs/design.md, "Costs"). The descriptor is per thread and reused, so
     * a transaction allocates nothing of its own in steady state (the body's lambda aside). Begin
     * is one volatile read of the global clock. A read looks in the write log (usually one AND of
     * a 64-bit filter), then reads the ref's lock word twice and its value once and appends to the
     * read log; a ref committed after the snapshot was taken makes the transaction advance the
     * clock (a CAS, unless someone already did) and revalidate its read log. A write only touches
     * the write log (a hash index is built past a few entries), no shared memory. A read-only
     * transaction commits without a lock or a shared write. A writing commit CASes the lock word of
     * each written ref, reads the clock (it does not write it), validates the read log and
     * release-stores each new version: O(reads + writes), allocating one history node per written
     * ref only while a long read-only transaction is registered as a snapshot reader. Each conflict
     * re-runs the whole body, so cost grows with the body's length times the conflict rate
     * ({@link #statistics()} counts them); after 16 lost attempts
     * ({@code -Ddev.weft.stm.irrevocableAfter}) the transaction runs irrevocably. A nested call
     * that does not fail costs a few field writes (a savepoint), not a transaction.
     *
     * @param body the transaction body; may run more than once
     * @throws NullPointerException if {@code body} is null
     */
    public static void atomic(Runnable body) {
        Transaction.current().execute(Objects.requireNonNull(body, "body"), Transaction.RUNNABLE);
    }

    /**
     * Runs {@code body} as a transaction (or as part of the running one) and returns its result;
     * otherwise exactly {@link #atomic(Runnable)}.
     *
     * @implNote Costs as {@link #atomic(Runnable)}; the result is handed over in a field of the
     * thread's descriptor, so nothing is allocated beyond what {@code body} returns.
     *
     * @param body the transaction body; may run more than once
     * @param <T> the result type
     * @return the result of the attempt that committed
     * @throws NullPointerException if {@code body} is null
     */
    @SuppressWarnings("unchecked")
    public static <T> T atomic(Supplier<T> body) {
        Transaction txn = Transaction.current();
        txn.execute(Objects.requireNonNull(body, "body"), Transaction.SUPPLIER);
        return (T) txn.takeResultObject();
    }

    /**
     * {@link #atomic(Supplier)} for a {@code long} result, without boxing.
     *
     * @implNote Costs as {@link #atomic(Runnable)}; the result is passed back as raw bits in the
     * thread's descriptor, so nothing is boxed or allocated.
     *
     * @param body the transaction body; may run more than once
     * @return the result of the attempt that committed
     * @throws NullPointerException if {@code body} is null
     */
    public static long atomicLong(LongSupplier body) {
        Transaction txn = Transaction.current();
        txn.execute(Objects.requireNonNull(body, "body"), Transaction.LONG_SUPPLIER);
        return txn.resultBits();
    }

    /**
     * {@link #atomic(Supplier)} for an {@code int} result, without boxing.
     *
     * @implNote Costs as {@link #atomic(Runnable)}; the result is passed back as raw bits in the
     * thread's descriptor, so nothing is boxed or allocated.
     *
     * @param body the transaction body; may run more than once
     * @return the result of the attempt that committed
     * @throws NullPointerException if {@code body} is null
     */
    public static int atomicInt(IntSupplier body) {
        Transaction txn = Transaction.current();
        txn.execute(Objects.requireNonNull(body, "body"), Transaction.INT_SUPPLIER);
        return (int) txn.resultBits();
    }

    /**
     * {@link #atomic(Supplier)} for a {@code double} result, without boxing.
     *
     * @implNote Costs as {@link #atomic(Runnable)}; the result is passed back as raw bits in the
     * thread's descriptor, so nothing is boxed or allocated.
     *
     * @param body the transaction body; may run more than once
     * @return the result of the attempt that committed
     * @throws NullPointerException if {@code body} is null
     */
    public static double atomicDouble(DoubleSupplier body) {
        Transaction txn = Transaction.current();
        txn.execute(Objects.requireNonNull(body, "body"), Transaction.DOUBLE_SUPPLIER);
        return Double.longBitsToDouble(txn.resultBits());
    }

    /**
     * {@link #atomic(Supplier)} for a {@code boolean} result, without boxing.
     *
     * @implNote Costs as {@link #atomic(Runnable)}; the result is passed back as raw bits in the
     * thread's descriptor, so nothing is boxed or allocated.
     *
     * @param body the transaction body; may run more than once
     * @return the result of the attempt that committed
     * @throws NullPointerException if {@code body} is null
     */
    public static boolean atomicBoolean(BooleanSupplier body) {
        Transaction txn = Transaction.current();
        txn.execute(Objects.requireNonNull(body, "body"), Transaction.BOOLEAN_SUPPLIER);
        return txn.resultBits() != 0;
    }

    /**
     * Runs {@code body} as a transaction with {@code options}; inside a running transaction it
     * joins it (as a nested scope) and the options are ignored.
     *
     * @implNote Costs as {@link #atomic(Runnable)}: the options are copied into fields of the
     * thread's descriptor when the top-level transaction starts (no allocation), and a timeout adds
     * a {@link System#nanoTime()} check between attempts and while blocked.
     *
     * @param options how to run it
     * @param body the transaction body; may run more than once
     * @throws TooManyAttemptsException after {@link TxnOptions#maxAttempts()} lost attempts
     * @throws TransactionTimeoutException when it did not commit within {@link TxnOptions#timeout()}
     * @throws NullPointerException if an argument is null
     */
    public static void atomic(TxnOptions options, Runnable body) {
        Transaction.current().execute(Objects.requireNonNull(body, "body"), Transaction.RUNNABLE,
                Objects.requireNonNull(options, "options"));
    }

    /**
     * {@link #atomic(TxnOptions, Runnable)} returning the body's result.
     *
     * @param options how to run it
     * @param body the transaction body; may run more than once
     * @param <T> the result type
     * @return the result of the attempt that committed
     * @throws TooManyAttemptsException after {@link TxnOptions#maxAttempts()} lost attempts
     * @throws TransactionTimeoutException when it did not commit within {@link TxnOptions#timeout()}
     * @throws NullPointerException if an argument is null
     */
    @SuppressWarnings("unchecked")
    public static <T> T atomic(TxnOptions options, Supplier<T> body) {
        Transaction txn = Transaction.current();
        txn.execute(Objects.requireNonNull(body, "body"), Transaction.SUPPLIER,
                Objects.requireNonNull(options, "options"));
        return (T) txn.takeResultObject();
    }

    // ------------------------------------------------------------------ blocking and alternatives

    /**
     * Abandons the running transaction and blocks until some ref it has read is changed by
     * another commit, then runs it again from the start: the way to wait for a condition.
     *
     * <pre>{@code
     * int item = atomic(() -> {
     *     if (count.get() == 0) retry();      // wait until count changes
     *     count.decrement();
     *     return ...;
     * });
     * }</pre>
     *
     * Inside {@link #orElse(Runnable, Runnable) orElse}, {@code retry} in one alternative instead
     * rolls back that alternative and runs the next one. The wait parks the thread (no spinning; a
     * virtual thread unmounts from its carrier), covers every ref read by the attempt (including
     * alternatives that retried), and cannot miss a commit that races with it.
     *
     * @implNote Cost model. The wait registers the thread in one of 4,096 stripes per ref read
     * (O(reads)), watches its wake-up flag for about a microsecond and yields a few times before
     * it parks, so a handoff between two running threads usually avoids a park and unpark.
     * Committers wake the waiters of the stripes they write; a waiter woken by a commit to another
     * ref of its stripe runs its body again and waits again. The re-run after a wake-up is a full
     * attempt.
     *
     * @throws IllegalStateException outside a transaction, or (from the enclosing {@code atomic})
     *         when the transaction read no ref, since then nothing could ever wake it
     * @throws TransactionInterruptedException (from {@code atomic}) if the thread is interrupted
     *         while blocked; the interrupt status stays set
     * @throws TransactionTimeoutException (from {@code atomic}) when its {@link TxnOptions#timeout()}
     *         passes while blocked
     */
    public static void retry() {
        Transaction.current().retry();
    }

    /**
     * Like {@link #retry()}, but returns normally (and the transaction goes on) once the
     * transaction has spent {@code timeout} blocked in retries in total, across its re-runs.
     *
     * <pre>{@code
     * Item item = atomic(() -> {
     *     if (queue.isEmpty()) retryFor(Duration.ofMillis(100));
     *     return queue.poll();              // null after 100 ms without an item
     * });
     * }</pre>
     *
     * @param timeout the total time to wait, not negative
     * @throws IllegalStateException outside a transaction
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException if {@code timeout} is null
     */
    public static void retryFor(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            nanos = Long.MAX_VALUE / 2;
        }
        Transaction.current().retryFor(nanos);
    }

    /**
     * Runs {@code first}; if it calls {@link #retry()}, rolls back exactly its writes and runs
     * {@code second} instead. If both retry, the transaction waits until any ref either of them
     * read changes. Alternatives nest: {@code orElse(a, () -> orElse(b, c))}. Outside a
     * transaction the call runs as its own transaction.
     *
     * @implNote An alternative that completes costs a savepoint (a few field writes, no
     * allocation). One that retries is rolled back in time linear in the transaction's write log;
     * its reads stay in the read log, so the transaction is validated against them at commit and a
     * wait covers them.
     *
     * @param first the preferred alternative
     * @param second the alternative run when {@code first} retries
     * @throws NullPointerException if an argument is null
     */
    public static void orElse(Runnable first, Runnable second) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        Transaction txn = Transaction.current();
        if (!txn.isActive()) {
            atomic(() -> orElse(first, second));
            return;
        }
        txn.orElse(first, second, Transaction.RUNNABLE);
    }

    /**
     * {@link #orElse(Runnable, Runnable)} returning the result of the alternative that ran.
     *
     * @param first the preferred alternative
     * @param second the alternative run when {@code first} retries
     * @param <T> the result type
     * @return the result of {@code first}, or of {@code second} if {@code first} retried
     * @throws NullPointerException if an argument is null
     */
    @SuppressWarnings("unchecked")
    public static <T> T orElse(Supplier<? extends T> first, Supplier<? extends T> second) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        Transaction txn = Transaction.current();
        if (!txn.isActive()) {
            return atomic(() -> orElse(first, second));
        }
        txn.orElse(first, second, Transaction.SUPPLIER);
        return (T) txn.takeResultObject();
    }

    // ------------------------------------------------------------------ hooks

    /**
     * Registers {@code hook} to run just before the running transaction commits, still inside it:
     * it may read and write refs (for example to maintain an index), call {@code retry()}, or throw
     * to roll the transaction back. Hooks run in registration order, once per attempt that gets
     * that far; a hook may register further hooks.
     *
     * @param hook the code to run before the commit, inside the transaction
     * @throws IllegalStateException outside a transaction
     */
    public static void beforeCommit(Runnable hook) {
        Transaction.current().beforeCommit(Objects.requireNonNull(hook, "hook"));
    }

    /**
     * Registers {@code hook} to run on this thread after the running transaction commits, outside
     * it (the place for I/O and notifications). Hooks of attempts that rolled back are discarded.
     * If hooks throw, all hooks still run and {@code atomic} then throws
     * {@link AfterCommitException}; the transaction stays committed.
     *
     * @param hook the code to run once the transaction has committed
     * @throws IllegalStateException outside a transaction
     */
    public static void afterCommit(Runnable hook) {
        Transaction.current().afterCommit(Objects.requireNonNull(hook, "hook"));
    }

    /**
     * Registers {@code hook} to run on this thread after the current attempt rolls back, whatever
     * the reason (a conflict, {@code retry()}, an exception, a timeout), outside the transaction.
     * A hook registered in a nested {@code atomic} that rolls back alone runs when that scope rolls
     * back, inside the enclosing transaction. An exception from the hook is added as suppressed to
     * the body's exception, or else ends the transaction (already rolled back) with it.
     *
     * @param hook the code to run once the current attempt (or nested scope) has rolled back
     * @throws IllegalStateException outside a transaction
     */
    public static void afterRollback(Runnable hook) {
        Transaction.current().afterRollback(Objects.requireNonNull(hook, "hook"));
    }

    /**
     * Makes the running transaction's commit depend on {@code decider}, asked once the commit can
     * no longer fail otherwise (see {@link ExternalDecider}). An attempt has at most one, and it
     * belongs to that attempt: when the attempt is rolled back (a conflict, {@code retry()}, an
     * exception) the decider is forgotten, and the next run of the body sets its own or none.
     *
     * @param decider asked once per commit attempt whether the transaction may commit
     * @throws IllegalStateException outside a transaction, or if it already has another decider
     */
    public static void setExternalDecider(ExternalDecider decider) {
        Transaction.current().setExternalDecider(Objects.requireNonNull(decider, "decider"));
    }

    // ------------------------------------------------------------------ diagnostics

    /**
     * Weft's always-on counters (commits, aborts by cause, escalations, blocked waits), summed
     * over all threads. Counting costs each transaction a store in its own thread's memory.
     *
     * @return a snapshot; see {@link StmStatistics} for its consistency
     */
    public static StmStatistics statistics() {
        return Transaction.statistics();
    }

    /** Starts the counters of {@link #statistics()} from zero. */
    public static void resetStatistics() {
        Transaction.resetStatistics();
    }

    /**
     * Registers {@link StmMXBean} with the platform MBean server as {@code dev.weft:type=Stm}
     * (JConsole, JMC and monitoring agents can then read the statistics). Idempotent.
     *
     * @return the name it is registered under
     */
    public static javax.management.ObjectName registerMBean() {
        try {
            javax.management.ObjectName name = new javax.management.ObjectName("dev.weft:type=Stm");
            javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            if (!server.isRegistered(name)) {
                try {
                    server.registerMBean(new javax.management.StandardMBean(new StatisticsBean(), StmMXBean.class, true), name);
                } catch (javax.management.InstanceAlreadyExistsException raced) {
                    // registered concurrently: fine
                }
            }
            return name;
        } catch (javax.management.JMException e) {
            throw new IllegalStateException("could not register Weft's MBean: " + e, e);
        }
    }

    private static final class StatisticsBean implements StmMXBean {
        @Override public long getCommits() { return statistics().commits(); }
        @Override public long getReadOnlyCommits() { return statistics().readOnlyCommits(); }
        @Override public long getConflicts() { return statistics().conflicts(); }
        @Override public long getEscalations() { return statistics().escalations(); }
        @Override public long getBlockedWaits() { return statistics().blockedWaits(); }

        @Override
        public java.util.Map<String, Long> getAborts() {
            java.util.Map<String, Long> aborts = new java.util.LinkedHashMap<>();
            statistics().aborts().forEach((cause, count) -> aborts.put(cause.name(), count));
            return aborts;
        }
    }

    /**
     * Starts (or restarts, from zero) the conflict hot-spot profiler: from now on every conflict is
     * counted per ref and per transaction site, until {@link #stopConflictProfiling()}. While off
     * it costs nothing measurable; while on, each transaction start does a map lookup and each
     * conflict a few counter updates.
     */
    public static void startConflictProfiling() {
        Transaction.startConflictProfiling();
    }

    /**
     * Takes a report of the conflicts counted so far, without stopping the profiler.
     *
     * @return the conflicts counted since {@link #startConflictProfiling()}, profiling going on
     */
    public static ConflictReport conflictReport() {
        return Transaction.conflictReport();
    }

    /**
     * Stops the profiler.
     *
     * @return the conflicts counted since {@link #startConflictProfiling()}
     */
    public static ConflictReport stopConflictProfiling() {
        return Transaction.stopConflictProfiling();
    }

    /**
     * Starts reporting file and socket I/O done inside transactions, on any thread, to
     * {@code hook}: a body, a before-commit hook or a commute function may run more than once, so
     * I/O there may be repeated or done for an attempt that never commits. Meant for tests and
     * diagnostics: run a test suite or a staging service with a watch that fails or logs, and move
     * what it reports into {@link #afterCommit}.
     *
     * <p>Uses JDK Flight Recorder's {@code jdk.FileRead}, {@code jdk.FileWrite},
     * {@code jdk.SocketRead} and {@code jdk.SocketWrite} events with a zero threshold and stack
     * traces, so it sees the JDK's file streams, {@code RandomAccessFile}, file channels and
     * socket streams (not memory-mapped files or native code), and only I/O within JFR's stack
     * depth of the transaction (64 frames by default; {@code -XX:FlightRecorderOptions:stackdepth=}).
     * The hook runs on a JFR streaming thread about once a second, never inside the transaction.
     *
     * @implNote Costs nothing when no watch runs. While one runs every file and socket read or
     *           write in the JVM is recorded with its stack (a few microseconds each); transactions
     *           themselves run unchanged.
     * @param hook called once per I/O operation done inside a transaction; exceptions it throws
     *             are printed and do not stop the watch
     * @return the running watch; close it to stop
     * @throws NullPointerException if {@code hook} is null
     * @throws IllegalStateException if JDK Flight Recorder is not available in this JVM
     */
    public static IoWatch watchIo(Consumer<? super IoInTransaction> hook) {
        return new IoWatch(IoDetector.start(Objects.requireNonNull(hook, "hook")));
    }

    /**
     * Whether the current thread is running a transaction.
     *
     * @return true inside the body of {@code atomic} on this thread
     */
    public static boolean inTransaction() {
        return Transaction.current().isActive();
    }
}
