package dev.weft.bench;

import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import dev.weft.stm.internal.Transaction;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What other threads pay while Weft's progress mechanisms run: a long read-only transaction
 * (a sum over 100,000 refs) next to a writer, and an irrevocable transaction next to readers of
 * its refs and writers of other refs. Each {@code ...Alone} group is the same thread without the
 * disturbance, so the ratio of the two is the cost.
 *
 * <p>Sample-time mode: JMH reports each method's latency distribution (p50, p99, p99.99, max), so
 * a stall caused by the irrevocable transaction would show up in the tail, not only in the mean.
 *
 * <p>The irrevocable transaction is started through the engine's internal entry point
 * ({@code Transaction.executeIrrevocably}, reachable here because benchmarks run on the class
 * path); in applications a transaction becomes irrevocable after repeated aborts.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ProgressBenchmark {
    static final int LONG_READ_SIZE = 100_000;
    static final int IRREVOCABLE_SIZE = 1_000;
    static final int DISJOINT_SIZE = 1_024;

    @State(Scope.Group)
    public static class Refs {
        LongRef[] many;          // the long reader's refs, moved between by the writer
        LongRef[] reserved;      // touched by the irrevocable transaction
        LongRef[] disjoint;      // never touched by it
        AtomicLong[] plain;      // the control reader's objects: as many, as large, no STM
        LongSupplier sumAll;
        Runnable irrevocableBody;

        @Setup(Level.Trial)
        public void setUp() {
            many = refs(LONG_READ_SIZE);
            reserved = refs(IRREVOCABLE_SIZE);
            disjoint = refs(DISJOINT_SIZE);
            plain = new AtomicLong[LONG_READ_SIZE];
            for (int i = 0; i < LONG_READ_SIZE; i++) {
                plain[i] = new AtomicLong(10);
            }
            sumAll = () -> {
                long total = 0;
                for (LongRef ref : many) {
                    total += ref.get();
                }
                return total;
            };
            irrevocableBody = () -> {
                long total = 0;
                for (LongRef ref : reserved) { // reserves all 1,000 refs
                    total += ref.get();
                }
                for (int i = 0; i < 10; i++) {
                    reserved[i].set(reserved[i].get() + (total & 1));
                }
            };
        }

        private static LongRef[] refs(int size) {
            LongRef[] refs = new LongRef[size];
            for (int i = 0; i < size; i++) {
                refs[i] = new LongRef(10);
            }
            return refs;
        }
    }

    @State(Scope.Thread)
    public static class Random {
        final SplittableRandom random = new SplittableRandom(42);
    }

    private static void transfer(LongRef[] refs, SplittableRandom random) {
        LongRef from = refs[random.nextInt(refs.length)];
        LongRef to = refs[random.nextInt(refs.length)];
        Stm.atomic(() -> {
            from.add(-1);
            to.add(1);
        });
    }

    private static long readTwo(LongRef[] refs, SplittableRandom random) {
        LongRef a = refs[random.nextInt(refs.length)];
        LongRef b = refs[random.nextInt(refs.length)];
        return Stm.atomicLong(() -> a.get() + b.get());
    }

    // ---------------------------------------------------------------- long read-only transactions

    @Benchmark
    @Group("writerAlone")
    @GroupThreads(1)
    public void writerAloneTransfer(Refs refs, Random random) {
        transfer(refs.many, random.random);
    }

    @Benchmark
    @Group("writerWithLongReader")
    @GroupThreads(1)
    public void writerTransfer(Refs refs, Random random) {
        transfer(refs.many, random.random);
    }

    @Benchmark
    @Group("writerWithLongReader")
    @GroupThreads(1)
    public long longReaderSum(Refs refs) {
        return Stm.atomicLong(refs.sumAll);
    }

    /**
     * A control for {@code writerWithLongReader}: the same writer next to a thread that sums
     * 100,000 {@link AtomicLong}s (as many objects, a similar memory footprint) without any STM.
     * What the writer loses here is what sharing the machine costs (cores, caches, memory
     * bandwidth).
     */
    @Benchmark
    @Group("writerWithPlainReader")
    @GroupThreads(1)
    public void writerNextToPlainSum(Refs refs, Random random) {
        transfer(refs.many, random.random);
    }

    @Benchmark
    @Group("writerWithPlainReader")
    @GroupThreads(1)
    public long plainSum(Refs refs) {
        long total = 0;
        for (AtomicLong value : refs.plain) {
            total += value.get();
        }
        return total;
    }

    /**
     * The second control: the same writer next to a thread that reads the very refs the long
     * reader sums, one at a time ({@code ref.atomic().get()}: no transaction, no snapshot, no
     * history). The writer's writes invalidate the lines this reader holds, as they do the long
     * reader's; what the writer loses beyond this group is the snapshot machinery's cost.
     */
    @Benchmark
    @Group("writerWithOneOpReader")
    @GroupThreads(1)
    public void writerNextToOneOpSum(Refs refs, Random random) {
        transfer(refs.many, random.random);
    }

    @Benchmark
    @Group("writerWithOneOpReader")
    @GroupThreads(1)
    public long oneOpSum(Refs refs) {
        long total = 0;
        for (LongRef ref : refs.many) {
            total += ref.atomic().get();
        }
        return total;
    }

    // ---------------------------------------------------------------- irrevocable transactions

    @Benchmark
    @Group("disjointWriterAlone")
    @GroupThreads(1)
    public void disjointWriterAloneTransfer(Refs refs, Random random) {
        transfer(refs.disjoint, random.random);
    }

    @Benchmark
    @Group("disjointWriterWithIrrevocable")
    @GroupThreads(1)
    public void disjointWriterTransfer(Refs refs, Random random) {
        transfer(refs.disjoint, random.random);
    }

    @Benchmark
    @Group("disjointWriterWithIrrevocable")
    @GroupThreads(1)
    public void irrevocableForDisjointWriter(Refs refs) {
        runIrrevocably(refs);
    }

    private static void runIrrevocably(Refs refs) {
        Transaction.current().executeIrrevocably(refs.irrevocableBody, Transaction.RUNNABLE);
    }

    @Benchmark
    @Group("readerAlone")
    @GroupThreads(1)
    public long readerAloneReadTwo(Refs refs, Random random) {
        return readTwo(refs.reserved, random.random);
    }

    @Benchmark
    @Group("readerWithIrrevocable")
    @GroupThreads(1)
    public long readerReadTwo(Refs refs, Random random) {
        return readTwo(refs.reserved, random.random);
    }

    @Benchmark
    @Group("readerWithIrrevocable")
    @GroupThreads(1)
    public void irrevocableForReader(Refs refs) {
        runIrrevocably(refs);
    }
}
