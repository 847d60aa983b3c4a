package dev.weft.bench.sched;

import dev.weft.bench.MultiverseSite;
import dev.weft.refs.LongRef;
import java.util.concurrent.atomic.LongAdder;
import org.multiverse.api.StmUtils;
import org.multiverse.api.TxnExecutor;
import org.multiverse.api.callables.TxnVoidCallable;
import org.multiverse.api.references.TxnLong;
import org.openjdk.jmh.infra.Blackhole;
import scala.concurrent.stm.Ref;
import scala.concurrent.stm.japi.STM;

/**
 * The highest contention there is: every task reads one counter, computes for {@code work}
 * tokens ({@code Blackhole.consumeCPU}) and writes it back incremented. Any two overlapping tasks
 * conflict.
 */
final class CounterWorkload implements TxnWorkload {
    private final int work;
    private LongRef weft;
    private TxnLong multiverse;
    /** Multiverse's executor for this workload's one call site (see {@link MultiverseSite}). */
    private final TxnExecutor multiverseSite = MultiverseSite.executor();
    private Ref.View<Long> scala;

    CounterWorkload(int work) {
        this.work = work;
    }

    @Override
    public String name() {
        return "counter(work=" + work + ")";
    }

    @Override
    public void setUp() {
        weft = new LongRef(0);
        multiverse = StmUtils.newTxnLong(0);
        scala = STM.newRef(0L);
    }

    @Override
    public Runnable weftBody(long i, LongAdder attempts) {
        LongRef counter = weft;
        return () -> {
            attempts.increment();
            long seen = counter.get();
            Blackhole.consumeCPU(work);
            counter.set(seen + 1);
        };
    }

    @Override
    public boolean hasPeers() {
        return true;
    }

    @Override
    public Runnable multiverseTask(long i, LongAdder attempts) {
        TxnLong counter = multiverse;
        TxnVoidCallable body = tx -> {
            attempts.increment();
            long seen = counter.get(tx);
            Blackhole.consumeCPU(work);
            counter.set(tx, seen + 1);
        };
        return () -> multiverseSite.execute(body);
    }

    @Override
    public Runnable scalaTask(long i, LongAdder attempts) {
        Ref.View<Long> counter = scala;
        Runnable body = () -> {
            attempts.increment();
            long seen = counter.get();
            Blackhole.consumeCPU(work);
            counter.set(seen + 1);
        };
        return () -> STM.atomic(body);
    }

    @Override
    public void check(long tasks, String implementation) {
        long value = switch (implementation) {
            case "multiverse" -> multiverse.atomicGet();
            case "scalastm" -> scala.get();
            default -> weft.atomic().get();
        };
        if (value != tasks) {
            throw new IllegalStateException(name() + " on " + implementation + ": counter " + value + " after " + tasks + " increments");
        }
    }
}
