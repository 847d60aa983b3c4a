package dev.weft.bench.sched;

import dev.weft.bench.MultiverseSite;
import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import org.multiverse.api.StmUtils;
import org.multiverse.api.TxnExecutor;
import org.multiverse.api.callables.TxnLongCallable;
import org.multiverse.api.callables.TxnVoidCallable;
import org.multiverse.api.references.TxnLong;
import org.openjdk.jmh.infra.Blackhole;
import scala.concurrent.stm.Ref;
import scala.concurrent.stm.japi.STM;

/**
 * Transfers of 1 between two distinct random accounts, with {@code work} tokens of computation
 * between the reads and the writes. Few accounts: high contention; many: low. The total is
 * audited after the run.
 */
final class BankWorkload implements TxnWorkload {
    private static final long INITIAL = 1_000;
    private final int accounts;
    private final int work;
    private LongRef[] weft;
    private TxnLong[] multiverse;
    /** Multiverse's executor for this workload's one call site (see {@link MultiverseSite}). */
    private final TxnExecutor multiverseSite = MultiverseSite.executor();
    private Ref.View<Long>[] scala;

    BankWorkload(int accounts, int work) {
        this.accounts = accounts;
        this.work = work;
    }

    @Override
    public String name() {
        return "bank(accounts=" + accounts + ",work=" + work + ")";
    }

    @Override
    @SuppressWarnings("unchecked")
    public void setUp() {
        weft = new LongRef[accounts];
        multiverse = new TxnLong[accounts];
        scala = new Ref.View[accounts];
        for (int a = 0; a < accounts; a++) {
            weft[a] = new LongRef(INITIAL);
            multiverse[a] = StmUtils.newTxnLong(INITIAL);
            scala[a] = STM.newRef(INITIAL);
        }
    }

    private int[] pair(long i) {
        SplittableRandom random = new SplittableRandom(i);
        int from = random.nextInt(accounts);
        int to = random.nextInt(accounts - 1);
        return new int[] {from, to >= from ? to + 1 : to};
    }

    @Override
    public Runnable weftBody(long i, LongAdder attempts) {
        int[] p = pair(i);
        LongRef from = weft[p[0]];
        LongRef to = weft[p[1]];
        return () -> {
            attempts.increment();
            long a = from.get();
            long b = to.get();
            Blackhole.consumeCPU(work);
            from.set(a - 1);
            to.set(b + 1);
        };
    }

    @Override
    public boolean hasPeers() {
        return true;
    }

    @Override
    public Runnable multiverseTask(long i, LongAdder attempts) {
        int[] p = pair(i);
        TxnLong from = multiverse[p[0]];
        TxnLong to = multiverse[p[1]];
        TxnVoidCallable body = tx -> {
            attempts.increment();
            long a = from.get(tx);
            long b = to.get(tx);
            Blackhole.consumeCPU(work);
            from.set(tx, a - 1);
            to.set(tx, b + 1);
        };
        return () -> multiverseSite.execute(body);
    }

    @Override
    public Runnable scalaTask(long i, LongAdder attempts) {
        int[] p = pair(i);
        Ref.View<Long> from = scala[p[0]];
        Ref.View<Long> to = scala[p[1]];
        Runnable body = () -> {
            attempts.increment();
            long a = from.get();
            long b = to.get();
            Blackhole.consumeCPU(work);
            from.set(a - 1);
            to.set(b + 1);
        };
        return () -> STM.atomic(body);
    }

    @Override
    public void check(long tasks, String implementation) {
        long total = switch (implementation) {
            case "multiverse" -> StmUtils.atomic((TxnLongCallable) tx -> {
                long sum = 0;
                for (TxnLong account : multiverse) {
                    sum += account.get(tx);
                }
                return sum;
            });
            case "scalastm" -> {
                long sum = 0;
                for (Ref.View<Long> account : scala) {
                    sum += account.get();
                }
                yield sum;
            }
            default -> Stm.atomic(() -> {
                long sum = 0;
                for (LongRef account : weft) {
                    sum += account.get();
                }
                return sum;
            });
        };
        if (total != INITIAL * accounts) {
            throw new IllegalStateException(name() + " on " + implementation + ": total " + total);
        }
    }
}
