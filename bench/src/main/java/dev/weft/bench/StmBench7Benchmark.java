package dev.weft.bench;

import dev.weft.bench.stmbench7.ClojureModule;
import dev.weft.bench.stmbench7.Design;
import dev.weft.bench.stmbench7.LockModule;
import dev.weft.bench.stmbench7.ModuleWorkload;
import dev.weft.bench.stmbench7.MultiverseModule;
import dev.weft.bench.stmbench7.ScalaStmModule;
import dev.weft.bench.stmbench7.WeftModule;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * STMBench7's shape, small: a module of assemblies, composite parts and graphs of atomic parts
 * ({@link Design}: 4,000 atomic parts in 200 composite parts under 81 base assemblies), shared by
 * all threads, and a mix of STMBench7's operation classes ({@link ModuleWorkload}): the long read-only
 * traversal T1 (9,720 attribute reads), short read-only operations (10 parts by id through the
 * index; all parts of one base assembly), short updates (swap {@code x}/{@code y} of one part
 * found by id, or of all 20 parts of one composite part) and one cheap structure modification
 * (exchange two base assemblies' composite parts).
 *
 * <p>{@code readPercent} is STMBench7's workload: 90 (read-dominated), 60 (read-write) or 10
 * (write-dominated) percent of the operations are read-only. Of the read-only operations
 * {@value #LONG_TRAVERSALS_PER_100_READS} in 100 are the long traversal and the rest are split
 * evenly between the two short reads; of the updates 60 % swap one part, 30 % update a composite
 * part and 10 % modify the structure. One traversal costs as much as a few hundred short
 * operations, so even at 1 in 100 it takes a large share of the time at 90 % reads, as long
 * traversals do in STMBench7.
 *
 * <p>The score counts operations of every kind together. Every read-only operation is checked: a
 * traversal whose visits or sum differ from the design's, or a short read that saw a part whose
 * {@code x + y} changed, throws, failing the benchmark; so a number in the report also says that
 * the implementation showed every read-only operation one consistent state. The tear-down checks
 * the whole module once more.
 *
 * <p>Implementations: Weft ({@code IntRef}s, {@code Ref}s and a {@code TMap} index), Multiverse,
 * ScalaSTM, Clojure refs, and one global {@link java.util.concurrent.locks.ReentrantReadWriteLock}
 * (reads share the read lock), STMBench7's coarse-grained baseline.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class StmBench7Benchmark {
    /** Of every 100 read-only operations, how many are the long traversal. */
    static final int LONG_TRAVERSALS_PER_100_READS = 1;
    /** Of every 100 updates, how many swap one part, and how many more update a composite part. */
    static final int SWAP_PART_PER_100_UPDATES = 60;
    /** See {@link #SWAP_PART_PER_100_UPDATES}; the rest exchange components. */
    static final int UPDATE_COMPOSITE_PER_100_UPDATES = 30;
    /** Parts looked up by one short read, as STMBench7's OP1. */
    static final int LOOK_UPS = 10;

    /** One module shared by all benchmark threads; a subclass per implementation. */
    @State(Scope.Benchmark)
    public abstract static class Structure {
        /** STMBench7's workloads: read-dominated, read-write, write-dominated. */
        @Param({"90", "60", "10"})
        public int readPercent;

        ModuleWorkload module;

        @Setup(Level.Trial)
        public void open() {
            module = create(Design.standard());
        }

        /** Checks once more, quiescent, that every invariant holds. */
        @TearDown(Level.Trial)
        public void close() {
            List<String> violations = module.design().violations(module.snapshot());
            if (!violations.isEmpty()) {
                throw new IllegalStateException(module.name() + " ended in a broken state: " + violations);
            }
            new Client().checkTraversal(module, module.newWorker());
        }

        abstract ModuleWorkload create(Design design);
    }

    public static class WeftState extends Structure {
        @Override
        ModuleWorkload create(Design design) {
            return new WeftModule(design);
        }
    }

    public static class MultiverseState extends Structure {
        @Override
        ModuleWorkload create(Design design) {
            return new MultiverseModule(design);
        }
    }

    public static class ScalaStmState extends Structure {
        @Override
        ModuleWorkload create(Design design) {
            return new ScalaStmModule(design);
        }
    }

    public static class ClojureState extends Structure {
        @Override
        ModuleWorkload create(Design design) {
            return new ClojureModule(design);
        }
    }

    public static class LockState extends Structure {
        @Override
        ModuleWorkload create(Design design) {
            return new LockModule(design);
        }
    }

    /**
     * One benchmark thread's worker and random generator. The worker is opened on the first
     * operation, because a thread state cannot name the module subclass. Drawing an operation
     * allocates nothing.
     */
    @State(Scope.Thread)
    public static class Client {
        private final SplittableRandom random = new SplittableRandom();
        private final int[] lookUps = new int[LOOK_UPS];
        private ModuleWorkload.Worker worker;
        private int readPercent;

        long operate(Structure structure) {
            ModuleWorkload.Worker current = worker;
            if (current == null) {
                current = worker = structure.module.newWorker();
                readPercent = structure.readPercent;
            }
            ModuleWorkload module = structure.module;
            Design design = module.design();
            if (random.nextInt(100) < readPercent) {
                int kind = random.nextInt(100);
                if (kind < LONG_TRAVERSALS_PER_100_READS) {
                    return checkTraversal(module, current);
                }
                int mismatches;
                String what;
                if ((kind & 1) == 0) {
                    for (int i = 0; i < LOOK_UPS; i++) {
                        lookUps[i] = random.nextInt(design.parts());
                    }
                    mismatches = current.lookUpParts(lookUps);
                    what = "a look-up of 10 parts";
                } else {
                    mismatches = current.readBaseAssembly(random.nextInt(design.baseAssemblies()));
                    what = "a read of a base assembly";
                }
                if (mismatches != 0) {
                    throw new IllegalStateException(module.name() + ": " + what + " saw " + mismatches
                            + " parts whose x + y changed (a state no serial execution produces)");
                }
                return mismatches;
            }
            int kind = random.nextInt(100);
            if (kind < SWAP_PART_PER_100_UPDATES) {
                current.swapPart(random.nextInt(design.parts()));
            } else if (kind < SWAP_PART_PER_100_UPDATES + UPDATE_COMPOSITE_PER_100_UPDATES) {
                current.updateComposite(random.nextInt(Design.COMPOSITE_PARTS));
            } else {
                current.exchangeComponents(random.nextInt(design.baseAssemblies()),
                        random.nextInt(Design.COMPONENTS_PER_BASE_ASSEMBLY), random.nextInt(design.baseAssemblies()),
                        random.nextInt(Design.COMPONENTS_PER_BASE_ASSEMBLY));
            }
            return kind;
        }

        /**
         * Runs the long traversal and checks what it saw.
         *
         * @return the traversal's sum
         * @throws IllegalStateException if the visits or the sum differ from the design's
         */
        long checkTraversal(ModuleWorkload module, ModuleWorkload.Worker worker) {
            long sum = worker.traverse();
            Design design = module.design();
            if (worker.visits() != design.expectedVisits() || sum != design.expectedSum()) {
                throw new IllegalStateException(module.name() + ": a traversal visited " + worker.visits()
                        + " parts whose x + y summed to " + sum + ", expected " + design.expectedVisits() + " and "
                        + design.expectedSum() + " (a state no serial execution produces)");
            }
            return sum;
        }
    }

    @Benchmark
    public long weft(WeftState structure, Client client) {
        return client.operate(structure);
    }

    @Benchmark
    public long multiverse(MultiverseState structure, Client client) {
        return client.operate(structure);
    }

    @Benchmark
    public long scalaStm(ScalaStmState structure, Client client) {
        return client.operate(structure);
    }

    @Benchmark
    public long clojure(ClojureState structure, Client client) {
        return client.operate(structure);
    }

    @Benchmark
    public long readWriteLock(LockState structure, Client client) {
        return client.operate(structure);
    }
}
