package dev.weft.bench;

import clojure.lang.LockingTransaction;
import clojure.lang.Ref;
import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.multiverse.api.StmUtils;
import org.multiverse.api.TxnExecutor;
import org.multiverse.api.callables.TxnVoidCallable;
import org.multiverse.api.references.TxnLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import scala.concurrent.stm.japi.STM;

/**
 * A transaction that moves 1 between two distinct random accounts of {@value AccountPicker#ACCOUNTS}
 * (read and write both): the classic two-ref update, with rare conflicts at t=2. The lock
 * baseline is one global {@link ReentrantLock} over a {@code long[]}.
 *
 * <p>Each thread's body is built once in its teller state and reads the accounts the thread's
 * {@link AccountPicker} chose; {@code weftInlineLambda} instead writes the capturing lambda a
 * caller naturally would.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class TransferBenchmark {
    /** A Multiverse call site's executor (see {@link MultiverseSite}). */
    private static final TxnExecutor MULTIVERSE_SITE = MultiverseSite.executor();


    // ------------------------------------------------------------------ Weft

    @State(Scope.Benchmark)
    public static class WeftBank {
        final LongRef[] accounts = new LongRef[AccountPicker.ACCOUNTS];

        public WeftBank() {
            for (int i = 0; i < accounts.length; i++) {
                accounts[i] = new LongRef(1000);
            }
        }
    }

    @State(Scope.Thread)
    public static class WeftTeller {
        LongRef[] accounts;
        AccountPicker picker;
        Runnable body;

        @Setup
        public void setup(WeftBank bank, AccountPicker picker) {
            this.accounts = bank.accounts;
            this.picker = picker;
            this.body = this::transfer;
        }

        private void transfer() {
            LongRef from = accounts[picker.from];
            LongRef to = accounts[picker.to];
            from.set(from.get() - 1);
            to.set(to.get() + 1);
        }
    }

    @Benchmark
    public void weft(WeftTeller teller) {
        teller.picker.next();
        Stm.atomic(teller.body);
    }

    @Benchmark
    public void weftInlineLambda(WeftBank bank, AccountPicker picker) {
        picker.next();
        LongRef from = bank.accounts[picker.from];
        LongRef to = bank.accounts[picker.to];
        Stm.atomic(() -> {
            from.set(from.get() - 1);
            to.set(to.get() + 1);
        });
    }

    // ------------------------------------------------------------------ Multiverse

    @State(Scope.Benchmark)
    public static class MultiverseBank {
        final TxnLong[] accounts = new TxnLong[AccountPicker.ACCOUNTS];

        public MultiverseBank() {
            for (int i = 0; i < accounts.length; i++) {
                accounts[i] = StmUtils.newTxnLong(1000);
            }
        }
    }

    @State(Scope.Thread)
    public static class MultiverseTeller {
        AccountPicker picker;
        TxnVoidCallable body;

        @Setup
        public void setup(MultiverseBank bank, AccountPicker picker) {
            TxnLong[] accounts = bank.accounts;
            this.picker = picker;
            this.body = tx -> {
                TxnLong from = accounts[picker.from];
                TxnLong to = accounts[picker.to];
                from.set(tx, from.get(tx) - 1);
                to.set(tx, to.get(tx) + 1);
            };
        }
    }

    @Benchmark
    public void multiverse(MultiverseTeller teller) {
        teller.picker.next();
        MULTIVERSE_SITE.execute(teller.body);
    }

    // ------------------------------------------------------------------ ScalaSTM

    @State(Scope.Benchmark)
    public static class ScalaStmBank {
        @SuppressWarnings({"unchecked", "rawtypes"}) // no generic array creation in Java
        final scala.concurrent.stm.Ref.View<Long>[] accounts = new scala.concurrent.stm.Ref.View[AccountPicker.ACCOUNTS];

        public ScalaStmBank() {
            for (int i = 0; i < accounts.length; i++) {
                accounts[i] = STM.newRef(1000L);
            }
        }
    }

    @State(Scope.Thread)
    public static class ScalaStmTeller {
        AccountPicker picker;
        Runnable body;

        @Setup
        public void setup(ScalaStmBank bank, AccountPicker picker) {
            scala.concurrent.stm.Ref.View<Long>[] accounts = bank.accounts;
            this.picker = picker;
            this.body = () -> {
                scala.concurrent.stm.Ref.View<Long> from = accounts[picker.from];
                scala.concurrent.stm.Ref.View<Long> to = accounts[picker.to];
                from.set(from.get() - 1);
                to.set(to.get() + 1);
            };
        }
    }

    @Benchmark
    public void scalaStm(ScalaStmTeller teller) {
        teller.picker.next();
        STM.atomic(teller.body);
    }

    // ------------------------------------------------------------------ Clojure

    @State(Scope.Benchmark)
    public static class ClojureBank {
        final Ref[] accounts = new Ref[AccountPicker.ACCOUNTS];

        public ClojureBank() {
            for (int i = 0; i < accounts.length; i++) {
                accounts[i] = new Ref(1000L);
            }
        }
    }

    @State(Scope.Thread)
    public static class ClojureTeller {
        AccountPicker picker;
        Callable<Object> body;

        @Setup
        public void setup(ClojureBank bank, AccountPicker picker) {
            Ref[] accounts = bank.accounts;
            this.picker = picker;
            this.body = () -> {
                Ref from = accounts[picker.from];
                Ref to = accounts[picker.to];
                from.set((Long) from.deref() - 1);
                to.set((Long) to.deref() + 1);
                return null;
            };
        }
    }

    @Benchmark
    public Object clojure(ClojureTeller teller) throws Exception {
        teller.picker.next();
        return LockingTransaction.runInTransaction(teller.body);
    }

    // ------------------------------------------------------------------ one global lock

    @State(Scope.Benchmark)
    public static class LockBank {
        final ReentrantLock lock = new ReentrantLock();
        final long[] balances = new long[AccountPicker.ACCOUNTS]; // guarded by lock

        public LockBank() {
            java.util.Arrays.fill(balances, 1000);
        }
    }

    @Benchmark
    public void lock(LockBank bank, AccountPicker picker) {
        picker.next();
        bank.lock.lock();
        try {
            bank.balances[picker.from]--;
            bank.balances[picker.to]++;
        } finally {
            bank.lock.unlock();
        }
    }
}
