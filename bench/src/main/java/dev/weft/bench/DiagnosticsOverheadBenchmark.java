package dev.weft.bench;

import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What Weft's diagnostics cost when nobody records: the same read-only and updating transactions
 * with the JFR event and conflict-profiler checks in place ({@code withChecks}) and with them
 * compiled away by {@code -Ddev.weft.stm.diagnostics=false} ({@link WithoutChecks}). No JFR
 * recording runs in either. The always-on statistics counters are in both: they are part of the
 * engine. Issue goal: the checks cost at most 2 %.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class DiagnosticsOverheadBenchmark {

    @State(Scope.Thread)
    public static class Refs {
        final LongRef a = new LongRef(1);
        final LongRef b = new LongRef(2);
        final Runnable increment = a::increment;
        final LongSupplier readTwo = () -> a.get() + b.get();
    }

    @Benchmark
    public void incrementWithChecks(Refs refs) {
        Stm.atomic(refs.increment);
    }

    @Benchmark
    public long readTwoWithChecks(Refs refs) {
        return Stm.atomicLong(refs.readTwo);
    }

    /** The same transactions in JVMs started with {@code -Ddev.weft.stm.diagnostics=false}. */
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 5, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Fork(value = 2, jvmArgsAppend = "-Ddev.weft.stm.diagnostics=false")
    public static class WithoutChecks {
        @Benchmark
        public void incrementWithoutChecks(Refs refs) {
            Stm.atomic(refs.increment);
        }

        @Benchmark
        public long readTwoWithoutChecks(Refs refs) {
            return Stm.atomicLong(refs.readTwo);
        }
    }
}
