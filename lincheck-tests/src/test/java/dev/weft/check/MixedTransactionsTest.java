package dev.weft.check;

import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.atomicBoolean;

import dev.weft.refs.LongRef;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * Multi-ref transactions and one-operation updates on the same refs compose: transactions that
 * write two refs, a transaction that uses the one-operation views inside it (they join it), and
 * single-ref updates that commit without a transaction descriptor are together linearizable
 * against three plain {@code long}s. This is the path where the single-cell commit and the
 * transactional commit race for the same lock words.
 */
class MixedTransactionsTest {

    /** Three refs updated by transactions and by one-operation views. */
    @Param(name = "value", gen = IntGen.class, conf = "0:2")
    public static class ThreeRefs {
        private final LongRef a = new LongRef();
        private final LongRef b = new LongRef();
        private final LongRef c = new LongRef();

        @Operation
        public void incrementBoth() {
            atomic(() -> {
                a.increment();
                b.increment();
            });
        }

        @Operation
        public boolean moveBToC(@Param(name = "value") int amount) {
            return atomicBoolean(() -> {
                if (b.get() < amount) {
                    return false;
                }
                b.add(-amount);
                c.add(amount);
                return true;
            });
        }

        @Operation
        public void copyAToC() {
            atomic(() -> c.atomic().set(a.atomic().get())); // one-operation views join the transaction
        }

        @Operation
        public String readAll() {
            return atomic(() -> a.get() + "/" + b.get() + "/" + c.get());
        }

        @Operation
        public long incrementA() {
            return a.atomic().incrementAndGet();
        }

        @Operation
        public long getAndAddB(@Param(name = "value") int delta) {
            return b.atomic().getAndAdd(delta);
        }

        @Operation
        public boolean compareAndSetC(@Param(name = "value") int expected, @Param(name = "value") int update) {
            return c.atomic().compareAndSet(expected, update);
        }

        @Operation
        public long getB() {
            return b.atomic().get();
        }
    }

    /**
     * The same refs with {@code readAll()} made of three one-operation reads instead of one
     * transaction: it can return a state that never existed (for instance a from before and b from
     * after an {@code incrementBoth()}).
     */
    @Param(name = "value", gen = IntGen.class, conf = "0:2")
    public static class TornReadRefs {
        private final LongRef a = new LongRef();
        private final LongRef b = new LongRef();
        private final LongRef c = new LongRef();

        @Operation
        public void incrementBoth() {
            atomic(() -> {
                a.increment();
                b.increment();
            });
        }

        @Operation
        public boolean moveBToC(@Param(name = "value") int amount) {
            return atomicBoolean(() -> {
                if (b.get() < amount) {
                    return false;
                }
                b.add(-amount);
                c.add(amount);
                return true;
            });
        }

        @Operation
        public String readAll() {
            return a.atomic().get() + "/" + b.atomic().get() + "/" + c.atomic().get();
        }

        @Operation
        public long getB() {
            return b.atomic().get();
        }
    }

    /** The sequential specification: three plain {@code long}s (covers both classes above). */
    public static class PlainRefs {
        private long a;
        private long b;
        private long c;

        public void incrementBoth() {
            a++;
            b++;
        }

        public boolean moveBToC(int amount) {
            if (b < amount) {
                return false;
            }
            b -= amount;
            c += amount;
            return true;
        }

        public void copyAToC() {
            c = a;
        }

        public String readAll() {
            return a + "/" + b + "/" + c;
        }

        public long incrementA() {
            return ++a;
        }

        public long getAndAddB(int delta) {
            long previous = b;
            b += delta;
            return previous;
        }

        public boolean compareAndSetC(int expected, int update) {
            if (c != expected) {
                return false;
            }
            c = update;
            return true;
        }

        public long getB() {
            return b;
        }
    }

    @Test
    void transactionsAndOneOperationUpdatesComposeUnderModelChecking() {
        WeftLincheck.modelChecking().sequentialSpecification(PlainRefs.class).check(ThreeRefs.class);
    }

    @Test
    void transactionsAndOneOperationUpdatesComposeUnderStress() {
        WeftLincheck.stress().sequentialSpecification(PlainRefs.class).check(ThreeRefs.class);
    }

    @Test
    void readOfThreeRefsOutsideOneTransactionIsCaught() {
        ExpectedViolation.assertCaught(() -> WeftLincheck.modelChecking().minimizeFailedScenario(false)
                .sequentialSpecification(PlainRefs.class).check(TornReadRefs.class));
    }
}
