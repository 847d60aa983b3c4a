package dev.weft.check;

import dev.weft.check.internal.HistoryColumns;
import dev.weft.check.internal.RecordBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the transaction attempts of a concurrent run, one {@link ThreadRecorder} per thread,
 * and merges them into a {@link History} afterwards.
 *
 * <pre>{@code
 * HistoryRecorder recorder = new HistoryRecorder();
 * // on each worker thread:
 * ThreadRecorder rec = recorder.forCurrentThread();
 * rec.atomic(() -> { ... rec.read(k, v) ... rec.write(k, rec.uniqueValue()) ... });
 * // after joining the workers:
 * SerializabilityChecker.check(recorder.history()).assertValid();
 * }</pre>
 *
 * <p>Thread-safety: thread-safe. Handing out a recorder takes a lock once per thread; recording
 * itself takes none (each thread appends to its own arrays). Call {@link #history()} only after
 * every recording thread has finished (joined), or after their last recording happens-before the
 * call by other means; an attempt still open then is recorded as {@link Outcome#UNFINISHED}.
 */
public final class HistoryRecorder {
    private final Object lock = new Object();
    // guarded by lock; read by history() after the recording threads have finished
    private final List<ThreadRecorder> recorders = new ArrayList<>();
    private final ThreadLocal<ThreadRecorder> current = ThreadLocal.withInitial(this::newThreadRecorder);

    /** Creates an empty recorder. */
    public HistoryRecorder() {}

    /**
     * The calling thread's recorder, created on first use.
     *
     * @return a recorder only this thread should use
     */
    public ThreadRecorder forCurrentThread() {
        return current.get();
    }

    /**
     * A new recorder, for example to forge a history with several logical threads from one test
     * thread, or when tasks move between pool threads (then give each task its own).
     *
     * @return a new recorder with the next thread index
     */
    public ThreadRecorder newThreadRecorder() {
        synchronized (lock) {
            ThreadRecorder recorder = new ThreadRecorder(recorders.size());
            recorders.add(recorder);
            return recorder;
        }
    }

    /**
     * Merges everything recorded so far: thread 0's attempts first, in order, then thread 1's, ...
     *
     * @return an immutable history; recording may continue, later attempts are not in it
     */
    public History history() {
        List<ThreadRecorder> snapshot;
        synchronized (lock) {
            snapshot = List.copyOf(recorders);
        }
        long txns = 0;
        long ops = 0;
        long lists = 0;
        for (ThreadRecorder recorder : snapshot) {
            RecordBuffer buffer = recorder.buffer();
            txns += buffer.txnCount();
            ops += buffer.opCount();
            lists += buffer.listsLength();
        }
        if (txns > Integer.MAX_VALUE - 8 || ops > Integer.MAX_VALUE - 8 || lists > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("history too large to merge (" + txns + " attempts, " + ops
                    + " ops); record a shorter run");
        }
        int n = (int) txns;
        int[] thread = new int[n];
        int[] sequence = new int[n];
        byte[] outcome = new byte[n];
        int[] opStart = new int[n + 1];
        byte[] opKind = new byte[(int) ops];
        long[] opKey = new long[(int) ops];
        long[] opValue = new long[(int) ops];
        long[] listPool = new long[(int) lists];
        int txnBase = 0;
        int opBase = 0;
        int listBase = 0;
        for (ThreadRecorder recorder : snapshot) {
            RecordBuffer buffer = recorder.buffer();
            buffer.copyInto(recorder.threadIndex(), txnBase, opBase, listBase, thread, sequence, outcome, opStart,
                    opKind, opKey, opValue, listPool);
            txnBase += buffer.txnCount();
            opBase += buffer.opCount();
            listBase += buffer.listsLength();
        }
        opStart[n] = opBase;
        return new History(new HistoryColumns(n, thread, sequence, outcome, opStart, opKind, opKey, opValue,
                listPool));
    }
}
