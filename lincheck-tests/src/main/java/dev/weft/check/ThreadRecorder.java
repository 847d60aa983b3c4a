package dev.weft.check;

import dev.weft.check.internal.HistoryColumns;
import dev.weft.check.internal.RecordBuffer;
import dev.weft.stm.Stm;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Records one thread's transaction attempts: what each attempt read and wrote, and how it ended.
 * Get one from {@link HistoryRecorder#forCurrentThread()}.
 *
 * <pre>{@code
 * ThreadRecorder rec = recorder.forCurrentThread();
 * rec.atomic(() -> {                       // Stm.atomic, one recorded attempt per execution of the body
 *     long seen = x.get();
 *     rec.read(X, seen);
 *     long mine = rec.uniqueValue();
 *     x.set(mine);
 *     rec.write(X, mine);
 * });
 * }</pre>
 *
 * <p>Each execution of a body is one <em>attempt</em>. {@link #atomic(Runnable)} opens an attempt
 * at the start of every execution of the body; when the engine re-runs the body, the attempt left
 * open is recorded as {@link Outcome#ABORTED} (its reads still count: under opacity they must come
 * from one snapshot). The attempt open when {@code Stm.atomic} returns is
 * {@link Outcome#COMMITTED}; if the body throws, it is {@link Outcome#ABORTED}. With another
 * transactional system, call {@link #begin()}, the recording methods, and {@link #commit()} or
 * {@link #abort()} yourself.
 *
 * <p>Record a read right after it returns and a write right after it is made, in program order.
 * Register values and appended elements must be unique per key and never
 * {@value History#INITIAL_VALUE}: take them from {@link #uniqueValue()}.
 *
 * <p><b>Partial rollbacks.</b> When part of an attempt is rolled back while the attempt goes on (a
 * nested {@code Stm.atomic} scope that threw and was caught, an {@code Stm.orElse} alternative
 * that called {@code retry}), record that part provisionally: take {@link #mark()} where it
 * starts and call {@link #rollbackTo(int)} when it is rolled back, which drops its ops.
 *
 * <pre>{@code
 * int mark = rec.mark();
 * try {
 *     Stm.atomic(() -> { ... rec.append(K, e) ... throw new Abandon(); });
 * } catch (Abandon e) {
 *     rec.rollbackTo(mark);                 // K never got e: the committed attempt did not append it
 * }
 * }</pre>
 *
 * <p>Thread-safety: not thread-safe. One thread records at a time (normally the thread that got
 * it from {@code forCurrentThread()}); recording takes no lock and, apart from growing its arrays,
 * allocates nothing. The recording methods are plain bookkeeping, not transactional: an aborted
 * attempt's records stay, marked aborted.
 */
public final class ThreadRecorder {
    private static final int VALUE_BITS = 40;

    private final int index;
    private final RecordBuffer buffer = new RecordBuffer();
    private long uniqueCounter;
    private boolean open;

    ThreadRecorder(int index) {
        if (index >= (1 << (63 - VALUE_BITS)) - 1) {
            throw new IllegalStateException("too many thread recorders in one history (" + index
                    + "); use one HistoryRecorder per run");
        }
        this.index = index;
    }

    /**
     * This recorder's thread index in the merged history ({@link Txn#thread()}).
     *
     * @return the thread index, from 0 in creation order
     */
    public int threadIndex() {
        return index;
    }

    /**
     * A value no other call of any recorder of the same history returns, never
     * {@value History#INITIAL_VALUE}: use it for every register write and append.
     *
     * @return a fresh positive value
     */
    public long uniqueValue() {
        long counter = ++uniqueCounter;
        if (counter >= (1L << VALUE_BITS)) {
            throw new IllegalStateException("this thread recorder ran out of unique values (2^40)");
        }
        return ((long) (index + 1) << VALUE_BITS) | counter;
    }

    /**
     * Opens a new attempt. If the previous attempt is still open it is recorded as
     * {@link Outcome#ABORTED}: that is how a body re-run by the engine is noticed.
     */
    public void begin() {
        if (open) {
            buffer.endTxn(HistoryColumns.ABORTED);
        }
        buffer.beginTxn(HistoryColumns.UNFINISHED);
        open = true;
    }

    /** Ends the open attempt as committed. */
    public void commit() {
        end(HistoryColumns.COMMITTED);
    }

    /** Ends the open attempt as aborted (rolled back; none of its writes took effect). */
    public void abort() {
        end(HistoryColumns.ABORTED);
    }

    /**
     * Whether an attempt is open (begun and neither committed nor aborted).
     *
     * @return true between {@link #begin()} and {@link #commit()} or {@link #abort()}
     */
    public boolean attemptOpen() {
        return open;
    }

    /**
     * A mark of the ops the open attempt has recorded so far, for {@link #rollbackTo(int)}.
     *
     * @return the position of the next op to be recorded
     * @throws IllegalStateException if no attempt is open
     */
    public int mark() {
        requireOpen();
        return buffer.opCount();
    }

    /**
     * Drops every op the open attempt recorded after {@code mark} was taken: the part of the
     * attempt that was rolled back while the attempt went on. Reads made before the mark stay.
     *
     * @param mark a value {@link #mark()} returned during the open attempt
     * @throws IllegalStateException if no attempt is open
     * @throws IllegalArgumentException if {@code mark} was not taken during the open attempt, or
     *     lies after the ops recorded since (it was rolled back past already)
     */
    public void rollbackTo(int mark) {
        requireOpen();
        if (mark < buffer.latestTxnOpStart() || mark > buffer.opCount()) {
            throw new IllegalArgumentException("mark " + mark + " was not taken in the open attempt (its ops are "
                    + buffer.latestTxnOpStart() + ".." + buffer.opCount() + ")");
        }
        buffer.truncateOps(mark);
    }

    /**
     * Records that the open attempt read {@code value} from register {@code key}.
     *
     * @param key the register
     * @param value the value the read returned; {@value History#INITIAL_VALUE} if never written
     * @return this recorder
     * @throws IllegalStateException if no attempt is open
     */
    public ThreadRecorder read(long key, long value) {
        requireOpen();
        buffer.op(HistoryColumns.READ, key, value);
        return this;
    }

    /**
     * Records that the open attempt wrote {@code value} to register {@code key}.
     *
     * @param key the register
     * @param value the value written, unique for this key (see {@link #uniqueValue()})
     * @return this recorder
     * @throws IllegalArgumentException if {@code value} is {@value History#INITIAL_VALUE}
     * @throws IllegalStateException if no attempt is open
     */
    public ThreadRecorder write(long key, long value) {
        requireOpen();
        requireWritable(value);
        buffer.op(HistoryColumns.WRITE, key, value);
        return this;
    }

    /**
     * Records that the open attempt appended {@code element} to the list at {@code key}.
     *
     * @param key the list
     * @param element the element appended, unique for this key (see {@link #uniqueValue()})
     * @return this recorder
     * @throws IllegalArgumentException if {@code element} is {@value History#INITIAL_VALUE}
     * @throws IllegalStateException if no attempt is open
     */
    public ThreadRecorder append(long key, long element) {
        requireOpen();
        requireWritable(element);
        buffer.op(HistoryColumns.APPEND, key, element);
        return this;
    }

    /**
     * Records that the open attempt read the list at {@code key} as {@code elements} (copied).
     *
     * @param key the list
     * @param elements the elements read, oldest first
     * @return this recorder
     * @throws IllegalStateException if no attempt is open
     */
    public ThreadRecorder readList(long key, long... elements) {
        Objects.requireNonNull(elements, "elements");
        return readList(key, elements, elements.length);
    }

    /**
     * Records that the open attempt read the list at {@code key} as the first {@code length}
     * entries of {@code elements} (copied).
     *
     * @param key the list
     * @param elements holds the elements read, oldest first, from index 0
     * @param length how many entries of {@code elements} the read returned
     * @return this recorder
     * @throws IllegalStateException if no attempt is open
     * @throws IllegalArgumentException if {@code length} is outside 0 to {@code elements.length}
     */
    public ThreadRecorder readList(long key, long[] elements, int length) {
        requireOpen();
        Objects.requireNonNull(elements, "elements");
        if (length < 0 || length > elements.length) {
            throw new IllegalArgumentException("length " + length + " is outside 0.." + elements.length);
        }
        buffer.listOp(key, elements, length);
        return this;
    }

    /**
     * Runs {@code body} with {@link Stm#atomic(Runnable)} and records every execution of it as
     * one attempt: the one that commits as {@link Outcome#COMMITTED}, the others as
     * {@link Outcome#ABORTED}. An exception from the body aborts the attempt and propagates.
     *
     * @param body the transaction body; it records its reads and writes on this recorder
     * @throws IllegalStateException if a transaction or a recorded attempt is already running on
     *     this thread (record the outermost transaction only)
     */
    public void atomic(Runnable body) {
        Objects.requireNonNull(body, "body");
        atomic(() -> {
            body.run();
            return null;
        });
    }

    /**
     * {@link #atomic(Runnable)} with a result: runs {@code body} with
     * {@link Stm#atomic(Supplier)}, recording every execution as one attempt.
     *
     * @param body the transaction body; it records its reads and writes on this recorder
     * @param <T> the result type
     * @return the result of the attempt that committed
     * @throws IllegalStateException if a transaction or a recorded attempt is already running
     */
    public <T> T atomic(Supplier<T> body) {
        Objects.requireNonNull(body, "body");
        if (open || Stm.inTransaction()) {
            throw new IllegalStateException("a recorded transaction cannot run inside another transaction or "
                    + "recorded attempt (nested atomic joins the outer one); record the outermost transaction only");
        }
        T result;
        try {
            result = Stm.atomic(() -> {
                begin();
                return body.get();
            });
        } catch (Throwable e) { // a checked exception thrown sneakily (Kotlin, Lombok) ends the attempt too
            if (open) {
                abort();
            }
            throw e;
        }
        commit();
        return result;
    }

    RecordBuffer buffer() {
        return buffer;
    }

    private void end(byte outcome) {
        if (!open) {
            throw new IllegalStateException("no attempt is open; call begin() first");
        }
        buffer.endTxn(outcome);
        open = false;
    }

    private void requireOpen() {
        if (!open) {
            throw new IllegalStateException("no attempt is open: call begin() first, or record inside "
                    + "ThreadRecorder.atomic(...)");
        }
    }

    private static void requireWritable(long value) {
        if (value == History.INITIAL_VALUE) {
            throw new IllegalArgumentException(History.INITIAL_VALUE + " is the initial value of every register and "
                    + "cannot be written or appended; use ThreadRecorder.uniqueValue()");
        }
    }
}
