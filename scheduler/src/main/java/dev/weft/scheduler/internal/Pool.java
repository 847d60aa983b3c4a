package dev.weft.scheduler.internal;

import dev.weft.scheduler.ContentionPolicy;
import dev.weft.scheduler.SchedulerStatistics;
import dev.weft.scheduler.TaskTypeStatistics;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.agrona.concurrent.IdleStrategy;

/**
 * The engine room of a {@code TxnScheduler}: its workers, the supervisor, the throttle, task
 * routing and the lifecycle.
 *
 * <p>Thread-safety: every method may be called from any thread unless it says otherwise.
 */
public final class Pool {
    /*
     * Overview.
     *
     * Routing. A task submitted from outside goes to the inbox of a random base worker within the
     * throttle's allowance (any worker may poll any inbox, so a task that lands on a worker
     * throttled just after is stolen, not stranded); from a worker of this pool it goes on that worker's deque. Forks and
     * loop pieces always go on the creating worker's deque. A task abandoned after a conflict goes
     * to the affinity queue of the worker that ran its opponent. After queuing, signalWork wakes
     * one sleeping worker if there is any (see Worker for the sleep protocol).
     *
     * Lifecycle and accounting. ctl holds a SHUTDOWN bit and the number of accepted external
     * tasks not yet finished; accepting one is a CAS that fails once SHUTDOWN is set, so nothing
     * is accepted after shutdown(). Internal tasks (forks, loop pieces) are counted without shared
     * writes: the creating worker bumps its CREATED counter, the finishing worker its FINISHED
     * counter (release stores). The pool is quiescent when, reading in this order, ctl's count is
     * 0, then the sum of FINISHED equals the sum of CREATED (acquire loads). Why that order is
     * enough: internal tasks are only created by running tasks. If some task is unfinished when
     * the FINISHED sums are read, either it was created before the CREATED sums are read (the
     * sums differ) or it was created later by a task that was still running, whose own creator
     * chain ends at an external task still counted in ctl, or at an internal task that was then
     * unfinished and created earlier (counted in CREATED but not FINISHED). Counters of retired
     * spares are kept in the sums. Quiescent after SHUTDOWN means no task exists and none can be
     * created: the workers stop and the pool terminates.
     *
     * Blocking. A task that blocks (retry(), a lock, a future's get) holds its worker. A wait in
     * retry() is reported by the engine (the worker's contention manager hears beforeBlock and
     * afterBlock): workerBlocking marks the worker, raises the allowance so that a throttled worker
     * stands in, and if work is queued, wakes a sleeper or, when fewer unblocked workers than the
     * throttle's limit remain, starts a spare at once. Work queued later while workers are blocked
     * gets the same check in signalWork. The two sides form a Dekker pair like the sleepers': the
     * blocking worker increments retryBlocked (a full fence) and then looks at the queues; a
     * submitter queues, fences and then reads retryBlocked, so one of them sees the other and the
     * queued task is not left behind blocked workers. Other blocking is not reported. For it the
     * supervisor thread looks at the workers every tick: a worker running the same task at two
     * ticks in a row and parked (WAITING, TIMED_WAITING or BLOCKED) at both is blocked. Blocked
     * base workers raise the allowance (throttled workers stand in for them); if there is queued
     * work and fewer unblocked workers than the throttle's limit, it starts a spare worker (up to
     * maxSpares), as ForkJoinPool compensates a managed blocker. A spare retires between two tasks
     * once no worker is blocked (it would only add contention above the throttle's limit), or
     * after a full idle period. So a pool whose workers all wait in retry() for a commit that a queued task will make
     * still runs that task. Each start and retirement of a spare is reported as a
     * dev.weft.scheduler.Compensation event (SchedulerEvents).
     */

    private static final long SHUTDOWN = 1L << 62;
    private static final long COUNT_MASK = SHUTDOWN - 1;

    final int parallelism;
    final ContentionPolicy policy;
    final int escalateAfter;
    final boolean placement;
    final int maxRelocations;
    final int maxSpares;
    /** Whether the supervisor also looks for workers blocked outside retry() (locks, futures). */
    final boolean observeBlocking;
    final Throttle throttle;
    private final Supplier<? extends IdleStrategy> idleStrategies;
    /** The workers' thread name prefix: names this scheduler in threads and events. */
    final String namePrefix;
    private final long tickNanos;

    // Copy-on-write under mainLock; read by everybody (volatile). Base workers first.
    volatile Worker[] workers;
    // Written by the supervisor (and by shutdown paths); read by base workers at every loop turn.
    volatile int allowance;
    // Set once under mainLock when the pool is shut down and quiescent; read everywhere.
    volatile boolean stopping;
    // Set once by shutdownNow; read by workers before each task.
    volatile boolean cancelling;
    /** Workers currently sleeping (or about to): read by signalWork after a full fence. */
    final AtomicInteger sleepers = new AtomicInteger();
    /** Workers currently parked in retry() (reported by the engine); read by signalWork after a fence. */
    final AtomicInteger retryBlocked = new AtomicInteger();
    private final Object allowanceLock = new Object();

    /** Task types by name: the tags users give and the names of untagged bodies' classes. */
    private final ConcurrentHashMap<String, TaskType> types = new ConcurrentHashMap<>();
    /** The type of an untagged task, by its body's class: one lookup per submit, no string work. */
    private final ClassValue<TaskType> typesByClass = new ClassValue<>() {
        @Override
        protected TaskType computeValue(Class<?> bodyClass) {
            return typeNamed(TaskType.nameOf(bodyClass));
        }
    };

    private final AtomicLong ctl = new AtomicLong();
    private final LongAdder submitted = new LongAdder();
    private final ReentrantLock mainLock = new ReentrantLock();
    // Guarded by mainLock.
    private final List<Counters> retiredCounters = new ArrayList<>();
    private int liveThreads;
    private int spares;
    private int spareSequence;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Supervisor supervisor;

    // Written by the supervisor only; read by statistics (volatile).
    volatile long blockedDetections;
    volatile long compensationThreads;

    public Pool(int parallelism, ContentionPolicy policy, int escalateAfter, boolean placement,
                int maxRelocations, boolean throttling, int maxSpares, boolean observeBlocking,
                Supplier<? extends IdleStrategy> idleStrategies, String namePrefix, long tickNanos) {
        this.observeBlocking = observeBlocking;
        this.parallelism = parallelism;
        this.policy = policy;
        this.escalateAfter = escalateAfter;
        this.placement = placement;
        this.maxRelocations = maxRelocations;
        this.maxSpares = maxSpares;
        this.idleStrategies = idleStrategies;
        this.namePrefix = namePrefix;
        this.tickNanos = tickNanos;
        this.throttle = new Throttle(parallelism, throttling, this::updateAllowance, namePrefix);
        this.allowance = parallelism;
        Worker[] base = new Worker[parallelism];
        for (int i = 0; i < parallelism; i++) {
            base[i] = new Worker(this, i, false, newIdleStrategy(), namePrefix + i);
        }
        this.workers = base;
        this.supervisor = new Supervisor(this, tickNanos);
        mainLock.lock();
        try {
            liveThreads = parallelism + 1;
            for (Worker worker : base) {
                worker.start();
            }
            supervisor.start();
        } finally {
            mainLock.unlock();
        }
    }

    private IdleStrategy newIdleStrategy() {
        IdleStrategy strategy = idleStrategies.get();
        if (strategy == null) {
            throw new NullPointerException("the idle strategy supplier returned null");
        }
        return strategy;
    }

    public int parallelism() {
        return parallelism;
    }

    // ------------------------------------------------------------------ routing

    /** The calling thread as a worker of this pool, or null. */
    public Worker currentWorker() {
        return Thread.currentThread() instanceof Worker worker && worker.pool == this ? worker : null;
    }

    /** Accepts an external task or throws {@link RejectedExecutionException} after shutdown. */
    public void submitExternal(Task task) {
        for (;;) {
            long c = ctl.get();
            if ((c & SHUTDOWN) != 0) {
                throw new RejectedExecutionException("This TxnScheduler is shut down (shutdown() or "
                        + "close() was called) and accepts no new tasks; submit tasks before shutting "
                        + "it down, or create a new scheduler.");
            }
            if (ctl.compareAndSet(c, c + 1)) {
                break;
            }
        }
        submitted.increment();
        Worker self = currentWorker();
        if (self != null) {
            self.deque.push(task);
            signalWork(null);
        } else {
            // a worker the throttle lets take tasks: a throttled one's inbox would only be stolen from
            int takers = Math.max(1, Math.min(allowance, parallelism));
            Worker target = workers[ThreadLocalRandom.current().nextInt(takers)];
            target.inbox.offer(task);
            signalWork(target);
        }
    }

    /** Queues {@code task}, abandoned after losing a conflict, on {@code target}'s affinity queue. */
    void relocate(Task task, Worker target) {
        task.placedNanos = System.nanoTime();
        target.affinity.offer(task);
        if (target.retired) { // a spare that retired after we chose it: forward what it left
            forwardLeftovers(target);
        }
        signalWork(target);
    }

    private void forwardLeftovers(Worker retired) {
        Task task;
        while ((task = retired.affinity.poll()) != null) {
            workers[ThreadLocalRandom.current().nextInt(parallelism)].affinity.offer(task);
        }
        while ((task = retired.inbox.poll()) != null) {
            workers[ThreadLocalRandom.current().nextInt(parallelism)].inbox.offer(task);
        }
        signalWork(null);
    }

    /**
     * After queuing work: wakes one sleeping worker, {@code preferred} if it sleeps; if none sleeps
     * and workers are blocked in retry(), compensates them when too few are left to run the work.
     */
    void signalWork(Worker preferred) {
        VarHandle.fullFence(); // the queued task before the reads of sleepers and retryBlocked (overview)
        if (sleepers.get() != 0 && wakeOne(preferred)) {
            return;
        }
        if (retryBlocked.get() != 0) {
            compensate();
        }
    }

    private boolean wakeOne(Worker preferred) {
        if (preferred != null && preferred.tryWake()) {
            return true;
        }
        for (Worker worker : workers) {
            if (worker.tryWake()) {
                return true;
            }
        }
        return false;
    }

    /** The engine is about to park {@code worker} in retry(); called on that worker. */
    void workerBlocking(Worker worker) {
        worker.retryBlocked = true;
        retryBlocked.incrementAndGet(); // a full fence: pairs with signalWork's (overview)
        updateAllowance();
        if (!hasQueuedWork()) {
            return;
        }
        if (sleepers.get() != 0 && wakeOne(null)) {
            return;
        }
        compensate();
    }

    /** {@code worker}'s wait in retry() ended; called on that worker. */
    void workerUnblocked(Worker worker) {
        worker.retryBlocked = false;
        retryBlocked.decrementAndGet();
        updateAllowance();
    }

    /**
     * Work is queued: starts a spare if fewer workers than the throttle's limit can take it (base
     * workers within the allowance and spares, less the blocked ones), or if every worker is
     * blocked. Called by the blocking worker, by submitters and by the supervisor.
     */
    void compensate() {
        Worker[] all = workers;
        int blocked = 0;
        int blockedInRetry = 0; // the same reads as isBlocked(), split for the Compensation event
        for (Worker worker : all) {
            if (worker.retryBlocked) {
                blockedInRetry++;
                blocked++;
            } else if (worker.blocked) {
                blocked++;
            }
        }
        if (blocked == 0) {
            return;
        }
        int spareCount = all.length - parallelism;
        int available = Math.min(allowance, parallelism) + spareCount - blocked;
        if (available < throttle.limit() || blocked == all.length) {
            startSpare(blocked, blockedInRetry);
        }
    }

    boolean hasQueuedWork() {
        for (Worker worker : workers) {
            if (worker.hasQueuedWork()) {
                return true;
            }
        }
        return false;
    }

    /** The worker whose transactions carry {@code ownerId}, or null (not a thread of this pool). */
    Worker workerOwning(long ownerId) {
        for (Worker worker : workers) {
            if (worker.ownerId == ownerId) {
                return worker;
            }
        }
        return null;
    }

    /**
     * For a lost attempt whose opponent the engine could not name (a validation failure): the one
     * other worker that committed a scheduler-run transaction since {@code sinceNanos}, or null when
     * none or several did. A guess, right whenever the conflicting commit was one of ours and the
     * only one; a wrong guess only moves a task to another worker.
     */
    Worker soleCommitterSince(long sinceNanos, Worker self) {
        Worker found = null;
        for (Worker worker : workers) {
            if (worker != self && worker.lastCommitNanos - sinceNanos > 0) {
                if (found != null) {
                    return null;
                }
                found = worker;
            }
        }
        return found;
    }

    // ------------------------------------------------------------------ throttling and blocking

    /**
     * Allowance = the throttle's limit plus the blocked base workers (stand-ins for them). Called by
     * the supervisor, the throttle and blocking workers; the lock keeps a stale computation from
     * overwriting a newer one.
     */
    void updateAllowance() {
        synchronized (allowanceLock) {
            int blockedBase = 0;
            Worker[] all = workers;
            for (int i = 0; i < parallelism; i++) {
                if (all[i].isBlocked()) {
                    blockedBase++;
                }
            }
            int updated = Math.min(parallelism, throttle.limit() + blockedBase);
            int previous = allowance;
            allowance = updated;
            if (updated > previous) {
                for (int i = previous; i < updated; i++) {
                    LockSupport.unpark(all[i]);
                }
            }
        }
    }

    /**
     * Starts one spare worker for {@code blocked} blocked workers ({@code blockedInRetry} of them
     * in retry(); both only reported); false when the cap is reached or the pool stops.
     */
    boolean startSpare(int blocked, int blockedInRetry) {
        int index;
        int sparesNow;
        mainLock.lock();
        try {
            if (stopping || spares >= maxSpares) {
                return false;
            }
            index = parallelism + spareSequence++;
            Worker spare = new Worker(this, index, true, newIdleStrategy(), namePrefix + "spare-" + index);
            Worker[] grown = Arrays.copyOf(workers, workers.length + 1);
            grown[grown.length - 1] = spare;
            workers = grown;
            sparesNow = ++spares;
            liveThreads++;
            compensationThreads = compensationThreads + 1;
            spare.start();
        } finally {
            mainLock.unlock();
        }
        if (SchedulerEvents.compensationEnabled()) {
            SchedulerEvents.compensation(namePrefix, SchedulerEvents.STARTED, index, blocked, blockedInRetry,
                    sparesNow);
        }
        return true;
    }

    /** A spare found no work for a full idle period: leave the pool. True if it must exit. */
    boolean retireSpare(Worker spare) {
        int sparesNow;
        mainLock.lock();
        try {
            Worker[] all = workers;
            Worker[] shrunk = new Worker[all.length - 1];
            int j = 0;
            for (Worker worker : all) {
                if (worker != spare) {
                    shrunk[j++] = worker;
                }
            }
            workers = shrunk;
            sparesNow = --spares;
            retiredCounters.add(spare.counters);
            spare.retired = true;
        } finally {
            mainLock.unlock();
        }
        forwardLeftovers(spare);
        if (SchedulerEvents.compensationEnabled()) {
            SchedulerEvents.compensation(namePrefix, SchedulerEvents.RETIRED, spare.index, countBlocked(false),
                    countBlocked(true), sparesNow);
        }
        return true;
    }

    /** Workers blocked now, or only those parked in retry(); a racy count (events; spares between tasks). */
    int countBlocked(boolean inRetryOnly) {
        int count = 0;
        for (Worker worker : workers) {
            if (inRetryOnly ? worker.retryBlocked : worker.isBlocked()) {
                count++;
            }
        }
        return count;
    }

    int spares() {
        mainLock.lock();
        try {
            return spares;
        } finally {
            mainLock.unlock();
        }
    }

    // ------------------------------------------------------------------ lifecycle

    void externalFinished() {
        long c = ctl.decrementAndGet();
        if (c == SHUTDOWN) {
            tryTerminate();
        }
    }

    public void shutdown() {
        ctl.getAndUpdate(c -> c | SHUTDOWN);
        tryTerminate();
        wakeAll(); // sleeping workers re-check; idle ones terminate once quiescent
    }

    public void shutdownNow() {
        cancelling = true;
        ctl.getAndUpdate(c -> c | SHUTDOWN);
        for (Worker worker : workers) {
            worker.interrupt();
        }
        wakeAll();
        tryTerminate();
    }

    private void wakeAll() {
        for (Worker worker : workers) {
            worker.tryWake();
            LockSupport.unpark(worker);
        }
        LockSupport.unpark(supervisor);
    }

    public boolean isShutdown() {
        return (ctl.get() & SHUTDOWN) != 0;
    }

    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    /** Stops the pool if it is shut down and quiescent; true if it is stopping. */
    boolean tryTerminate() {
        if (stopping) {
            return true;
        }
        if (!isShutdown()) {
            return false;
        }
        mainLock.lock();
        try {
            if (stopping) {
                return true;
            }
            if (!quiescent()) {
                return false;
            }
            stopping = true;
        } finally {
            mainLock.unlock();
        }
        wakeAll();
        return true;
    }

    /** Caller holds mainLock. See the overview for why the reading order matters. */
    private boolean quiescent() {
        if ((ctl.get() & COUNT_MASK) != 0) {
            return false;
        }
        Worker[] all = workers;
        long finished = 0;
        for (Worker worker : all) {
            finished += worker.counters.get(Counters.FINISHED);
        }
        for (Counters counters : retiredCounters) {
            finished += counters.get(Counters.FINISHED);
        }
        long created = 0;
        for (Worker worker : all) {
            created += worker.counters.get(Counters.CREATED);
        }
        for (Counters counters : retiredCounters) {
            created += counters.get(Counters.CREATED);
        }
        return finished == created;
    }

    void workerExited(Worker worker) {
        exited();
    }

    void supervisorExited() {
        exited();
    }

    private void exited() {
        boolean last;
        mainLock.lock();
        try {
            last = --liveThreads == 0;
        } finally {
            mainLock.unlock();
        }
        if (last) {
            terminated.countDown();
        }
    }

    // ------------------------------------------------------------------ task types

    /** The type named {@code name}, created on first use. */
    public TaskType typeNamed(String name) {
        TaskType type = types.get(name);
        return type != null ? type : types.computeIfAbsent(name, TaskType::new);
    }

    /** The type of an untagged task: named after its body's class. */
    public TaskType typeOf(Object body) {
        return typesByClass.get(body.getClass());
    }

    /** The type of a fork: the type of the task forking it, else its body's class. */
    public TaskType forkType(Object body) {
        Worker self = currentWorker();
        Task forking = self == null ? null : self.current;
        return forking != null ? forking.type : typeOf(body);
    }

    // ------------------------------------------------------------------ statistics

    public Map<String, TaskTypeStatistics> statisticsByType() {
        TreeMap<String, TaskTypeStatistics> snapshot = new TreeMap<>();
        for (TaskType type : types.values()) {
            snapshot.put(type.name, type.snapshot());
        }
        return Collections.unmodifiableMap(snapshot);
    }

    public SchedulerStatistics statistics() {
        long[] sums = new long[Counters.COUNT];
        mainLock.lock();
        try {
            for (Worker worker : workers) {
                for (int i = 0; i < Counters.COUNT; i++) {
                    sums[i] += worker.counters.get(i);
                }
            }
            for (Counters counters : retiredCounters) {
                for (int i = 0; i < Counters.COUNT; i++) {
                    sums[i] += counters.get(i);
                }
            }
        } finally {
            mainLock.unlock();
        }
        long onRead = sums[Counters.ABORTS_ON_READ];
        long aborts = Math.max(sums[Counters.ABORTS], onRead); // summed racily: never fewer than those on read
        return new SchedulerStatistics(parallelism, submitted.sum(),
                sums[Counters.COMPLETED] + sums[Counters.FAILED], sums[Counters.FAILED],
                sums[Counters.CREATED], sums[Counters.COMMITS], aborts, onRead, aborts - onRead,
                sums[Counters.ABORTS_AGAINST_WORKERS], sums[Counters.ESCALATIONS],
                sums[Counters.PLACEMENTS], sums[Counters.STEALS], sums[Counters.BACKOFF_NANOS],
                sums[Counters.RETRY_WAITS], blockedDetections, compensationThreads, throttle.limit(), throttle.decreases(),
                throttle.increases());
    }

    @Override
    public String toString() {
        String state = isTerminated() ? "terminated" : isShutdown() ? "shutting down" : "running";
        return "TxnScheduler[" + state + ", parallelism=" + parallelism + ", policy=" + policy
                + ", placement=" + placement + "]";
    }
}
