package dev.weft.scheduler.internal;

import dev.weft.stm.Stm;
import dev.weft.stm.spi.Barrier;
import java.util.concurrent.CancellationException;
import java.util.function.IntConsumer;

/**
 * A piece {@code [from, to)} of a {@code parallelFor}. Running it splits off halves onto the
 * worker's deque until the piece is at most one grain (lazy binary splitting: thieves take the
 * big halves, the owner works through small ones), then runs each index as its own transaction.
 * An index whose transaction loses to a task on another worker is relocated there as a piece of
 * its own; the rest of the piece goes on.
 *
 * <p>Thread-safety: runs on one worker at a time.
 */
public final class RangeTask extends Task {
    private final LoopJoin join;
    private final IntConsumer body;
    private final int from;
    private final int to;
    private final int grain;
    private int index;
    /** A single index moved here after a conflict: keep its abort and relocation counts. */
    private boolean relocated;
    private final Runnable indexBody = () -> bodyAt(index);

    public RangeTask(LoopJoin join, IntConsumer body, int from, int to, int grain, boolean external,
                     TaskType type) {
        super(external, type);
        this.join = join;
        this.body = body;
        this.from = from;
        this.to = to;
        this.grain = grain;
    }

    private void bodyAt(int i) {
        ownAttempt = Barrier.runningTransaction();
        body.accept(i);
    }

    @Override
    int run(Worker worker) {
        int lo = from;
        int hi = to;
        while ((long) hi - lo > grain) { // long: a range may span more than Integer.MAX_VALUE indexes
            int mid = (int) (((long) lo + hi) >> 1); // (lo + hi) >>> 1 is wrong when lo + hi < 0
            worker.fork(new RangeTask(join, body, mid, hi, grain, false, type));
            hi = mid;
        }
        long done = 0;
        boolean failed = false;
        for (int i = lo; i < hi; i++) {
            index = i;
            if (!relocated) {
                aborts = 0;
                relocations = 0;
                karmaRefs = 0;
            }
            try {
                Stm.atomic(indexBody); // its commit is counted by the worker's onCommit hook
                done++;
            } catch (Relocation relocation) {
                RangeTask moved = new RangeTask(join, body, i, i + 1, 1, false, type);
                moved.relocated = true;
                moved.aborts = aborts;
                moved.relocations = relocations;
                moved.workNanos = workNanos;
                moved.karmaRefs = karmaRefs;
                moved.firstStartNanos = firstStartNanos;
                Worker target = relocationTarget;
                relocationTarget = null;
                worker.counters.incrementRelease(Counters.CREATED);
                worker.pool.relocate(moved, target);
            } catch (Throwable failure) {
                join.failed(failure);
                failed = true;
                done++;
            }
            worker.contention.attemptStartNanos = System.nanoTime();
        }
        join.finished(done);
        return failed ? FAILED : COMPLETED;
    }


    @Override
    void cancel() {
        join.failed(new CancellationException("the scheduler was shut down with shutdownNow() before parallelFor finished"));
        join.finished((long) to - from);
    }
}
