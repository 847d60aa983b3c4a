package dev.weft.refs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.stm.Stm;
import dev.weft.stm.TxnOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Adversarial tests of the typed transactional references ({@link Ref}, {@link LongRef},
 * {@link IntRef}, {@link BooleanRef}, {@link DoubleRef}) and their one-operation
 * {@code atomic()} views.
 *
 * <p>What it attacks:
 * <ul>
 *   <li>every method against its {@code java.util.concurrent.atomic} counterpart with the same
 *       inputs ({@link AtomicLong}, {@link AtomicInteger}, {@link AtomicBoolean},
 *       {@link AtomicReference}, and an {@code AtomicLong} of {@link Double#doubleToRawLongBits}
 *       for doubles): edge values (MIN/MAX, wrap-around, -0.0, quiet and signalling NaN payloads,
 *       null, equal but distinct objects), outside a transaction, through the view inside one,
 *       through the ref's own in-transaction methods (including the commuting adds and commute
 *       chains) and irrevocably; the stored encoding must stay canonical (a compare-and-set of
 *       the value just produced matches);</li>
 *   <li>random scripts over hundreds of refs (large write logs) with nested scopes that roll
 *       back, checked against a model; commutes, sets and view writes in rolled-back scopes and
 *       orElse branches; very long commute chains on one ref (stack depth);</li>
 *   <li>functions that throw from every update method: the same exception, the ref unchanged
 *       and unlocked (another thread writes it at once, within a bounded wait); null functions;
 *       how many times functions are called, without and with contention;</li>
 *   <li>contention: results of functions called more than once still match the pure function;
 *       {@code getAndSet} chains hand every token over exactly once (also NaN payloads and
 *       objects); commutes racing with one-operation {@code getAndSet}s lose nothing; refs
 *       written together by commutes and blind sets are always seen equal; each writer's own
 *       updates are seen in order; transactions reading two refs while one-operation updates
 *       race see one consistent state; what counts as a read (blind writes and commutes are not
 *       invalidated, a read after a commute is, a failed compare-and-set invalidates nobody);
 *       commute-only transactions never running again;</li>
 *   <li>waiting: retry() woken by every kind of one-operation update; one-operation updates that
 *       wait for an irrevocable reservation or a held commit (also on an interrupted thread) and
 *       serialize after it; irrevocable transactions whose waits and hooks update their own
 *       refs;</li>
 *   <li>misuse: every in-transaction method outside a transaction, from a thread started inside
 *       one, and from after-commit/after-rollback hooks (IllegalStateException naming the type
 *       and the atomic() view, nothing written; view calls there are their own transactions);
 *       writes in read-only transactions; a commute function that formats its own ref;</li>
 *   <li>{@code toString}, {@code equals}, {@code hashCode}, {@code named} and the views'
 *       identity.</li>
 * </ul>
 *
 * <p>Every wait is bounded, so a hang is a failure. Random tests print their seed. Tests marked
 * {@code FAILS} expose a bug; {@code QUESTION} marks behaviour the docs do not settle.
 */
class AdversarialRefsTest {
    private static final long BOUND_SECONDS = 10;
    private static final long RACE_MILLIS = 1_500;

    /** An exception a test throws on purpose. */
    static final class Planned extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Planned(String what) {
            super(what, null, false, false);
        }
    }

    // ------------------------------------------------------------------ harness

    static <T> T onOtherThread(String what, Callable<T> call) {
        return onOtherThread(what, BOUND_SECONDS, call);
    }

    static <T> T onOtherThread(String what, long seconds, Callable<T> call) {
        FutureTask<T> task = new FutureTask<>(call);
        Thread thread = new Thread(task, "adversarial-refs-" + what);
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            StringBuilder where = new StringBuilder();
            StackTraceElement[] stack = thread.getStackTrace();
            if (stack.length == 0) {
                stack = Thread.getAllStackTraces().getOrDefault(thread, stack);
            }
            where.append(" (state ").append(thread.getState()).append(")");
            for (int i = 0; i < Math.min(8, stack.length); i++) {
                where.append("\n    at ").append(stack[i]);
            }
            thread.interrupt();
            throw new AssertionError(what + ": did not finish within " + seconds
                    + " s (a leaked lock?); it waits" + where);
        } catch (ExecutionException e) {
            throw new AssertionError(what + ": failed with " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The body of one racing thread; returns normally or throws. */
    @FunctionalInterface
    interface Racer {
        void run(int thread, long deadline) throws Exception;
    }

    /** Runs {@code threads} racers until {@code millis} pass (each checks the deadline itself). */
    static void race(int threads, long millis, Racer racer) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] all = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            all[t] = new Thread(() -> {
                try {
                    start.await();
                    racer.run(id, deadline);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "racer-" + t);
            all[t].setDaemon(true);
            all[t].start();
        }
        start.countDown();
        long joinBy = deadline + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        for (Thread thread : all) {
            try {
                long left = TimeUnit.NANOSECONDS.toMillis(joinBy - System.nanoTime());
                thread.join(Math.max(1, left));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            if (thread.isAlive()) {
                StringBuilder where = new StringBuilder();
                for (StackTraceElement frame : thread.getStackTrace()) {
                    where.append("\n    at ").append(frame);
                }
                for (Thread t : all) {
                    t.interrupt();
                }
                throw new AssertionError(thread.getName() + " hangs" + where, failure.get());
            }
        }
        Throwable first = failure.get();
        if (first != null) {
            if (first instanceof AssertionError a) {
                throw a;
            }
            throw new AssertionError("a racer failed: " + first, first);
        }
    }

    static boolean before(long deadline) {
        return System.nanoTime() - deadline < 0;
    }

    static long seed(String test) {
        long seed = System.nanoTime();
        System.out.println(test + " seed=" + seed);
        return seed;
    }

    /** How a differential check runs the Weft side. */
    enum Mode { OUTSIDE, INSIDE }

    static final long[] LONGS = {
        Long.MIN_VALUE, Long.MIN_VALUE + 1, Integer.MIN_VALUE - 1L, Integer.MIN_VALUE, -2, -1, 0, 1, 2,
        Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, 0xFFFF_FFFFL, 0x1_0000_0000L, Long.MAX_VALUE - 1, Long.MAX_VALUE,
    };

    static final int[] INTS = {
        Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -65536, -2, -1, 0, 1, 2, 65535, Integer.MAX_VALUE - 1,
        Integer.MAX_VALUE,
    };

    static final double[] DOUBLES = {
        0.0, -0.0, 1.0, -1.0, 1.5, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN,
        Double.longBitsToDouble(0x7ff8_0000_0000_0001L), Double.longBitsToDouble(0xfff8_0000_0000_0000L),
        Double.longBitsToDouble(0x7ff8_dead_beef_0000L), Double.longBitsToDouble(0x8000_0000_0000_0001L),
        Double.longBitsToDouble(0x7ff0_0000_0000_0001L), Double.longBitsToDouble(0xfff0_0000_dead_0001L),
    };

    static long raw(double d) {
        return Double.doubleToRawLongBits(d);
    }

    // ------------------------------------------------------------------ LongRef vs AtomicLong

    record LongOp(String name, ToLongFunction<AtomicLong> jdk, ToLongFunction<LongRef> weft) {}

    static List<LongOp> longViewOps(long x, long y) {
        List<LongOp> ops = new ArrayList<>();
        ops.add(new LongOp("get", AtomicLong::get, r -> r.atomic().get()));
        ops.add(new LongOp("set(" + x + ")", a -> { a.set(x); return 0; }, r -> { r.atomic().set(x); return 0; }));
        ops.add(new LongOp("getAndSet(" + x + ")", a -> a.getAndSet(x), r -> r.atomic().getAndSet(x)));
        ops.add(new LongOp("compareAndSet(" + x + "," + y + ")", a -> a.compareAndSet(x, y) ? 1 : 0,
                r -> r.atomic().compareAndSet(x, y) ? 1 : 0));
        ops.add(new LongOp("incrementAndGet", AtomicLong::incrementAndGet, r -> r.atomic().incrementAndGet()));
        ops.add(new LongOp("decrementAndGet", AtomicLong::decrementAndGet, r -> r.atomic().decrementAndGet()));
        ops.add(new LongOp("getAndIncrement", AtomicLong::getAndIncrement, r -> r.atomic().getAndIncrement()));
        ops.add(new LongOp("getAndDecrement", AtomicLong::getAndDecrement, r -> r.atomic().getAndDecrement()));
        ops.add(new LongOp("addAndGet(" + x + ")", a -> a.addAndGet(x), r -> r.atomic().addAndGet(x)));
        ops.add(new LongOp("getAndAdd(" + x + ")", a -> a.getAndAdd(x), r -> r.atomic().getAndAdd(x)));
        ops.add(new LongOp("updateAndGet(v*3+x)", a -> a.updateAndGet(v -> v * 3 + x),
                r -> r.atomic().updateAndGet(v -> v * 3 + x)));
        ops.add(new LongOp("getAndUpdate(v^x)", a -> a.getAndUpdate(v -> v ^ x), r -> r.atomic().getAndUpdate(v -> v ^ x)));
        ops.add(new LongOp("accumulateAndGet(x,max)", a -> a.accumulateAndGet(x, Math::max),
                r -> r.atomic().accumulateAndGet(x, Math::max)));
        ops.add(new LongOp("accumulateAndGet(x,-)", a -> a.accumulateAndGet(x, (p, q) -> p - q),
                r -> r.atomic().accumulateAndGet(x, (p, q) -> p - q)));
        ops.add(new LongOp("commuteAdd(" + x + ")", a -> { a.addAndGet(x); return 0; },
                r -> { r.commuteAdd(x); return 0; }));
        ops.add(new LongOp("commute(v-x)", a -> { a.updateAndGet(v -> v - x); return 0; },
                r -> { r.commute(v -> v - x); return 0; }));
        return ops;
    }

    static List<LongOp> longTxnOps(long x) {
        List<LongOp> ops = new ArrayList<>();
        ops.add(new LongOp("tx get", AtomicLong::get, LongRef::get));
        ops.add(new LongOp("tx set", a -> { a.set(x); return 0; }, r -> { r.set(x); return 0; }));
        ops.add(new LongOp("tx getAndSet", a -> a.getAndSet(x), r -> r.getAndSet(x)));
        ops.add(new LongOp("tx update", a -> { a.updateAndGet(v -> v * 5 - x); return 0; },
                r -> { r.update(v -> v * 5 - x); return 0; }));
        ops.add(new LongOp("tx updateAndGet", a -> a.updateAndGet(v -> v + x), r -> r.updateAndGet(v -> v + x)));
        ops.add(new LongOp("tx getAndUpdate", a -> a.getAndUpdate(v -> -v), r -> r.getAndUpdate(v -> -v)));
        ops.add(new LongOp("tx increment", a -> { a.incrementAndGet(); return 0; }, r -> { r.increment(); return 0; }));
        ops.add(new LongOp("tx decrement", a -> { a.decrementAndGet(); return 0; }, r -> { r.decrement(); return 0; }));
        ops.add(new LongOp("tx add", a -> { a.addAndGet(x); return 0; }, r -> { r.add(x); return 0; }));
        ops.add(new LongOp("tx incrementAndGet", AtomicLong::incrementAndGet, LongRef::incrementAndGet));
        ops.add(new LongOp("tx decrementAndGet", AtomicLong::decrementAndGet, LongRef::decrementAndGet));
        ops.add(new LongOp("tx addAndGet", a -> a.addAndGet(x), r -> r.addAndGet(x)));
        ops.add(new LongOp("tx getAndAdd", a -> a.getAndAdd(x), r -> r.getAndAdd(x)));
        ops.add(new LongOp("tx add;get", a -> a.addAndGet(x), r -> { r.add(x); return r.get(); }));
        ops.add(new LongOp("tx add;add;getAndAdd", a -> { a.addAndGet(x); a.incrementAndGet(); return a.getAndAdd(x); },
                r -> { r.add(x); r.increment(); return r.getAndAdd(x); }));
        ops.add(new LongOp("tx commute;getAndSet", a -> { a.updateAndGet(v -> v * 7); return a.getAndSet(x); },
                r -> { r.commute(v -> v * 7); return r.getAndSet(x); }));
        ops.add(new LongOp("tx set;commuteAdd;get", a -> { a.set(x); return a.addAndGet(x); },
                r -> { r.set(x); r.commuteAdd(x); return r.get(); }));
        ops.add(new LongOp("tx commuteAdd;set", a -> { a.set(x); return 0; }, r -> { r.commuteAdd(3); r.set(x); return 0; }));
        ops.add(new LongOp("tx add;commute;add", a -> { a.addAndGet(x); a.updateAndGet(v -> v * 3); return a.addAndGet(-x); },
                r -> { r.add(x); r.commute(v -> v * 3); r.add(-x); return r.get(); }));
        return ops;
    }

    static void checkLong(String what, long start, LongOp op, Mode mode) {
        AtomicLong jdk = new AtomicLong(start);
        long expected = op.jdk.applyAsLong(jdk);
        long expectedAfter = jdk.get();
        LongRef ref = new LongRef(start);
        long actual;
        if (mode == Mode.OUTSIDE) {
            actual = op.weft.applyAsLong(ref);
        } else {
            long[] seenInside = new long[1];
            actual = Stm.atomicLong(() -> {
                long r = op.weft.applyAsLong(ref);
                seenInside[0] = ref.get();
                return r;
            });
            assertEquals(expectedAfter, seenInside[0], () -> what + ": value read back in the transaction");
        }
        String where = what + " " + op.name + " from " + start + " (" + mode + ")";
        assertEquals(expected, actual, () -> where + ": result");
        assertEquals(expectedAfter, ref.atomic().get(), () -> where + ": value after");
        assertEquals(expectedAfter, Stm.atomicLong(ref::get), () -> where + ": value after, in a transaction");
        assertTrue(ref.atomic().compareAndSet(expectedAfter, expectedAfter), () -> where + ": CAS of the value after");
    }

    @Test
    void longRefMatchesAtomicLongOnEveryMethodAndEdgeValue() {
        for (long start : LONGS) {
            for (long x : LONGS) {
                for (long y : new long[] {x, start, Long.MIN_VALUE}) {
                    for (LongOp op : longViewOps(x == y ? start : x, y)) {
                        checkLong("view", start, op, Mode.OUTSIDE);
                        checkLong("view", start, op, Mode.INSIDE);
                    }
                }
                for (LongOp op : longTxnOps(x)) {
                    checkLong("ref", start, op, Mode.INSIDE);
                }
            }
        }
    }

    // ------------------------------------------------------------------ IntRef vs AtomicInteger

    record IntOp(String name, ToIntFunction<AtomicInteger> jdk, ToIntFunction<IntRef> weft) {}

    static List<IntOp> intViewOps(int x, int y) {
        List<IntOp> ops = new ArrayList<>();
        ops.add(new IntOp("get", AtomicInteger::get, r -> r.atomic().get()));
        ops.add(new IntOp("set", a -> { a.set(x); return 0; }, r -> { r.atomic().set(x); return 0; }));
        ops.add(new IntOp("getAndSet", a -> a.getAndSet(x), r -> r.atomic().getAndSet(x)));
        ops.add(new IntOp("compareAndSet(" + x + "," + y + ")", a -> a.compareAndSet(x, y) ? 1 : 0,
                r -> r.atomic().compareAndSet(x, y) ? 1 : 0));
        ops.add(new IntOp("incrementAndGet", AtomicInteger::incrementAndGet, r -> r.atomic().incrementAndGet()));
        ops.add(new IntOp("decrementAndGet", AtomicInteger::decrementAndGet, r -> r.atomic().decrementAndGet()));
        ops.add(new IntOp("getAndIncrement", AtomicInteger::getAndIncrement, r -> r.atomic().getAndIncrement()));
        ops.add(new IntOp("getAndDecrement", AtomicInteger::getAndDecrement, r -> r.atomic().getAndDecrement()));
        ops.add(new IntOp("addAndGet(" + x + ")", a -> a.addAndGet(x), r -> r.atomic().addAndGet(x)));
        ops.add(new IntOp("getAndAdd(" + x + ")", a -> a.getAndAdd(x), r -> r.atomic().getAndAdd(x)));
        ops.add(new IntOp("updateAndGet(v*3+x)", a -> a.updateAndGet(v -> v * 3 + x),
                r -> r.atomic().updateAndGet(v -> v * 3 + x)));
        ops.add(new IntOp("getAndUpdate(v^x)", a -> a.getAndUpdate(v -> v ^ x), r -> r.atomic().getAndUpdate(v -> v ^ x)));
        ops.add(new IntOp("accumulateAndGet(x,-)", a -> a.accumulateAndGet(x, (p, q) -> p - q),
                r -> r.atomic().accumulateAndGet(x, (p, q) -> p - q)));
        ops.add(new IntOp("commuteAdd(" + x + ")", a -> { a.addAndGet(x); return 0; },
                r -> { r.commuteAdd(x); return 0; }));
        ops.add(new IntOp("commute(v-x)", a -> { a.updateAndGet(v -> v - x); return 0; },
                r -> { r.commute(v -> v - x); return 0; }));
        return ops;
    }

    static List<IntOp> intTxnOps(int x) {
        List<IntOp> ops = new ArrayList<>();
        ops.add(new IntOp("tx get", AtomicInteger::get, IntRef::get));
        ops.add(new IntOp("tx set", a -> { a.set(x); return 0; }, r -> { r.set(x); return 0; }));
        ops.add(new IntOp("tx getAndSet", a -> a.getAndSet(x), r -> r.getAndSet(x)));
        ops.add(new IntOp("tx update", a -> { a.updateAndGet(v -> v * 5 - x); return 0; },
                r -> { r.update(v -> v * 5 - x); return 0; }));
        ops.add(new IntOp("tx updateAndGet", a -> a.updateAndGet(v -> v + x), r -> r.updateAndGet(v -> v + x)));
        ops.add(new IntOp("tx getAndUpdate", a -> a.getAndUpdate(v -> -v), r -> r.getAndUpdate(v -> -v)));
        ops.add(new IntOp("tx increment", a -> { a.incrementAndGet(); return 0; }, r -> { r.increment(); return 0; }));
        ops.add(new IntOp("tx decrement", a -> { a.decrementAndGet(); return 0; }, r -> { r.decrement(); return 0; }));
        ops.add(new IntOp("tx add", a -> { a.addAndGet(x); return 0; }, r -> { r.add(x); return 0; }));
        ops.add(new IntOp("tx incrementAndGet", AtomicInteger::incrementAndGet, IntRef::incrementAndGet));
        ops.add(new IntOp("tx decrementAndGet", AtomicInteger::decrementAndGet, IntRef::decrementAndGet));
        ops.add(new IntOp("tx addAndGet", a -> a.addAndGet(x), r -> r.addAndGet(x)));
        ops.add(new IntOp("tx getAndAdd", a -> a.getAndAdd(x), r -> r.getAndAdd(x)));
        ops.add(new IntOp("tx add;get", a -> a.addAndGet(x), r -> { r.add(x); return r.get(); }));
        ops.add(new IntOp("tx add;add;getAndAdd", a -> { a.addAndGet(x); a.incrementAndGet(); return a.getAndAdd(x); },
                r -> { r.add(x); r.increment(); return r.getAndAdd(x); }));
        ops.add(new IntOp("tx add;add (commit)", a -> { a.addAndGet(x); a.addAndGet(x); return 0; },
                r -> { r.add(x); r.add(x); return 0; }));
        ops.add(new IntOp("tx commute;getAndSet", a -> { a.updateAndGet(v -> v * 7); return a.getAndSet(x); },
                r -> { r.commute(v -> v * 7); return r.getAndSet(x); }));
        ops.add(new IntOp("tx set;commuteAdd;get", a -> { a.set(x); return a.addAndGet(x); },
                r -> { r.set(x); r.commuteAdd(x); return r.get(); }));
        ops.add(new IntOp("tx set;add (commit)", a -> { a.set(x); return a.addAndGet(x); },
                r -> { r.set(x); r.add(x); return 0; }));
        ops.add(new IntOp("tx add;commute;add", a -> { a.addAndGet(x); a.updateAndGet(v -> v * 3); return a.addAndGet(-x); },
                r -> { r.add(x); r.commute(v -> v * 3); r.add(-x); return r.get(); }));
        ops.add(new IntOp("tx add;commute (commit)", a -> { a.addAndGet(x); a.updateAndGet(v -> v * 3); return 0; },
                r -> { r.add(x); r.commute(v -> v * 3); return 0; }));
        return ops;
    }

    static void checkInt(String what, int start, IntOp op, Mode mode) {
        AtomicInteger jdk = new AtomicInteger(start);
        int expected = op.jdk.applyAsInt(jdk);
        int expectedAfter = jdk.get();
        IntRef ref = new IntRef(start);
        int actual;
        if (mode == Mode.OUTSIDE) {
            actual = op.weft.applyAsInt(ref);
        } else {
            actual = Stm.atomicInt(() -> op.weft.applyAsInt(ref));
        }
        String where = what + " " + op.name + " from " + start + " (" + mode + ")";
        if (!op.name.endsWith("(commit)")) {
            assertEquals(expected, actual, () -> where + ": result");
        }
        assertEquals(expectedAfter, ref.atomic().get(), () -> where + ": value after");
        assertEquals(expectedAfter, Stm.atomicInt(ref::get), () -> where + ": value after, in a transaction");
        assertEquals("IntRef[" + expectedAfter + "]", ref.toString(), () -> where + ": toString");
        assertTrue(ref.atomic().compareAndSet(expectedAfter, expectedAfter),
                () -> where + ": CAS of the value after (a non-canonical encoding?)");
        assertTrue(Stm.atomicBoolean(() -> ref.atomic().compareAndSet(expectedAfter, expectedAfter)),
                () -> where + ": CAS of the value after inside a transaction (a non-canonical encoding?)");
    }

    @Test
    void intRefMatchesAtomicIntegerOnEveryMethodAndEdgeValueAndKeepsItsEncoding() {
        for (int start : INTS) {
            for (int x : INTS) {
                for (int y : new int[] {x, start, Integer.MIN_VALUE}) {
                    for (IntOp op : intViewOps(x == y ? start : x, y)) {
                        checkInt("view", start, op, Mode.OUTSIDE);
                        checkInt("view", start, op, Mode.INSIDE);
                    }
                }
                for (IntOp op : intTxnOps(x)) {
                    checkInt("ref", start, op, Mode.INSIDE);
                }
            }
        }
    }

    // ------------------------------------------------------------------ DoubleRef vs raw bits

    /** The expected double of an arithmetic result: exact bits, any NaN for a NaN. */
    static void assertSameDouble(double expected, double actual, String what) {
        if (Double.isNaN(expected) && Double.isNaN(actual)) {
            return;
        }
        assertEquals(raw(expected), raw(actual), () -> what + ": expected " + expected + " (0x"
                + Long.toHexString(raw(expected)) + ") but was " + actual + " (0x" + Long.toHexString(raw(actual)) + ")");
    }

    /** Exact bits, NaN payloads included: for values that are stored and returned, not computed. */
    static void assertSameBits(double expected, double actual, String what) {
        assertEquals(raw(expected), raw(actual), () -> what + ": expected 0x" + Long.toHexString(raw(expected))
                + " but was 0x" + Long.toHexString(raw(actual)));
    }

    @Test
    void doubleRefStoresAndComparesRawBitsLikeAnAtomicLongOfRawBits() {
        for (double start : DOUBLES) {
            for (double x : DOUBLES) {
                for (double y : DOUBLES) {
                    for (Mode mode : Mode.values()) {
                        AtomicLong jdk = new AtomicLong(raw(start));
                        DoubleRef ref = new DoubleRef(start);
                        boolean expected = jdk.compareAndSet(raw(x), raw(y));
                        boolean actual = mode == Mode.OUTSIDE ? ref.atomic().compareAndSet(x, y)
                                : Stm.atomicBoolean(() -> ref.atomic().compareAndSet(x, y));
                        String where = "compareAndSet(0x" + Long.toHexString(raw(x)) + ", 0x" + Long.toHexString(raw(y))
                                + ") on 0x" + Long.toHexString(raw(start)) + " (" + mode + ")";
                        assertEquals(expected, actual, where);
                        assertSameBits(Double.longBitsToDouble(jdk.get()), ref.atomic().get(), where + ": value after");
                    }
                }
                for (Mode mode : Mode.values()) {
                    DoubleRef ref = new DoubleRef(start);
                    double previous = mode == Mode.OUTSIDE ? ref.atomic().getAndSet(x)
                            : Stm.atomicDouble(() -> ref.atomic().getAndSet(x));
                    assertSameBits(start, previous, "view getAndSet previous (" + mode + ")");
                    assertSameBits(x, ref.atomic().get(), "view getAndSet value (" + mode + ")");
                    double inTxn = Stm.atomicDouble(() -> ref.getAndSet(start));
                    assertSameBits(x, inTxn, "tx getAndSet previous");
                    assertSameBits(start, Stm.atomicDouble(ref::get), "tx getAndSet value");
                    assertTrue(ref.atomic().compareAndSet(start, x), "CAS with the very bits just stored");
                    assertSameBits(x, ref.atomic().get(), "CAS value");
                }
            }
        }
    }

    @Test
    void doubleRefArithmeticMatchesPlainDoubleArithmeticBitForBit() {
        for (double start : DOUBLES) {
            for (double x : DOUBLES) {
                double sum = start + x;
                for (Mode mode : Mode.values()) {
                    DoubleRef a = new DoubleRef(start);
                    double got = mode == Mode.OUTSIDE ? a.atomic().addAndGet(x) : Stm.atomicDouble(() -> a.atomic().addAndGet(x));
                    assertSameDouble(sum, got, "view addAndGet " + start + "+" + x + " " + mode);
                    assertSameDouble(sum, a.atomic().get(), "view addAndGet value " + start + "+" + x + " " + mode);

                    DoubleRef b = new DoubleRef(start);
                    got = mode == Mode.OUTSIDE ? b.atomic().getAndAdd(x) : Stm.atomicDouble(() -> b.atomic().getAndAdd(x));
                    assertSameBits(start, got, "view getAndAdd previous " + start + "+" + x + " " + mode);
                    assertSameDouble(sum, b.atomic().get(), "view getAndAdd value " + start + "+" + x + " " + mode);

                    DoubleRef c = new DoubleRef(start);
                    got = mode == Mode.OUTSIDE ? c.atomic().updateAndGet(v -> v * x)
                            : Stm.atomicDouble(() -> c.atomic().updateAndGet(v -> v * x));
                    assertSameDouble(start * x, got, "view updateAndGet " + start + "*" + x + " " + mode);
                    got = mode == Mode.OUTSIDE ? c.atomic().getAndUpdate(v -> -v)
                            : Stm.atomicDouble(() -> c.atomic().getAndUpdate(v -> -v));
                    assertSameDouble(start * x, got, "view getAndUpdate previous " + mode);
                    assertSameDouble(-(start * x), c.atomic().get(), "view getAndUpdate value " + mode);
                    got = mode == Mode.OUTSIDE ? c.atomic().accumulateAndGet(x, Math::min)
                            : Stm.atomicDouble(() -> c.atomic().accumulateAndGet(x, Math::min));
                    assertSameDouble(Math.min(-(start * x), x), got, "view accumulateAndGet " + mode);

                    DoubleRef d = new DoubleRef(start);
                    if (mode == Mode.OUTSIDE) {
                        d.commute(v -> v + x);
                    } else {
                        Stm.atomic(() -> d.commute(v -> v + x));
                    }
                    assertSameDouble(sum, d.atomic().get(), "commute " + start + "+" + x + " " + mode);
                }
                DoubleRef e = new DoubleRef(start);
                Stm.atomic(() -> e.add(x));
                assertSameDouble(sum, e.atomic().get(), "tx add " + start + "+" + x);
                DoubleRef f = new DoubleRef(start);
                assertSameDouble(sum, Stm.atomicDouble(() -> f.addAndGet(x)), "tx addAndGet " + start + "+" + x);
                double stored = f.atomic().get();
                assertSameBits(stored, Stm.atomicDouble(() -> f.getAndAdd(-x)), "tx getAndAdd previous");
                DoubleRef g = new DoubleRef(start);
                assertSameBits(start, Stm.atomicDouble(() -> g.getAndUpdate(v -> v / x)), "tx getAndUpdate previous");
                assertSameDouble(start / x, g.atomic().get(), "tx getAndUpdate value");
                assertSameDouble(start / x * 2, Stm.atomicDouble(() -> g.updateAndGet(v -> v * 2)), "tx updateAndGet");
                Stm.atomic(() -> g.update(v -> v - x));
                assertSameDouble(start / x * 2 - x, g.atomic().get(), "tx update");
                DoubleRef h = new DoubleRef(start);
                double readBack = Stm.atomicDouble(() -> {
                    h.commute(v -> v + x);
                    return h.get();
                });
                assertSameDouble(sum, readBack, "tx commute;get");
                assertSameDouble(sum, h.atomic().get(), "tx commute;get value");
            }
        }
    }

    @Test
    void doubleViewUpdateLoopsOnNaNPayloadsKeepThePayloadTheFunctionReturns() {
        long base = 0x7ff8_0000_0000_0000L;
        DoubleRef ref = new DoubleRef(Double.longBitsToDouble(base | 1));
        for (int i = 1; i < 1_000; i++) {
            long expectPrevious = base | i;
            double previous = ref.atomic().getAndUpdate(v -> Double.longBitsToDouble(raw(v) + 1));
            assertEquals(expectPrevious, raw(previous), "getAndUpdate previous payload");
            double now = Stm.atomicDouble(() -> ref.atomic().accumulateAndGet(0.0, (v, unused) -> v));
            assertEquals(base | (i + 1), raw(now), "accumulateAndGet identity keeps the payload");
        }
        for (double nan : DOUBLES) {
            DoubleRef n = new DoubleRef(nan);
            n.commute(v -> v);
            assertSameBits(nan, n.atomic().get(), "one-operation identity commute");
            Stm.atomic(() -> n.commute(v -> v));
            assertSameBits(nan, n.atomic().get(), "identity commute at commit");
            assertSameBits(nan, Stm.atomicDouble(() -> {
                n.commute(v -> v);
                return n.get();
            }), "identity commute read back");
            assertSameBits(nan, Stm.atomicDouble(() -> n.atomic().updateAndGet(v -> v)), "identity updateAndGet");
            assertTrue(n.atomic().compareAndSet(nan, nan), "CAS of the very bits after the commutes");
        }
    }

    // ------------------------------------------------------------------ BooleanRef vs AtomicBoolean

    @Test
    void booleanRefMatchesAtomicBooleanOnEveryMethod() {
        boolean[] values = {false, true};
        for (boolean start : values) {
            for (boolean x : values) {
                for (boolean y : values) {
                    for (Mode mode : Mode.values()) {
                        AtomicBoolean jdk = new AtomicBoolean(start);
                        BooleanRef ref = new BooleanRef(start);
                        boolean expected = jdk.compareAndSet(x, y);
                        boolean actual = mode == Mode.OUTSIDE ? ref.atomic().compareAndSet(x, y)
                                : Stm.atomicBoolean(() -> ref.atomic().compareAndSet(x, y));
                        assertEquals(expected, actual, "CAS(" + x + "," + y + ") on " + start + " " + mode);
                        assertEquals(jdk.get(), ref.atomic().get(), "CAS value");
                        assertEquals("BooleanRef[" + jdk.get() + "]", ref.toString());
                        assertEquals("BooleanRef.Atomic[" + jdk.get() + "]", ref.atomic().toString());
                    }
                }
                for (Mode mode : Mode.values()) {
                    AtomicBoolean jdk = new AtomicBoolean(start);
                    BooleanRef ref = new BooleanRef(start);
                    boolean expected = jdk.getAndSet(x);
                    boolean actual = mode == Mode.OUTSIDE ? ref.atomic().getAndSet(x)
                            : Stm.atomicBoolean(() -> ref.atomic().getAndSet(x));
                    assertEquals(expected, actual, "view getAndSet");
                    assertEquals(jdk.get(), ref.atomic().get());
                    if (mode == Mode.OUTSIDE) {
                        ref.atomic().set(start);
                    } else {
                        Stm.atomic(() -> ref.atomic().set(start));
                    }
                    assertEquals(start, ref.atomic().get(), "view set");
                    assertEquals(start, Stm.atomicBoolean(() -> ref.getAndSet(x)), "tx getAndSet");
                    assertEquals(x, Stm.atomicBoolean(ref::get));
                    boolean toggled = mode == Mode.OUTSIDE ? ref.atomic().getAndToggle()
                            : Stm.atomicBoolean(() -> ref.atomic().getAndToggle());
                    assertEquals(x, toggled, "getAndToggle previous");
                    assertEquals(!x, ref.atomic().get(), "getAndToggle value");
                    assertTrue(ref.atomic().compareAndSet(!x, !x), "canonical encoding after getAndToggle");
                    Stm.atomic(() -> {
                        ref.toggle();
                        ref.toggle();
                        ref.toggle();
                    });
                    assertEquals(x, ref.atomic().get(), "three toggles");
                    assertTrue(ref.atomic().compareAndSet(x, x), "canonical encoding after toggles");
                    Stm.atomic(() -> {
                        ref.set(start);
                        ref.toggle();
                    });
                    assertEquals(!start, ref.atomic().get(), "set;toggle");
                    assertTrue(Stm.atomicBoolean(() -> ref.atomic().compareAndSet(!start, start)),
                            "CAS inside a transaction");
                    assertEquals(start, ref.atomic().get());
                    assertFalse(Stm.atomicBoolean(() -> ref.atomic().compareAndSet(!start, start)),
                            "CAS inside a transaction with the wrong expectation");
                }
            }
        }
    }

    // ------------------------------------------------------------------ Ref<T> vs AtomicReference

    @Test
    @SuppressWarnings("StringOperationCanBeSimplified")
    void refMatchesAtomicReferenceComparingByIdentityWithNullAsAnOrdinaryValue() {
        String a = new String("x");
        String b = new String("x"); // equal to a, not the same
        Integer big1 = Integer.valueOf(100_000);
        Integer big2 = Integer.valueOf(100_000);
        Object[] values = {null, a, b, big1, big2, "y"};
        for (Object start : values) {
            for (Object x : values) {
                for (Object y : values) {
                    for (Mode mode : Mode.values()) {
                        AtomicReference<Object> jdk = new AtomicReference<>(start);
                        Ref<Object> ref = new Ref<>(start);
                        boolean expected = jdk.compareAndSet(x, y);
                        boolean actual = mode == Mode.OUTSIDE ? ref.atomic().compareAndSet(x, y)
                                : Stm.atomicBoolean(() -> ref.atomic().compareAndSet(x, y));
                        assertEquals(expected, actual, "CAS(" + x + "," + y + ") on " + start + " " + mode);
                        assertSame(jdk.get(), ref.atomic().get(), "CAS value");
                    }
                }
                for (Mode mode : Mode.values()) {
                    AtomicReference<Object> jdk = new AtomicReference<>(start);
                    Ref<Object> ref = new Ref<>(start);
                    Object expected = jdk.getAndSet(x);
                    Object actual = mode == Mode.OUTSIDE ? ref.atomic().getAndSet(x)
                            : Stm.atomic(() -> ref.atomic().getAndSet(x));
                    assertSame(expected, actual, "getAndSet");
                    assertSame(x, ref.atomic().get());
                    UnaryOperator<Object> swap = v -> v == x ? start : x;
                    Object upd = mode == Mode.OUTSIDE ? ref.atomic().updateAndGet(swap)
                            : Stm.atomic(() -> ref.atomic().updateAndGet(swap));
                    assertSame(jdk.updateAndGet(swap), upd, "updateAndGet");
                    Object prev = mode == Mode.OUTSIDE ? ref.atomic().getAndUpdate(swap)
                            : Stm.atomic(() -> ref.atomic().getAndUpdate(swap));
                    assertSame(jdk.getAndUpdate(swap), prev, "getAndUpdate");
                    java.util.function.BinaryOperator<Object> second = (p, q) -> q;
                    Object acc = mode == Mode.OUTSIDE ? ref.atomic().accumulateAndGet(start, second)
                            : Stm.atomic(() -> ref.atomic().accumulateAndGet(start, second));
                    assertSame(jdk.accumulateAndGet(start, second), acc, "accumulateAndGet");
                    assertSame(jdk.get(), ref.atomic().get());
                    assertSame(jdk.get(), Stm.atomic(() -> ref.getAndSet(x)), "tx getAndSet");
                    assertSame(x, Stm.atomic(() -> ref.getAndUpdate(swap)), "tx getAndUpdate");
                    assertSame(swap.apply(x), Stm.atomic(ref::get));
                    assertSame(swap.apply(swap.apply(x)), Stm.atomic(() -> ref.updateAndGet(swap)), "tx updateAndGet");
                    Stm.atomic(() -> ref.update(v -> start));
                    assertSame(start, ref.atomic().get(), "tx update");
                    assertEquals("Ref[" + start + "]", ref.toString());
                    assertEquals("Ref.Atomic[" + start + "]", ref.atomic().toString());
                }
            }
        }
    }

    @Test
    void refCommuteChainsAndSetsInATransactionComposeInCallOrder() {
        Ref<String> ref = new Ref<>("a");
        String read = Stm.atomic(() -> {
            ref.commute(v -> v + "b");
            ref.commute(v -> v + "c");
            String seen = ref.get();
            ref.commute(v -> v + "d");
            return seen;
        });
        assertEquals("abc", read);
        assertEquals("abcd", ref.atomic().get());
        Stm.atomic(() -> {
            ref.commute(v -> v + "x");
            ref.set(null);
            ref.commute(v -> v + "y");
        });
        assertEquals("nully", ref.atomic().get(), "set after commute replaces the pending commutes");
        String prev = Stm.atomic(() -> {
            ref.commute(v -> null);
            return ref.getAndSet("z");
        });
        assertEquals(null, prev, "getAndSet after a commute returns the commuted value");
        assertEquals("z", ref.atomic().get());
    }

    // ------------------------------------------------------------------ throwing functions

    /** Checks that the ref is still {@code expected} and that another thread can update it at once. */
    static void assertUnchangedAndUnlocked(LongRef ref, long expected, String what) {
        assertFalse(Stm.inTransaction(), what + ": a transaction is left open");
        assertEquals(expected, ref.atomic().get(), what + ": value changed");
        onOtherThread(what, () -> {
            ref.atomic().set(expected + 1);
            Stm.atomic(() -> ref.set(ref.get() - 1));
            return null;
        });
        assertEquals(expected, Stm.atomicLong(ref::get), what);
    }

    static void assertThrowsPlanned(Planned planned, Executable call, String what) {
        Planned thrown = assertThrows(Planned.class, call, what);
        assertSame(planned, thrown, what + ": not the same exception object");
    }

    @Test
    void aThrowingFunctionInEveryUpdateMethodLeavesTheRefUnchangedAndUnlocked() {
        Planned planned = new Planned("function");
        java.util.function.LongUnaryOperator boomL = v -> { throw planned; };
        java.util.function.IntUnaryOperator boomI = v -> { throw planned; };
        java.util.function.DoubleUnaryOperator boomD = v -> { throw planned; };
        UnaryOperator<String> boomR = v -> { throw planned; };

        LongRef l = new LongRef(7);
        List<Executable> longCalls = List.of(
                () -> l.atomic().updateAndGet(boomL), () -> l.atomic().getAndUpdate(boomL),
                () -> l.atomic().accumulateAndGet(1, (p, q) -> { throw planned; }), () -> l.commute(boomL),
                () -> Stm.atomic(() -> l.atomic().updateAndGet(boomL)), () -> Stm.atomic(() -> l.update(boomL)),
                () -> Stm.atomic(() -> l.updateAndGet(boomL)), () -> Stm.atomic(() -> l.getAndUpdate(boomL)),
                () -> Stm.atomic(() -> { l.set(99); l.commute(boomL); }),
                () -> Stm.atomic(() -> { l.add(5); l.commute(boomL); }),
                () -> Stm.atomic(() -> { l.commute(boomL); l.add(5); }),
                () -> Stm.atomic(() -> { l.commute(boomL); l.get(); }));
        for (int i = 0; i < longCalls.size(); i++) {
            assertThrowsPlanned(planned, longCalls.get(i), "long call " + i);
            assertUnchangedAndUnlocked(l, 7, "long call " + i);
        }

        IntRef in = new IntRef(-7);
        List<Executable> intCalls = List.of(
                () -> in.atomic().updateAndGet(boomI), () -> in.atomic().getAndUpdate(boomI),
                () -> in.atomic().accumulateAndGet(1, (p, q) -> { throw planned; }), () -> in.commute(boomI),
                () -> Stm.atomic(() -> in.update(boomI)), () -> Stm.atomic(() -> in.updateAndGet(boomI)),
                () -> Stm.atomic(() -> in.getAndUpdate(boomI)), () -> Stm.atomic(() -> { in.add(3); in.commute(boomI); }),
                () -> Stm.atomic(() -> { in.commute(boomI); in.get(); }));
        for (int i = 0; i < intCalls.size(); i++) {
            assertThrowsPlanned(planned, intCalls.get(i), "int call " + i);
            assertFalse(Stm.inTransaction());
            assertEquals(-7, in.atomic().get(), "int call " + i);
            onOtherThread("int-" + i, () -> in.atomic().getAndSet(-7));
            assertEquals(-7, Stm.atomicInt(in::get));
        }

        DoubleRef d = new DoubleRef(-0.0);
        List<Executable> doubleCalls = List.of(
                () -> d.atomic().updateAndGet(boomD), () -> d.atomic().getAndUpdate(boomD),
                () -> d.atomic().accumulateAndGet(1, (p, q) -> { throw planned; }), () -> d.commute(boomD),
                () -> Stm.atomic(() -> d.update(boomD)), () -> Stm.atomic(() -> d.updateAndGet(boomD)),
                () -> Stm.atomic(() -> d.getAndUpdate(boomD)), () -> Stm.atomic(() -> { d.add(3); d.commute(boomD); }),
                () -> Stm.atomic(() -> { d.commute(boomD); d.get(); }));
        for (int i = 0; i < doubleCalls.size(); i++) {
            assertThrowsPlanned(planned, doubleCalls.get(i), "double call " + i);
            assertFalse(Stm.inTransaction());
            assertSameBits(-0.0, d.atomic().get(), "double call " + i);
            onOtherThread("double-" + i, () -> d.atomic().getAndSet(-0.0));
            assertSameBits(-0.0, Stm.atomicDouble(d::get), "double call " + i);
        }

        Ref<String> r = new Ref<>("keep");
        List<Executable> refCalls = List.of(
                () -> r.atomic().updateAndGet(boomR), () -> r.atomic().getAndUpdate(boomR),
                () -> r.atomic().accumulateAndGet("x", (p, q) -> { throw planned; }), () -> r.commute(boomR),
                () -> Stm.atomic(() -> r.update(boomR)), () -> Stm.atomic(() -> r.updateAndGet(boomR)),
                () -> Stm.atomic(() -> r.getAndUpdate(boomR)), () -> Stm.atomic(() -> { r.set("no"); r.commute(boomR); }),
                () -> Stm.atomic(() -> { r.commute(boomR); r.get(); }));
        for (int i = 0; i < refCalls.size(); i++) {
            assertThrowsPlanned(planned, refCalls.get(i), "ref call " + i);
            assertFalse(Stm.inTransaction());
            assertEquals("keep", r.atomic().get(), "ref call " + i);
            onOtherThread("ref-" + i, () -> r.atomic().getAndSet("keep"));
            assertEquals("keep", Stm.atomic(r::get));
        }
    }

    @Test
    void aViewFunctionThatThrowsInsideATransactionCanBeCaughtAndTheTransactionCommitsItsOtherWrites() {
        Planned planned = new Planned("caught");
        LongRef l = new LongRef(1);
        LongRef other = new LongRef(0);
        Stm.atomic(() -> {
            other.set(5);
            Planned p = assertThrows(Planned.class, () -> l.atomic().updateAndGet(v -> { throw planned; }));
            assertSame(planned, p);
            assertEquals(1, l.get());
        });
        assertEquals(1, l.atomic().get());
        assertEquals(5, other.atomic().get());
        assertUnchangedAndUnlocked(l, 1, "after caught function");
    }

    @Test
    void nullFunctionsAreRejectedWithNullPointerExceptionAndWriteNothing() {
        LongRef l = new LongRef(3);
        IntRef in = new IntRef(3);
        DoubleRef d = new DoubleRef(3);
        Ref<String> r = new Ref<>("3");
        List<Executable> calls = List.of(
                () -> l.commute(null), () -> in.commute(null), () -> d.commute(null), () -> r.commute(null),
                () -> l.atomic().updateAndGet(null), () -> l.atomic().getAndUpdate(null),
                () -> l.atomic().accumulateAndGet(1, null), () -> in.atomic().updateAndGet(null),
                () -> in.atomic().getAndUpdate(null), () -> in.atomic().accumulateAndGet(1, null),
                () -> d.atomic().updateAndGet(null), () -> d.atomic().getAndUpdate(null),
                () -> d.atomic().accumulateAndGet(1, null), () -> r.atomic().updateAndGet(null),
                () -> r.atomic().getAndUpdate(null), () -> r.atomic().accumulateAndGet("1", null),
                () -> Stm.atomic(() -> l.update(null)), () -> Stm.atomic(() -> l.commute(null)),
                () -> Stm.atomic(() -> in.updateAndGet(null)), () -> Stm.atomic(() -> d.getAndUpdate(null)),
                () -> Stm.atomic(() -> r.update(null)), () -> Stm.atomic(() -> r.commute(null)));
        for (int i = 0; i < calls.size(); i++) {
            int k = i;
            assertThrows(NullPointerException.class, calls.get(i), () -> "call " + k);
            assertFalse(Stm.inTransaction());
            assertEquals(3, l.atomic().get());
            assertEquals(3, in.atomic().get());
            assertEquals(3.0, d.atomic().get());
            assertEquals("3", r.atomic().get());
        }
    }

    // ------------------------------------------------------------------ contention: pure functions

    @Test
    void viewUpdateFunctionsCalledMoreThanOnceUnderContentionStillGiveThePureResult() {
        int threads = 4;
        LongRef l = new LongRef();
        IntRef in = new IntRef(Integer.MAX_VALUE - 1_000);
        DoubleRef d = new DoubleRef();
        Ref<Long> r = new Ref<>(0L);
        AtomicLong calls = new AtomicLong();
        AtomicLong done = new AtomicLong();
        Set<Long> seenL = ConcurrentHashMap.newKeySet();
        Set<Integer> seenI = ConcurrentHashMap.newKeySet();
        Set<Double> seenD = ConcurrentHashMap.newKeySet();
        Set<Long> seenR = ConcurrentHashMap.newKeySet();
        race(threads, RACE_MILLIS, (t, deadline) -> {
            int n = 0;
            while (before(deadline) || n < 100) {
                n++;
                long nl;
                int ni;
                double nd;
                long nr;
                switch (n & 3) {
                    case 0 -> {
                        nl = l.atomic().updateAndGet(v -> { calls.incrementAndGet(); return v + 1; });
                        ni = in.atomic().updateAndGet(v -> v + 1);
                        nd = d.atomic().updateAndGet(v -> v + 1);
                        nr = r.atomic().updateAndGet(v -> v + 1);
                    }
                    case 1 -> {
                        nl = l.atomic().getAndUpdate(v -> { calls.incrementAndGet(); return v + 1; }) + 1;
                        ni = in.atomic().getAndUpdate(v -> v + 1) + 1;
                        nd = d.atomic().getAndUpdate(v -> v + 1) + 1;
                        nr = r.atomic().getAndUpdate(v -> v + 1) + 1;
                    }
                    case 2 -> {
                        nl = l.atomic().accumulateAndGet(1, (v, x) -> { calls.incrementAndGet(); return v + x; });
                        ni = in.atomic().accumulateAndGet(1, Integer::sum);
                        nd = d.atomic().accumulateAndGet(1, Double::sum);
                        nr = r.atomic().accumulateAndGet(1L, Long::sum);
                    }
                    default -> {
                        calls.incrementAndGet();
                        nl = Stm.atomicLong(() -> l.incrementAndGet());
                        ni = Stm.atomicInt(() -> in.atomic().addAndGet(1));
                        nd = Stm.atomicDouble(() -> d.addAndGet(1));
                        nr = Stm.atomic(() -> r.updateAndGet(v -> v + 1));
                    }
                }
                done.incrementAndGet();
                assertTrue(seenL.add(nl), "long value handed out twice: " + nl);
                assertTrue(seenI.add(ni), "int value handed out twice: " + ni);
                assertTrue(seenD.add(nd), "double value handed out twice: " + nd);
                assertTrue(seenR.add(nr), "Ref value handed out twice: " + nr);
            }
        });
        long n = done.get();
        assertEquals(n, l.atomic().get(), "lost or doubled long updates");
        assertEquals(Integer.MAX_VALUE - 1_000 + (int) n, in.atomic().get(), "lost int updates (wrapping)");
        assertEquals((double) n, d.atomic().get(), "lost double updates");
        assertEquals(n, r.atomic().get(), "lost Ref updates");
        assertEquals(n, seenL.size());
        assertTrue(calls.get() >= n, "fewer function calls than updates");
        for (long v = 1; v <= n; v++) {
            if (!seenL.contains(v)) {
                fail("long value " + v + " never returned");
            }
        }
    }

    // ------------------------------------------------------------------ contention: getAndSet chains

    @Test
    void getAndSetChainsUnderContentionHandEveryTokenOverExactlyOnce() {
        int threads = 4;
        LongRef l = new LongRef(-1);
        IntRef in = new IntRef(-1);
        DoubleRef d = new DoubleRef(nanToken(-1));
        Ref<Object> r = new Ref<>(null);
        ConcurrentHashMap<Long, Boolean> prevL = new ConcurrentHashMap<>();
        ConcurrentHashMap<Integer, Boolean> prevI = new ConcurrentHashMap<>();
        ConcurrentHashMap<Long, Boolean> prevD = new ConcurrentHashMap<>();
        Set<Object> prevR = ConcurrentHashMap.newKeySet();
        AtomicInteger nullsSeen = new AtomicInteger();
        AtomicLong tokens = new AtomicLong();
        long[] perThread = new long[threads];
        race(threads, RACE_MILLIS, (t, deadline) -> {
            long seq = 0;
            while (before(deadline) || seq < 100) {
                long token = ((long) t << 40) | seq++;
                boolean inTxn = (seq & 3) == 0;
                long pl = inTxn ? Stm.atomicLong(() -> l.getAndSet(token)) : l.atomic().getAndSet(token);
                int pi = inTxn ? Stm.atomicInt(() -> in.getAndSet((int) (token ^ (token >>> 20))))
                        : in.atomic().getAndSet((int) (token ^ (token >>> 20)));
                double pd = inTxn ? Stm.atomicDouble(() -> d.getAndSet(nanToken(token)))
                        : d.atomic().getAndSet(nanToken(token));
                Object mine = new Object[] {token};
                Object pr = inTxn ? Stm.atomic(() -> r.getAndSet(mine)) : r.atomic().getAndSet(mine);
                assertEquals(null, prevL.put(pl, true), "long token handed back twice: " + pl);
                assertEquals(null, prevI.put(pi, true), "int token handed back twice: " + pi);
                assertEquals(null, prevD.put(raw(pd), true), "NaN token handed back twice: 0x" + Long.toHexString(raw(pd)));
                if (pr == null) {
                    nullsSeen.incrementAndGet();
                } else {
                    assertTrue(prevR.add(pr), "object handed back twice");
                }
                tokens.incrementAndGet();
            }
            perThread[t] = seq;
        });
        long n = tokens.get();
        assertEquals(n, prevL.size());
        assertTrue(prevL.containsKey(-1L), "the initial long was never handed back");
        assertFalse(prevL.containsKey(l.atomic().get()), "the final long was also handed back");
        assertEquals(n, prevI.size());
        assertEquals(n, prevD.size());
        assertTrue(prevD.containsKey(raw(nanToken(-1))), "the initial NaN was never handed back");
        assertFalse(prevD.containsKey(raw(d.atomic().get())), "the final NaN was also handed back");
        for (int t = 0; t < threads; t++) {
            for (long s = 0; s < perThread[t]; s++) {
                long token = ((long) t << 40) | s;
                if (token != l.atomic().get() && !prevL.containsKey(token)) {
                    fail("long token " + token + " lost");
                }
                if (raw(nanToken(token)) != raw(d.atomic().get()) && !prevD.containsKey(raw(nanToken(token)))) {
                    fail("NaN token " + token + " lost (payload changed?)");
                }
            }
        }
        assertEquals(1, nullsSeen.get(), "the initial null handed back other than once");
        assertEquals(n - 1, prevR.size());
    }

    static double nanToken(long token) {
        return Double.longBitsToDouble(0x7ff8_0000_0000_0000L | (token & 0x0007_ffff_ffff_ffffL));
    }

    // ------------------------------------------------------------------ commutes vs one-op sets

    @Test
    void commutingAddsRacingWithOneOperationGetAndSetsLoseNothing() {
        int threads = 4;
        LongRef l = new LongRef();
        IntRef in = new IntRef();
        DoubleRef d = new DoubleRef();
        Ref<List<Long>> r = new Ref<>(List.of());
        AtomicLong added = new AtomicLong();
        AtomicLong drainedL = new AtomicLong();
        AtomicLong drainedI = new AtomicLong();
        AtomicLong drainedD = new AtomicLong();
        Set<Long> drainedR = ConcurrentHashMap.newKeySet();
        AtomicLong drainedRCount = new AtomicLong();
        race(threads, RACE_MILLIS, (t, deadline) -> {
            long seq = 0;
            while (before(deadline) || seq < 100) {
                seq++;
                if (t == 0) { // drainer: one-operation getAndSet(0), sometimes inside a transaction
                    boolean inTxn = (seq & 1) == 0;
                    drainedL.addAndGet(inTxn ? Stm.atomicLong(() -> l.atomic().getAndSet(0)) : l.atomic().getAndSet(0));
                    drainedI.addAndGet(inTxn ? Stm.atomicInt(() -> in.getAndSet(0)) : in.atomic().getAndSet(0));
                    drainedD.addAndGet((long) d.atomic().getAndSet(0.0));
                    List<Long> got = r.atomic().getAndSet(List.of());
                    for (Long v : got) {
                        assertTrue(drainedR.add(v), "element drained twice: " + v);
                    }
                    drainedRCount.addAndGet(got.size());
                    continue;
                }
                long token = ((long) t << 40) | seq;
                int kind = (int) (seq % 5);
                Stm.atomic(() -> {
                    switch (kind) {
                        case 0 -> {
                            l.add(2);
                            in.add(2);
                        }
                        case 1 -> {
                            l.increment();
                            l.commuteAdd(1);
                            in.increment();
                            in.commute(v -> v + 1);
                        }
                        case 2 -> {
                            l.commute(v -> v + 2);
                            in.commuteAdd(2);
                        }
                        case 3 -> { // materialized: a read after the commute
                            l.add(1);
                            long seen = l.get();
                            l.add(1);
                            assertTrue(l.get() == seen + 1);
                            in.add(2);
                        }
                        default -> {
                            l.addAndGet(2);
                            in.getAndAdd(2);
                        }
                    }
                    d.commute(v -> v + 2);
                    r.commute(list -> append(list, token));
                });
                added.addAndGet(2);
            }
        });
        long expected = added.get();
        assertEquals(expected, drainedL.get() + l.atomic().get(), "lost long commutes");
        assertEquals(expected, drainedI.get() + in.atomic().get(), "lost int commutes");
        assertEquals(expected, drainedD.get() + (long) d.atomic().get(), "lost double commutes");
        List<Long> rest = r.atomic().get();
        assertEquals(expected / 2, drainedRCount.get() + rest.size(), "lost or doubled Ref commutes");
        for (Long v : rest) {
            assertFalse(drainedR.contains(v), "element both drained and left: " + v);
        }
    }

    static List<Long> append(List<Long> list, long token) {
        ArrayList<Long> copy = new ArrayList<>(list);
        copy.add(token);
        return List.copyOf(copy);
    }

    // ------------------------------------------------------------------ per-writer order

    @Test
    void eachWritersOwnOneOperationUpdatesAreSeenInOrder() {
        int writers = 3;
        LongRef l = new LongRef(-1);
        Ref<long[]> r = new Ref<>(new long[] {-1, -1});
        DoubleRef d = new DoubleRef(-1);
        AtomicLong observations = new AtomicLong();
        race(writers + 1, RACE_MILLIS, (t, deadline) -> {
            if (t < writers) {
                long seq = 0;
                while (before(deadline)) {
                    long value = ((long) t << 48) | ++seq;
                    switch ((int) (seq % 4)) {
                        case 0 -> l.atomic().set(value);
                        case 1 -> l.atomic().getAndSet(value);
                        case 2 -> {
                            long cur;
                            do {
                                cur = l.atomic().get();
                            } while (!l.atomic().compareAndSet(cur, value));
                        }
                        default -> l.atomic().updateAndGet(v -> value);
                    }
                    long[] pair = {t, seq};
                    r.atomic().set(pair);
                    d.atomic().set(Double.longBitsToDouble(value)); // small positive doubles, exact bits
                }
                return;
            }
            long[] lastL = new long[writers];
            long[] lastR = new long[writers];
            long[] lastD = new long[writers];
            int n = 0;
            while (before(deadline)) {
                n++;
                long v = (n & 1) == 0 ? l.atomic().get() : Stm.atomicLong(l::get);
                long[] p = (n & 1) == 0 ? r.atomic().get() : Stm.atomic(r::get);
                long dv = raw((n & 1) == 0 ? d.atomic().get() : Stm.atomicDouble(d::get));
                if (v >= 0) {
                    int w = (int) (v >>> 48);
                    long s = v & 0xFFFF_FFFF_FFFFL;
                    assertTrue(s >= lastL[w], "long: writer " + w + " went back from " + lastL[w] + " to " + s);
                    lastL[w] = s;
                }
                if (p[0] >= 0) {
                    int w = (int) p[0];
                    assertTrue(p[1] >= lastR[w], "Ref: writer " + w + " went back from " + lastR[w] + " to " + p[1]);
                    lastR[w] = p[1];
                }
                if (dv >= 0) {
                    int w = (int) (dv >>> 48);
                    long s = dv & 0xFFFF_FFFF_FFFFL;
                    assertTrue(s >= lastD[w], "double: writer " + w + " went back from " + lastD[w] + " to " + s);
                    lastD[w] = s;
                }
                observations.incrementAndGet();
            }
        });
        assertTrue(observations.get() > 0);
    }

    // ------------------------------------------------------------------ opacity vs one-op updates

    @Test
    void transactionsReadingTwoRefsSeeOneStateWhileOneOperationUpdatesRace() {
        // x only grows (one-operation increments); y is copied from x by transactions; hence y <= x
        // in every committed state. z holds a long and w the same value as a double, written
        // together by transactions; one-op getAndSets of a third ref u race with everything.
        LongRef x = new LongRef();
        LongRef y = new LongRef();
        LongRef z = new LongRef();
        DoubleRef w = new DoubleRef();
        IntRef u = new IntRef();
        AtomicLong checks = new AtomicLong();
        race(4, RACE_MILLIS, (t, deadline) -> {
            long n = 0;
            while (before(deadline)) {
                n++;
                switch (t) {
                    case 0 -> {
                        x.atomic().incrementAndGet();
                        x.atomic().getAndAdd(2);
                        x.atomic().updateAndGet(v -> v + 1);
                        u.atomic().getAndSet((int) n);
                    }
                    case 1 -> {
                        long k = n;
                        Stm.atomic(() -> {
                            y.set(x.get());
                            z.set(k * 3);
                            w.set(k * 3.0);
                        });
                        if ((n & 7) == 0) {
                            Stm.atomic(() -> x.increment()); // a commute racing with the one-op increments
                        }
                    }
                    default -> {
                        long[] seen = new long[4];
                        Stm.atomic(() -> {
                            seen[0] = y.get();
                            seen[1] = z.get();
                            seen[2] = u.get();
                            double wv = w.get();
                            seen[3] = x.get();
                            if (seen[0] > seen[3]) {
                                throw new AssertionError("opacity: y=" + seen[0] + " > x=" + seen[3]);
                            }
                            if (wv != seen[1] * 1.0) {
                                throw new AssertionError("opacity: z=" + seen[1] + " but w=" + wv);
                            }
                            if (x.get() != seen[3] || y.get() != seen[0]) {
                                throw new AssertionError("a second read differs");
                            }
                        });
                        long a = x.atomic().get();
                        long b = Stm.atomicLong(y::get);
                        assertTrue(b <= x.atomic().get() && a <= x.atomic().get(), "x went backwards or y > x");
                        checks.incrementAndGet();
                    }
                }
            }
        });
        assertTrue(checks.get() > 0);
        assertTrue(y.atomic().get() <= x.atomic().get());
    }

    @Test
    void commutesAndBlindSetsOfTwoRefsCommitTogetherSoEveryReaderSeesThemEqual() {
        LongRef a = new LongRef();
        LongRef b = new LongRef();
        IntRef c = new IntRef();
        DoubleRef d = new DoubleRef();
        Ref<Long> e = new Ref<>(0L);
        AtomicLong checks = new AtomicLong();
        race(4, RACE_MILLIS, (t, deadline) -> {
            Random random = new Random(t);
            while (before(deadline)) {
                int kind = random.nextInt(8);
                long v = random.nextInt(1000);
                switch (t) {
                    case 0, 1 -> Stm.atomic(() -> {
                        switch (kind) {
                            case 0 -> { a.add(1); b.add(1); c.add(1); d.commute(x -> x + 1); e.commute(x -> x + 1); }
                            case 1 -> { a.increment(); b.commuteAdd(1); c.increment(); d.add(1); e.update(x -> x + 1); }
                            case 2 -> { a.commute(x -> x + 1); b.commute(x -> x + 1); c.commute(x -> x + 1);
                                d.commute(x -> x + 1); e.commute(x -> x + 1); }
                            case 3 -> { a.add(1); long seen = a.get(); b.set(seen); c.set((int) seen);
                                d.set(seen); e.set(seen); }
                            default -> { a.set(v); b.set(v); c.set((int) v); d.set(v); e.set(v); }
                        }
                    });
                    case 2 -> {
                        if (kind < 4) {
                            Stm.atomic(() -> {
                                b.add(2);
                                a.add(2);
                                c.commuteAdd(2);
                                d.commute(x -> x + 2);
                                e.commute(x -> x + 2);
                            });
                        } else {
                            Stm.atomic(() -> {
                                long x = b.atomic().getAndSet(v);
                                a.atomic().set(v);
                                c.atomic().set((int) v);
                                d.atomic().getAndSet(v);
                                e.atomic().set(v);
                                if (x < 0) {
                                    throw new AssertionError("negative");
                                }
                            });
                        }
                    }
                    default -> {
                        long[] seen = new long[5];
                        Stm.atomic(() -> {
                            seen[0] = a.get();
                            seen[1] = b.get();
                            seen[2] = c.get();
                            seen[3] = (long) d.get();
                            seen[4] = e.get();
                        });
                        for (int i = 1; i < 5; i++) {
                            if (seen[i] != seen[0]) {
                                throw new AssertionError("refs written together differ: " + java.util.Arrays.toString(seen));
                            }
                        }
                        checks.incrementAndGet();
                    }
                }
            }
        });
        assertTrue(checks.get() > 0);
        long av = a.atomic().get();
        assertEquals(av, b.atomic().get());
        assertEquals(av, c.atomic().get());
        assertEquals((double) av, d.atomic().get());
        assertEquals(av, e.atomic().get());
    }

    @Test
    void withoutContentionEveryUpdateFunctionIsCalledExactlyOnceLikeTheJdks() {
        AtomicInteger calls = new AtomicInteger();
        LongRef l = new LongRef();
        IntRef in = new IntRef();
        DoubleRef d = new DoubleRef();
        Ref<String> r = new Ref<>("");
        List<Runnable> updates = List.of(
                () -> l.atomic().updateAndGet(v -> { calls.incrementAndGet(); return v + 1; }),
                () -> l.atomic().getAndUpdate(v -> { calls.incrementAndGet(); return v + 1; }),
                () -> l.atomic().accumulateAndGet(1, (v, x) -> { calls.incrementAndGet(); return v + x; }),
                () -> l.commute(v -> { calls.incrementAndGet(); return v + 1; }),
                () -> in.atomic().updateAndGet(v -> { calls.incrementAndGet(); return v + 1; }),
                () -> in.atomic().getAndUpdate(v -> { calls.incrementAndGet(); return v + 1; }),
                () -> in.atomic().accumulateAndGet(1, (v, x) -> { calls.incrementAndGet(); return v + x; }),
                () -> in.commute(v -> { calls.incrementAndGet(); return v + 1; }),
                () -> d.atomic().updateAndGet(v -> { calls.incrementAndGet(); return v + 1; }),
                () -> d.atomic().getAndUpdate(v -> { calls.incrementAndGet(); return v + 1; }),
                () -> d.atomic().accumulateAndGet(1, (v, x) -> { calls.incrementAndGet(); return v + x; }),
                () -> d.commute(v -> { calls.incrementAndGet(); return v + 1; }),
                () -> r.atomic().updateAndGet(v -> { calls.incrementAndGet(); return v + "1"; }),
                () -> r.atomic().getAndUpdate(v -> { calls.incrementAndGet(); return v + "1"; }),
                () -> r.atomic().accumulateAndGet("1", (v, x) -> { calls.incrementAndGet(); return v + x; }),
                () -> r.commute(v -> { calls.incrementAndGet(); return v + "1"; }));
        for (int i = 0; i < updates.size(); i++) {
            for (Mode mode : Mode.values()) {
                calls.set(0);
                Runnable update = updates.get(i);
                if (mode == Mode.OUTSIDE) {
                    update.run();
                } else {
                    Stm.atomic(update);
                }
                assertEquals(1, calls.get(), "update " + i + " " + mode + ": function calls");
            }
        }
        calls.set(0);
        Stm.atomic(() -> {
            l.commute(v -> { calls.incrementAndGet(); return v + 1; });
            l.get();
            l.get();
        });
        assertEquals(1, calls.get(), "a commute read twice, then committed");
        assertEquals(9, l.atomic().get());
        assertEquals(8, in.atomic().get());
        assertEquals(8.0, d.atomic().get());
        assertEquals("11111111", r.atomic().get());
    }

    @Test
    void oneOperationUpdatesOnAnInterruptedThreadWaitForAHeldCommitAndKeepTheInterrupt() throws Exception {
        LongRef l = new LongRef();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        FutureTask<Void> committer = new FutureTask<>(() -> {
            Stm.atomic(() -> {
                l.set(l.get() + 1);
                Stm.setExternalDecider(() -> {
                    held.countDown();
                    await(go);
                    return true;
                });
            });
            return null;
        });
        Thread committerThread = new Thread(committer, "held-commit");
        committerThread.setDaemon(true);
        committerThread.start();
        await(held);
        FutureTask<long[]> interrupted = new FutureTask<>(() -> {
            Thread.currentThread().interrupt();
            long got = l.atomic().incrementAndGet();
            long read = l.atomic().get();
            boolean cas = l.atomic().compareAndSet(read, read + 1);
            return new long[] {got, read, cas ? 1 : 0, Thread.currentThread().isInterrupted() ? 1 : 0};
        });
        Thread interruptedThread = new Thread(interrupted, "interrupted-updater");
        interruptedThread.setDaemon(true);
        interruptedThread.start();
        Thread.sleep(30);
        assertFalse(interrupted.isDone(), "an update did not wait for the held commit");
        go.countDown();
        committer.get(BOUND_SECONDS, TimeUnit.SECONDS);
        long[] got = interrupted.get(BOUND_SECONDS, TimeUnit.SECONDS);
        assertEquals(2, got[0], "the update did not serialize after the held commit");
        assertEquals(2, got[1]);
        assertEquals(1, got[2]);
        assertEquals(1, got[3], "the interrupt status was lost");
        assertEquals(3, l.atomic().get());
    }

    /**
     * Many commutes of one ref in one transaction (a batch job): each call links a node into the
     * ref's write-log entry; applying them, at commit or at a later read, must not need stack in
     * proportion to their number. Runs on threads with the default stack size. (Even 10,000
     * commutes overflowed a default stack in a cold JVM.)
     */
    // Regression (session 17): 100,000 commute(f) calls (or one commute then 100,000 add(1)) on one ref in one transaction end in StackOverflowError at commit or at the next read
    @Test
    void manyCommutesOfOneRefInOneTransactionCommitWithoutOverflowingTheStack() {
        int n = Integer.getInteger("weft.test.commutes", 100_000);
        LongRef l = new LongRef();
        Ref<Long> r = new Ref<>(0L);
        IntRef in = new IntRef();
        DoubleRef d = new DoubleRef();
        List<String> failures = new ArrayList<>();
        String[] cases = {"LongRef.commute xN", "LongRef.commute then add xN", "Ref.commute xN", "IntRef.commute xN",
            "DoubleRef.commute xN", "LongRef.commute xN then get"};
        for (String what : cases) {
            Throwable outcome = onBigThread(what, 0, () -> {
                switch (what) {
                    case "LongRef.commute xN" -> Stm.atomic(() -> {
                        for (int i = 0; i < n; i++) {
                            l.commute(v -> v + 1);
                        }
                    });
                    case "LongRef.commute then add xN" -> Stm.atomic(() -> {
                        l.commute(v -> v);
                        for (int i = 0; i < n; i++) {
                            l.add(1);
                        }
                    });
                    case "Ref.commute xN" -> Stm.atomic(() -> {
                        for (int i = 0; i < n; i++) {
                            r.commute(v -> v + 1);
                        }
                    });
                    case "IntRef.commute xN" -> Stm.atomic(() -> {
                        for (int i = 0; i < n; i++) {
                            in.commute(v -> v + 1);
                        }
                    });
                    case "DoubleRef.commute xN" -> Stm.atomic(() -> {
                        for (int i = 0; i < n; i++) {
                            d.commute(v -> v + 1);
                        }
                    });
                    default -> Stm.atomic(() -> {
                        for (int i = 0; i < n; i++) {
                            l.commute(v -> v + 1);
                        }
                        if (l.get() % n != 0) {
                            throw new AssertionError("the read after the commutes is wrong");
                        }
                    });
                }
            });
            if (outcome != null) {
                failures.add(what + ": " + outcome);
            }
            // nothing may be left locked, whatever happened
            onOtherThread("usable-after-" + what, 5, () -> {
                l.atomic().getAndAdd(0);
                r.atomic().getAndSet(r.atomic().get());
                in.atomic().getAndAdd(0);
                d.atomic().addAndGet(0);
                return null;
            });
        }
        assertTrue(failures.isEmpty(), "failed: " + failures);
        assertEquals(3L * n, l.atomic().get());
        assertEquals((long) n, r.atomic().get());
        assertEquals(n, in.atomic().get());
        assertEquals((double) n, d.atomic().get());
    }

    /** Runs {@code body} on a thread with {@code stack} bytes of stack; returns what it threw, or null. */
    static Throwable onBigThread(String what, long stack, Runnable body) {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread thread = new Thread(null, () -> {
            try {
                body.run();
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "stack-" + what, stack);
        thread.setDaemon(true);
        thread.start();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertFalse(thread.isAlive(), what + ": hangs");
        return thrown.get();
    }

    /**
     * guide.md, "Commute": "The ref is not read, so commuting transactions never conflict on it";
     * LongRef.add: "transactions that only add to this ref do not conflict with each other on it".
     * Many threads whose transactions only commute one ref: no attempt should run again.
     */
    // Regression (session 17), was a question: under lock contention a commute-only transaction was rolled back and run again (the commit gives up waiting for the ref's lock after LOCK_SPINS): does "never conflict" allow that?
    @Test
    void transactionsThatOnlyCommuteOneRefNeverRunAgain() {
        LongRef l = new LongRef();
        IntRef in = new IntRef();
        AtomicLong commits = new AtomicLong();
        AtomicReference<String> rerun = new AtomicReference<>();
        race(6, 3_000, (t, deadline) -> {
            int[] attempts = new int[1];
            while (before(deadline) && rerun.get() == null) {
                attempts[0] = 0;
                Stm.atomic(() -> {
                    attempts[0]++;
                    l.add(1);
                    in.commuteAdd(1);
                });
                commits.incrementAndGet();
                if (attempts[0] > 1) {
                    rerun.compareAndSet(null, "a commute-only transaction ran " + attempts[0] + " times (after "
                            + commits.get() + " commits)");
                }
            }
        });
        assertEquals(commits.get(), l.atomic().get());
        assertEquals(commits.get(), in.atomic().get());
        assertEquals(null, rerun.get());
    }


    // ------------------------------------------------------------------ misuse

    @Test
    void everyInTransactionMethodOutsideATransactionThrowsWithAdviceAndWritesNothing() {
        LongRef l = new LongRef(4);
        IntRef in = new IntRef(4);
        DoubleRef d = new DoubleRef(4);
        BooleanRef b = new BooleanRef(true);
        Ref<String> r = new Ref<>("4");
        List<Executable> longCalls = List.of(l::get, () -> l.set(1), () -> l.getAndSet(1), () -> l.update(v -> 1),
                () -> l.updateAndGet(v -> 1), () -> l.getAndUpdate(v -> 1), l::increment, l::decrement,
                () -> l.add(1), l::incrementAndGet, l::decrementAndGet, () -> l.addAndGet(1), () -> l.getAndAdd(1));
        List<Executable> intCalls = List.of(in::get, () -> in.set(1), () -> in.getAndSet(1), () -> in.update(v -> 1),
                () -> in.updateAndGet(v -> 1), () -> in.getAndUpdate(v -> 1), in::increment, in::decrement,
                () -> in.add(1), in::incrementAndGet, in::decrementAndGet, () -> in.addAndGet(1), () -> in.getAndAdd(1));
        List<Executable> doubleCalls = List.of(d::get, () -> d.set(1), () -> d.getAndSet(1), () -> d.update(v -> 1),
                () -> d.updateAndGet(v -> 1), () -> d.getAndUpdate(v -> 1), () -> d.add(1), () -> d.addAndGet(1),
                () -> d.getAndAdd(1));
        List<Executable> booleanCalls = List.of(b::get, () -> b.set(false), () -> b.getAndSet(false), b::toggle);
        List<Executable> refCalls = List.of(r::get, () -> r.set("1"), () -> r.getAndSet("1"), () -> r.update(v -> "1"),
                () -> r.updateAndGet(v -> "1"), () -> r.getAndUpdate(v -> "1"));
        for (Executable call : longCalls) {
            OutsideTransaction.assertRejectedWithAdvice("LongRef", call);
        }
        for (Executable call : intCalls) {
            OutsideTransaction.assertRejectedWithAdvice("IntRef", call);
        }
        for (Executable call : doubleCalls) {
            OutsideTransaction.assertRejectedWithAdvice("DoubleRef", call);
        }
        for (Executable call : booleanCalls) {
            OutsideTransaction.assertRejectedWithAdvice("BooleanRef", call);
        }
        for (Executable call : refCalls) {
            OutsideTransaction.assertRejectedWithAdvice("Ref", call);
        }
        assertEquals(4, l.atomic().get());
        assertEquals(4, in.atomic().get());
        assertEquals(4.0, d.atomic().get());
        assertTrue(b.atomic().get());
        assertEquals("4", r.atomic().get());
        // the one-operation forms that are documented to work outside a transaction
        l.commuteAdd(1);
        l.commute(v -> v * 2);
        in.commuteAdd(1);
        in.commute(v -> v * 2);
        d.commute(v -> v * 2);
        r.commute(v -> v + "!");
        assertEquals(10, l.atomic().get());
        assertEquals(10, in.atomic().get());
        assertEquals(8.0, d.atomic().get());
        assertEquals("4!", r.atomic().get());
    }

    @Test
    void aThreadStartedInsideATransactionIsNotPartOfItAndItsViewCallsCommitOnTheirOwn() {
        LongRef l = new LongRef(1);
        LongRef mine = new LongRef(0);
        Ref<String> r = new Ref<>("r");
        LongRef side = new LongRef(0);
        AtomicReference<Throwable> childFailure = new AtomicReference<>();
        AtomicInteger attempts = new AtomicInteger();
        Stm.atomic(() -> {
            if (attempts.incrementAndGet() > 1) {
                return; // a re-run must not start another child
            }
            mine.set(42);
            Thread child = new Thread(() -> {
                try {
                    assertFalse(Stm.inTransaction(), "the child thread runs in its parent's transaction");
                    OutsideTransaction.assertRejectedWithAdvice("LongRef", l::get);
                    OutsideTransaction.assertRejectedWithAdvice("LongRef", () -> mine.set(7));
                    OutsideTransaction.assertRejectedWithAdvice("LongRef", mine::increment);
                    OutsideTransaction.assertRejectedWithAdvice("Ref", () -> r.set("no"));
                    assertEquals(0, mine.atomic().get(), "the child sees the parent's uncommitted write");
                    side.atomic().incrementAndGet();
                    assertEquals(1, side.atomic().get());
                    side.commuteAdd(1);
                } catch (Throwable e) {
                    childFailure.set(e);
                }
            }, "child-of-a-transaction");
            child.setDaemon(true);
            child.start();
            try {
                child.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertFalse(child.isAlive(), "the child hangs");
        });
        if (childFailure.get() != null) {
            throw new AssertionError("child: " + childFailure.get(), childFailure.get());
        }
        assertEquals(42, mine.atomic().get());
        assertEquals(1, l.atomic().get());
        assertEquals("r", r.atomic().get());
        assertEquals(2, side.atomic().get(), "the child's one-operation updates were not committed");
    }

    @Test
    void afterCommitAndAfterRollbackHooksRunOutsideTheTransactionForEveryRefKind() {
        LongRef l = new LongRef(1);
        IntRef in = new IntRef(1);
        DoubleRef d = new DoubleRef(1);
        BooleanRef b = new BooleanRef();
        Ref<String> r = new Ref<>("1");
        List<Throwable> hookFailures = new ArrayList<>();
        Runnable hook = () -> {
            try {
                assertFalse(Stm.inTransaction());
                OutsideTransaction.assertRejectedWithAdvice("LongRef", l::increment);
                OutsideTransaction.assertRejectedWithAdvice("IntRef", in::get);
                OutsideTransaction.assertRejectedWithAdvice("DoubleRef", () -> d.add(1));
                OutsideTransaction.assertRejectedWithAdvice("BooleanRef", b::toggle);
                OutsideTransaction.assertRejectedWithAdvice("Ref", () -> r.set("x"));
                l.atomic().incrementAndGet();
                in.commuteAdd(1);
                d.atomic().addAndGet(1);
                b.atomic().getAndToggle();
                r.commute(v -> v + "h");
            } catch (Throwable t) {
                hookFailures.add(t);
            }
        };
        Stm.atomic(() -> {
            l.set(10);
            Stm.afterCommit(hook);
        });
        assertEquals(11, l.atomic().get());
        assertThrows(Planned.class, () -> Stm.atomic(() -> {
            l.set(100);
            Stm.afterRollback(hook);
            throw new Planned("rollback");
        }));
        if (!hookFailures.isEmpty()) {
            throw new AssertionError("a hook failed: " + hookFailures.get(0), hookFailures.get(0));
        }
        assertEquals(12, l.atomic().get());
        assertEquals(3, in.atomic().get());
        assertEquals(3.0, d.atomic().get());
        assertFalse(b.atomic().get());
        assertEquals("1hh", r.atomic().get());
    }

    // ------------------------------------------------------------------ toString, equals, hashCode

    @Test
    void toStringShowsNamesAndEdgeValuesExactlyAsDocumented() {
        assertEquals("Ref[null]", new Ref<String>().toString());
        assertEquals("Ref[owner: alice]", new Ref<>("alice").named("owner").toString());
        assertEquals("Ref[owner: null]", new Ref<String>(null).named("owner").toString());
        assertEquals("Ref[alice]", new Ref<>("alice").named("owner").named(null).toString(), "named(null) removes it");
        assertEquals("Ref.Atomic[alice]", new Ref<>("alice").named("owner").atomic().toString());
        assertEquals("LongRef[" + Long.MIN_VALUE + "]", new LongRef(Long.MIN_VALUE).toString());
        assertEquals("LongRef[hits: -1]", new LongRef(-1).named("hits").toString());
        assertEquals("LongRef.Atomic[" + Long.MAX_VALUE + "]", new LongRef(Long.MAX_VALUE).atomic().toString());
        assertEquals("IntRef[" + Integer.MIN_VALUE + "]", new IntRef(Integer.MIN_VALUE).toString());
        assertEquals("IntRef.Atomic[-1]", new IntRef(-1).atomic().toString());
        assertEquals("IntRef[seats: 40]", new IntRef(40).named("seats").toString());
        assertEquals("DoubleRef[-0.0]", new DoubleRef(-0.0).toString());
        assertEquals("DoubleRef[NaN]", new DoubleRef(Double.longBitsToDouble(0xfff8_0000_0000_0001L)).toString());
        assertEquals("DoubleRef[bal: Infinity]", new DoubleRef(Double.POSITIVE_INFINITY).named("bal").toString());
        assertEquals("DoubleRef.Atomic[-0.0]", new DoubleRef(-0.0).atomic().toString());
        assertEquals("BooleanRef[false]", new BooleanRef().toString());
        assertEquals("BooleanRef[open: true]", new BooleanRef(true).named("open").toString());
        assertEquals("BooleanRef.Atomic[true]", new BooleanRef(true).atomic().toString());
        Ref<Object> outer = new Ref<>();
        outer.atomic().set(new LongRef(3).atomic());
        assertEquals("Ref[LongRef.Atomic[3]]", outer.toString());
        IntRef wrapped = new IntRef(Integer.MAX_VALUE);
        Stm.atomic(wrapped::increment);
        assertEquals("IntRef[" + Integer.MIN_VALUE + "]", wrapped.toString());
        assertEquals("IntRef.Atomic[" + Integer.MIN_VALUE + "]", wrapped.atomic().toString());
    }

    @Test
    void refsAreEqualOnlyToThemselvesAndTheirHashDoesNotFollowTheValue() {
        List<Object> refs = List.of(new LongRef(5), new LongRef(5), new IntRef(5), new IntRef(5), new DoubleRef(5),
                new DoubleRef(5), new BooleanRef(true), new BooleanRef(true), new Ref<>("5"), new Ref<>("5"));
        for (int i = 0; i < refs.size(); i++) {
            Object a = refs.get(i);
            assertEquals(a, a);
            assertEquals(System.identityHashCode(a), a.hashCode(), "hashCode of " + a.getClass().getSimpleName());
            for (int j = 0; j < refs.size(); j++) {
                if (i != j) {
                    assertNotEquals(a, refs.get(j), a + " equals another ref " + refs.get(j));
                }
            }
        }
        LongRef l = (LongRef) refs.get(0);
        int hash = l.hashCode();
        l.atomic().set(99);
        Stm.atomic(() -> l.set(100));
        assertEquals(hash, l.hashCode(), "hashCode changed with the value");
        Set<Object> set = new HashSet<>(refs);
        assertEquals(refs.size(), set.size());
        for (Object ref : refs) {
            Object view = viewOf(ref);
            assertSame(view, viewOf(ref), "atomic() is not the same view in steady state");
            assertSame(ref, refOfView(view), "view.ref() is not the ref");
            assertNotEquals(ref, view);
        }
    }

    static Object viewOf(Object ref) {
        if (ref instanceof LongRef l) {
            return l.atomic();
        } else if (ref instanceof IntRef i) {
            return i.atomic();
        } else if (ref instanceof DoubleRef d) {
            return d.atomic();
        } else if (ref instanceof BooleanRef b) {
            return b.atomic();
        }
        return ((Ref<?>) ref).atomic();
    }

    static Object refOfView(Object view) {
        if (view instanceof LongRef.Atomic l) {
            return l.ref();
        } else if (view instanceof IntRef.Atomic i) {
            return i.ref();
        } else if (view instanceof DoubleRef.Atomic d) {
            return d.ref();
        } else if (view instanceof BooleanRef.Atomic b) {
            return b.ref();
        }
        return ((Ref.Atomic<?>) view).ref();
    }

    // ------------------------------------------------------------------ random differential

    @Test
    void randomMixedTransactionsMatchASequentialModel() {
        long seed = seed("randomMixedTransactionsMatchASequentialModel");
        Random random = new Random(seed);
        LongRef l = new LongRef();
        IntRef in = new IntRef();
        AtomicLong ml = new AtomicLong();
        AtomicInteger mi = new AtomicInteger();
        for (int round = 0; round < 3_000; round++) {
            int ops = 1 + random.nextInt(6);
            long[] args = new long[ops];
            int[] kinds = new int[ops];
            for (int i = 0; i < ops; i++) {
                kinds[i] = random.nextInt(12);
                args[i] = LONGS[random.nextInt(LONGS.length)] + random.nextInt(3) - 1;
            }
            boolean abort = random.nextInt(8) == 0;
            long expectL = ml.get();
            int expectI = mi.get();
            long[] expectResults = new long[ops];
            for (int i = 0; i < ops; i++) {
                long a = args[i];
                int ai = (int) a;
                switch (kinds[i]) {
                    case 0 -> { expectL += a; expectI += ai; expectResults[i] = 0; }
                    case 1 -> { expectResults[i] = expectL + expectI; }
                    case 2 -> { expectL = a; expectI = ai; expectResults[i] = 0; }
                    case 3 -> { expectResults[i] = expectL; expectL++; expectI--; }
                    case 4 -> { expectL *= 3; expectI *= 3; expectResults[i] = 0; }
                    case 5 -> { expectL -= a; expectI -= ai; expectResults[i] = expectL + expectI; }
                    case 6 -> { expectResults[i] = expectL; expectL = a; expectI = ai; }
                    case 7 -> { expectResults[i] = (expectL == a ? 1 : 0); if (expectL == a) { expectL = a + 1; } }
                    case 8 -> { expectL++; expectI++; expectResults[i] = 0; }
                    case 9 -> { expectL--; expectI--; expectResults[i] = expectL; }
                    case 10 -> { expectResults[i] = expectI; expectI = expectI + ai; }
                    default -> { expectL = expectL ^ a; expectResults[i] = 0; }
                }
            }
            long[] results = new long[ops];
            try {
                Stm.atomic(() -> {
                    for (int i = 0; i < ops; i++) {
                        long a = args[i];
                        int ai = (int) a;
                        switch (kinds[i]) {
                            case 0 -> { l.add(a); in.add(ai); results[i] = 0; }
                            case 1 -> results[i] = l.get() + in.get();
                            case 2 -> { l.set(a); in.atomic().set(ai); results[i] = 0; }
                            case 3 -> { results[i] = l.atomic().getAndIncrement(); in.decrement(); }
                            case 4 -> { l.commute(v -> v * 3); in.commute(v -> v * 3); results[i] = 0; }
                            case 5 -> { l.commuteAdd(-a); in.commuteAdd(-ai); results[i] = l.get() + in.get(); }
                            case 6 -> { results[i] = l.getAndSet(a); in.set(ai); }
                            case 7 -> results[i] = l.atomic().compareAndSet(a, a + 1) ? 1 : 0;
                            case 8 -> { l.increment(); in.atomic().incrementAndGet(); results[i] = 0; }
                            case 9 -> { l.decrement(); in.decrement(); results[i] = l.get(); }
                            case 10 -> results[i] = in.getAndAdd(ai);
                            default -> { l.update(v -> v ^ a); results[i] = 0; }
                        }
                    }
                    if (abort) {
                        throw new Planned("abort");
                    }
                });
            } catch (Planned expectedAbort) {
                assertTrue(abort);
            }
            String where = "seed=" + seed + " round " + round + " kinds=" + java.util.Arrays.toString(kinds)
                    + " args=" + java.util.Arrays.toString(args);
            if (!abort) {
                for (int i = 0; i < ops; i++) {
                    int k = i;
                    assertEquals(expectResults[i], results[i], () -> where + ": result of op " + k);
                }
                ml.set(expectL);
                mi.set(expectI);
            }
            assertEquals(ml.get(), l.atomic().get(), where);
            assertEquals(mi.get(), in.atomic().get(), where);
            assertTrue(in.atomic().compareAndSet(mi.get(), mi.get()), where + ": int encoding");
        }
    }

    // ------------------------------------------------------------------ irrevocable

    @Test
    void everyRefKindBehavesTheSameInAnIrrevocableTransaction() {
        TxnOptions irrevocable = TxnOptions.DEFAULT.withIrrevocable(true);
        for (long start : LONGS) {
            for (long x : LONGS) {
                for (LongOp op : longTxnOps(x)) {
                    AtomicLong jdk = new AtomicLong(start);
                    long expected = op.jdk.applyAsLong(jdk);
                    LongRef ref = new LongRef(start);
                    long actual = Stm.atomic(irrevocable, () -> op.weft.applyAsLong(ref));
                    assertEquals(expected, actual, op.name + " irrevocably from " + start);
                    assertEquals(jdk.get(), ref.atomic().get(), op.name + " irrevocably from " + start);
                }
            }
        }
        for (int start : INTS) {
            for (int x : INTS) {
                for (IntOp op : intTxnOps(x)) {
                    AtomicInteger jdk = new AtomicInteger(start);
                    int expected = op.jdk.applyAsInt(jdk);
                    IntRef ref = new IntRef(start);
                    int actual = Stm.atomic(irrevocable, () -> op.weft.applyAsInt(ref));
                    if (!op.name.endsWith("(commit)")) {
                        assertEquals(expected, actual, op.name + " irrevocably from " + start);
                    }
                    assertEquals(jdk.get(), ref.atomic().get(), op.name + " irrevocably from " + start);
                    assertTrue(ref.atomic().compareAndSet(jdk.get(), jdk.get()), op.name + ": int encoding");
                }
            }
        }
    }

    // ------------------------------------------------------------------ what counts as a read

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(BOUND_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not reached within " + BOUND_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Runs {@code body} as a transaction on another thread; after its first attempt has run
     * {@code body}, runs {@code meanwhile} on this thread, then lets the transaction commit.
     * Returns how many attempts it took.
     */
    static int attemptsWith(Runnable body, Runnable meanwhile) {
        CountDownLatch made = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger attempts = new AtomicInteger();
        FutureTask<Void> task = new FutureTask<>(() -> {
            Stm.atomic(() -> {
                int attempt = attempts.incrementAndGet();
                body.run();
                if (attempt == 1) {
                    made.countDown();
                    await(go);
                }
            });
            return null;
        });
        Thread thread = new Thread(task, "paused-transaction");
        thread.setDaemon(true);
        thread.start();
        await(made);
        try {
            meanwhile.run();
        } finally {
            go.countDown();
        }
        try {
            task.get(BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the paused transaction failed or hangs: " + e, e);
        }
        return attempts.get();
    }

    @Test
    void blindWritesAndCommutesAreNotInvalidatedByOtherCommitsToTheRef() {
        LongRef l = new LongRef(10);
        IntRef in = new IntRef(10);
        DoubleRef d = new DoubleRef(10);
        Ref<String> r = new Ref<>("s");
        BooleanRef b = new BooleanRef();
        Runnable others = () -> {
            l.atomic().incrementAndGet();
            Stm.atomic(() -> l.set(l.get() + 1));
            in.atomic().getAndAdd(5);
            Stm.atomic(() -> in.increment());
            d.atomic().addAndGet(1);
            r.atomic().updateAndGet(v -> v + "o");
            b.atomic().getAndToggle();
        };
        String[] names = {"LongRef.set", "LongRef.add", "LongRef.increment", "LongRef.commuteAdd", "LongRef.commute",
            "IntRef.set", "IntRef.add", "IntRef.decrement", "IntRef.commute", "DoubleRef.set", "DoubleRef.commute",
            "Ref.set", "Ref.commute", "BooleanRef.set", "LongRef.atomic().set", "Ref.atomic().set"};
        for (String name : names) {
            long l0 = l.atomic().get();
            int i0 = in.atomic().get();
            double d0 = d.atomic().get();
            String r0 = r.atomic().get();
            Runnable body = switch (name) {
                case "LongRef.set" -> () -> l.set(-5);
                case "LongRef.add" -> () -> l.add(100);
                case "LongRef.increment" -> l::increment;
                case "LongRef.commuteAdd" -> () -> l.commuteAdd(100);
                case "LongRef.commute" -> () -> l.commute(v -> v * 2);
                case "IntRef.set" -> () -> in.set(-5);
                case "IntRef.add" -> () -> in.add(100);
                case "IntRef.decrement" -> in::decrement;
                case "IntRef.commute" -> () -> in.commute(v -> v * 2);
                case "DoubleRef.set" -> () -> d.set(-5);
                case "DoubleRef.commute" -> () -> d.commute(v -> v * 2);
                case "Ref.set" -> () -> r.set("mine");
                case "Ref.commute" -> () -> r.commute(v -> v + "!");
                case "BooleanRef.set" -> () -> b.set(true);
                case "LongRef.atomic().set" -> () -> l.atomic().set(-6);
                default -> () -> r.atomic().set("view");
            };
            int attempts = attemptsWith(body, others);
            assertEquals(1, attempts, name + ": a blind write or commute was invalidated by another commit");
            switch (name) {
                case "LongRef.set" -> assertEquals(-5, l.atomic().get(), name);
                case "LongRef.add", "LongRef.commuteAdd" -> assertEquals(l0 + 2 + 100, l.atomic().get(), name);
                case "LongRef.increment" -> assertEquals(l0 + 3, l.atomic().get(), name);
                case "LongRef.commute" -> assertEquals((l0 + 2) * 2, l.atomic().get(), name);
                case "IntRef.set" -> assertEquals(-5, in.atomic().get(), name);
                case "IntRef.add" -> assertEquals(i0 + 6 + 100, in.atomic().get(), name);
                case "IntRef.decrement" -> assertEquals(i0 + 5, in.atomic().get(), name);
                case "IntRef.commute" -> assertEquals((i0 + 6) * 2, in.atomic().get(), name);
                case "DoubleRef.set" -> assertEquals(-5.0, d.atomic().get(), name);
                case "DoubleRef.commute" -> assertEquals((d0 + 1) * 2, d.atomic().get(), name);
                case "Ref.set" -> assertEquals("mine", r.atomic().get(), name);
                case "Ref.commute" -> assertEquals(r0 + "o!", r.atomic().get(), name);
                case "BooleanRef.set" -> assertTrue(b.atomic().get(), name);
                case "LongRef.atomic().set" -> assertEquals(-6, l.atomic().get(), name);
                default -> assertEquals("view", r.atomic().get(), name);
            }
        }
    }

    @Test
    void aReadAfterACommuteMakesTheRefReadSoAConflictingCommitRunsItAgainWithoutLosingAnything() {
        LongRef l = new LongRef(0);
        long[] seen = new long[1];
        int attempts = attemptsWith(() -> {
            l.add(1);
            seen[0] = l.get();
        }, () -> l.atomic().incrementAndGet());
        assertEquals(2, attempts, "the read after the commute did not count as a read");
        assertEquals(2, l.atomic().get());
        assertEquals(2, seen[0]);

        Ref<String> r = new Ref<>("a");
        String[] seenR = new String[1];
        attempts = attemptsWith(() -> {
            r.commute(v -> v + "c");
            seenR[0] = r.get();
        }, () -> r.atomic().set("b"));
        assertEquals(2, attempts);
        assertEquals("bc", r.atomic().get());
        assertEquals("bc", seenR[0]);
    }

    @Test
    void aFailedCompareAndSetWritesNothingThatInvalidatesAReader() {
        LongRef l = new LongRef(1);
        IntRef in = new IntRef(1);
        DoubleRef d = new DoubleRef(Double.NaN);
        BooleanRef b = new BooleanRef(true);
        Ref<String> r = new Ref<>(new String("r"));
        LongRef out = new LongRef();
        int attempts = attemptsWith(() -> {
            long sum = l.get() + in.get() + (long) d.get() + (b.get() ? 1 : 0) + r.get().length();
            out.set(sum);
        }, () -> {
            assertFalse(l.atomic().compareAndSet(2, 3));
            assertFalse(in.atomic().compareAndSet(2, 3));
            assertFalse(d.atomic().compareAndSet(Double.longBitsToDouble(0x7ff8_0000_0000_0001L), 3));
            assertFalse(d.atomic().compareAndSet(-0.0, 3));
            assertFalse(b.atomic().compareAndSet(false, false));
            assertFalse(r.atomic().compareAndSet(new String("r"), "x"));
            assertFalse(Stm.atomicBoolean(() -> l.atomic().compareAndSet(5, 6)));
        });
        assertEquals(1, attempts, "a failed compareAndSet invalidated a reader of the ref");
        assertEquals(4, out.atomic().get());
        TxnOptions readOnly = TxnOptions.DEFAULT.withReadOnly(true);
        assertFalse(Stm.atomic(readOnly, () -> l.atomic().compareAndSet(7, 8)),
                "a failed compareAndSet is a write in a read-only transaction");
        assertThrows(IllegalStateException.class, () -> Stm.atomic(readOnly, () -> l.atomic().getAndSet(8)));
        assertEquals(1, l.atomic().get());
    }

    @Test
    void oneOperationUpdatesOfARefAnIrrevocableTransactionReservedWaitAndSerializeAfterIt() throws Exception {
        TxnOptions irrevocable = TxnOptions.DEFAULT.withIrrevocable(true);
        LongRef l = new LongRef(100);
        IntRef in = new IntRef(100);
        Ref<String> r = new Ref<>("a");
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        FutureTask<Void> irrevocableTask = new FutureTask<>(() -> {
            Stm.atomic(irrevocable, () -> {
                long v = l.get();
                int i = in.get();
                String s = r.get();
                read.countDown();
                await(go);
                l.set(v * 2);
                in.set(i * 2);
                r.set(s + "i");
            });
            return null;
        });
        Thread thread = new Thread(irrevocableTask, "irrevocable");
        thread.setDaemon(true);
        thread.start();
        await(read);
        // reads and failing CASes do not wait
        assertEquals(100, onOtherThread("view-get", () -> l.atomic().get()));
        assertFalse(onOtherThread("view-failing-cas", () -> in.atomic().compareAndSet(5, 6)));
        FutureTask<long[]> updater = new FutureTask<>(() -> new long[] {
            l.atomic().getAndIncrement(), in.atomic().addAndGet(1), r.atomic().getAndUpdate(v -> v + "u").length(),
        });
        Thread updaterThread = new Thread(updater, "one-op-updater");
        updaterThread.setDaemon(true);
        updaterThread.start();
        Thread.sleep(50); // give the updater time to (wrongly) go ahead
        assertFalse(updater.isDone(), "a one-operation update did not wait for the reservation");
        go.countDown();
        irrevocableTask.get(BOUND_SECONDS, TimeUnit.SECONDS);
        long[] got = updater.get(BOUND_SECONDS, TimeUnit.SECONDS);
        assertEquals(200, got[0], "the update did not serialize after the irrevocable transaction");
        assertEquals(201, got[1]);
        assertEquals(2, got[2]);
        assertEquals(201, l.atomic().get());
        assertEquals(201, in.atomic().get());
        assertEquals("aiu", r.atomic().get());
    }

    // ------------------------------------------------------------------ retry wake-ups

    @Test
    void aTransactionBlockedInRetryIsWokenByEveryKindOfOneOperationUpdate() {
        List<String> kinds = List.of("long.set", "long.getAndSet", "long.cas", "long.incrementAndGet",
                "long.getAndAdd", "long.updateAndGet", "long.accumulateAndGet", "long.commuteAdd", "long.commute",
                "int.set", "int.getAndDecrement", "int.cas", "int.commuteAdd", "int.commute",
                "double.set(-0.0)", "double.getAndSet(NaN)", "double.cas", "double.addAndGet", "double.commute",
                "boolean.getAndToggle", "boolean.set", "boolean.cas", "ref.set(null)", "ref.getAndSet", "ref.cas",
                "ref.commute", "ref.getAndUpdate");
        for (String kind : kinds) {
            LongRef l = new LongRef(0);
            IntRef in = new IntRef(0);
            DoubleRef d = new DoubleRef(0.0);
            BooleanRef b = new BooleanRef(false);
            String initial = "initial";
            Ref<String> r = new Ref<>(initial);
            CountDownLatch started = new CountDownLatch(1);
            FutureTask<String> waiter = new FutureTask<>(() -> Stm.atomic(() -> {
                started.countDown();
                boolean changed = l.get() != 0 || in.get() != 0 || raw(d.get()) != raw(0.0) || b.get()
                        || r.get() != initial;
                if (!changed) {
                    Stm.retry();
                }
                return kind;
            }));
            Thread thread = new Thread(waiter, "waiter-" + kind);
            thread.setDaemon(true);
            thread.start();
            await(started);
            for (int i = 0; i < 200 && thread.getState() != Thread.State.WAITING
                    && thread.getState() != Thread.State.TIMED_WAITING; i++) {
                Thread.onSpinWait();
                Thread.yield();
            }
            switch (kind) {
                case "long.set" -> l.atomic().set(1);
                case "long.getAndSet" -> l.atomic().getAndSet(1);
                case "long.cas" -> assertTrue(l.atomic().compareAndSet(0, 1));
                case "long.incrementAndGet" -> l.atomic().incrementAndGet();
                case "long.getAndAdd" -> l.atomic().getAndAdd(-1);
                case "long.updateAndGet" -> l.atomic().updateAndGet(v -> v - 1);
                case "long.accumulateAndGet" -> l.atomic().accumulateAndGet(4, Long::sum);
                case "long.commuteAdd" -> l.commuteAdd(1);
                case "long.commute" -> l.commute(v -> 9);
                case "int.set" -> in.atomic().set(1);
                case "int.getAndDecrement" -> in.atomic().getAndDecrement();
                case "int.cas" -> assertTrue(in.atomic().compareAndSet(0, Integer.MIN_VALUE));
                case "int.commuteAdd" -> in.commuteAdd(1);
                case "int.commute" -> in.commute(v -> v - 1);
                case "double.set(-0.0)" -> d.atomic().set(-0.0);
                case "double.getAndSet(NaN)" -> d.atomic().getAndSet(Double.NaN);
                case "double.cas" -> assertTrue(d.atomic().compareAndSet(0.0, -0.0));
                case "double.addAndGet" -> d.atomic().addAndGet(1.5);
                case "double.commute" -> d.commute(v -> -v);
                case "boolean.getAndToggle" -> b.atomic().getAndToggle();
                case "boolean.set" -> b.atomic().set(true);
                case "boolean.cas" -> assertTrue(b.atomic().compareAndSet(false, true));
                case "ref.set(null)" -> r.atomic().set(null);
                case "ref.getAndSet" -> r.atomic().getAndSet(new String(initial));
                case "ref.cas" -> assertTrue(r.atomic().compareAndSet(initial, "x"));
                case "ref.commute" -> r.commute(v -> v + "!");
                default -> r.atomic().getAndUpdate(v -> null);
            }
            try {
                assertEquals(kind, waiter.get(BOUND_SECONDS, TimeUnit.SECONDS));
            } catch (TimeoutException e) {
                thread.interrupt();
                fail(kind + ": a transaction blocked in retry() was not woken by the one-operation update");
            } catch (Exception e) {
                throw new AssertionError(kind + ": the waiter failed: " + e, e);
            }
        }
    }

    // ------------------------------------------------------------------ big logs, nested scopes

    @Test
    void randomTransactionsOverManyRefsWithNestedScopesMatchAModel() {
        long seed = seed("randomTransactionsOverManyRefsWithNestedScopesMatchAModel");
        Random random = new Random(seed);
        int n = 300;
        LongRef[] longs = new LongRef[n];
        IntRef[] ints = new IntRef[n];
        Ref<Long>[] objs = newRefArray(n);
        long[] ml = new long[n];
        int[] mi = new int[n];
        Long[] mo = new Long[n];
        for (int i = 0; i < n; i++) {
            longs[i] = new LongRef(i);
            ints[i] = new IntRef(-i);
            objs[i] = new Ref<>(i % 5 == 0 ? null : (long) i);
            ml[i] = i;
            mi[i] = -i;
            mo[i] = objs[i].atomic().get();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        int round = 0;
        while (System.nanoTime() - deadline < 0 && round < 2_000) {
            round++;
            int span = 1 + random.nextInt(random.nextBoolean() ? 8 : n);
            int ops = 1 + random.nextInt(40);
            long opSeed = random.nextLong();
            boolean abort = random.nextInt(10) == 0;
            long[] tl = ml.clone();
            int[] ti = mi.clone();
            Long[] to = mo.clone();
            // the model: run the same script on plain arrays
            runScript(new Random(opSeed), ops, span, new ModelTarget(tl, ti, to), 0);
            String where = "seed=" + seed + " round=" + round;
            try {
                Stm.atomic(() -> {
                    runScript(new Random(opSeed), ops, span, new RefTarget(longs, ints, objs, where), 0);
                    if (abort) {
                        throw new Planned("abort");
                    }
                });
            } catch (Planned p) {
                assertTrue(abort, where);
            }
            if (!abort) {
                ml = tl;
                mi = ti;
                mo = to;
            }
            for (int i = 0; i < n; i++) {
                int k = i;
                assertEquals(ml[i], longs[i].atomic().get(), () -> where + " long " + k);
                assertEquals(mi[i], ints[i].atomic().get(), () -> where + " int " + k);
                assertEquals(mo[i], objs[i].atomic().get(), () -> where + " ref " + k);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Ref<Long>[] newRefArray(int n) {
        return (Ref<Long>[]) new Ref<?>[n];
    }

    /** What a script does to refs, so the same script runs against refs and against the model. */
    interface Target {
        long getL(int i);
        void setL(int i, long v);
        void addL(int i, long d);
        void commuteL(int i, long mul);
        long getAndAddL(int i, long d);
        int getI(int i);
        void addI(int i, int d);
        void commuteI(int i, int mul);
        int getAndSetI(int i, int v);
        Long getO(int i);
        void setO(int i, Long v);
        void commuteO(int i, long d);
        /** Runs {@code scope} as a nested scope that throws at its end when {@code fail}. */
        void nested(boolean fail, Runnable scope);
        void check(String what, long expected, long actual);
    }

    static void runScript(Random random, int ops, int span, Target t, int depth) {
        for (int k = 0; k < ops; k++) {
            int i = random.nextInt(span);
            long v = random.nextInt(7) - 3 + (random.nextInt(20) == 0 ? Long.MAX_VALUE : 0);
            int op = random.nextInt(depth < 2 ? 14 : 13);
            switch (op) {
                case 0 -> t.check("getL", 0, t.getL(i) * 0);
                case 1 -> t.setL(i, v);
                case 2 -> t.addL(i, v);
                case 3 -> t.commuteL(i, v | 1);
                case 4 -> t.check("getAndAddL", 0, t.getAndAddL(i, v) * 0);
                case 5 -> t.getI(i);
                case 6 -> t.addI(i, (int) v);
                case 7 -> t.commuteI(i, (int) v | 1);
                case 8 -> t.getAndSetI(i, (int) v);
                case 9 -> t.getO(i);
                case 10 -> t.setO(i, random.nextBoolean() ? null : v);
                case 11 -> t.commuteO(i, v);
                case 12 -> t.addL(i, 1);
                default -> {
                    boolean fail = random.nextInt(3) == 0;
                    int inner = 1 + random.nextInt(10);
                    long innerSeed = random.nextLong();
                    t.nested(fail, () -> runScript(new Random(innerSeed), inner, span, t, depth + 1));
                }
            }
        }
    }

    static final class ModelTarget implements Target {
        long[] l;
        int[] in;
        Long[] o;

        ModelTarget(long[] l, int[] in, Long[] o) {
            this.l = l;
            this.in = in;
            this.o = o;
        }

        public long getL(int i) { return l[i]; }
        public void setL(int i, long v) { l[i] = v; }
        public void addL(int i, long d) { l[i] += d; }
        public void commuteL(int i, long mul) { l[i] *= mul; }
        public long getAndAddL(int i, long d) { long p = l[i]; l[i] += d; return p; }
        public int getI(int i) { return in[i]; }
        public void addI(int i, int d) { in[i] += d; }
        public void commuteI(int i, int mul) { in[i] *= mul; }
        public int getAndSetI(int i, int v) { int p = in[i]; in[i] = v; return p; }
        public Long getO(int i) { return o[i]; }
        public void setO(int i, Long v) { o[i] = v; }
        public void commuteO(int i, long d) { o[i] = o[i] == null ? Long.valueOf(d) : (d == 0 ? null : o[i] + d); }

        public void nested(boolean fail, Runnable scope) {
            long[] sl = l.clone();
            int[] si = in.clone();
            Long[] so = o.clone();
            scope.run();
            if (fail) {
                System.arraycopy(sl, 0, l, 0, l.length);
                System.arraycopy(si, 0, in, 0, in.length);
                System.arraycopy(so, 0, o, 0, o.length);
            }
        }

        public void check(String what, long expected, long actual) {}
    }

    /** Runs a script on refs inside the running transaction and checks every value it reads. */
    static final class RefTarget implements Target {
        final LongRef[] l;
        final IntRef[] in;
        final Ref<Long>[] o;
        final String where;
        final ModelTarget shadow;

        RefTarget(LongRef[] l, IntRef[] in, Ref<Long>[] o, String where) {
            this.l = l;
            this.in = in;
            this.o = o;
            this.where = where;
            long[] sl = new long[l.length];
            int[] si = new int[l.length];
            Long[] so = new Long[l.length];
            for (int i = 0; i < l.length; i++) { // the committed state, read outside the transaction
                sl[i] = Long.parseLong(strip(l[i].atomic().toString()));
                si[i] = Integer.parseInt(strip(in[i].atomic().toString()));
                String os = strip(o[i].atomic().toString());
                so[i] = os.equals("null") ? null : Long.valueOf(os);
            }
            shadow = new ModelTarget(sl, si, so);
        }

        static String strip(String s) {
            return s.substring(s.indexOf('[') + 1, s.length() - 1);
        }

        public long getL(int i) {
            long v = (i & 1) == 0 ? l[i].get() : l[i].atomic().get();
            check("getL " + i, shadow.getL(i), v);
            return v;
        }
        public void setL(int i, long v) {
            if ((i & 1) == 0) { l[i].set(v); } else { l[i].atomic().set(v); }
            shadow.setL(i, v);
        }
        public void addL(int i, long d) {
            switch (i % 3) {
                case 0 -> l[i].add(d);
                case 1 -> l[i].commuteAdd(d);
                default -> l[i].addAndGet(d);
            }
            shadow.addL(i, d);
        }
        public void commuteL(int i, long mul) { l[i].commute(v -> v * mul); shadow.commuteL(i, mul); }
        public long getAndAddL(int i, long d) {
            long v = (i & 1) == 0 ? l[i].getAndAdd(d) : l[i].atomic().getAndAdd(d);
            check("getAndAddL " + i, shadow.getAndAddL(i, d), v);
            return v;
        }
        public int getI(int i) {
            int v = in[i].get();
            check("getI " + i, shadow.getI(i), v);
            return v;
        }
        public void addI(int i, int d) {
            if ((i & 1) == 0) { in[i].add(d); } else { in[i].commuteAdd(d); }
            shadow.addI(i, d);
        }
        public void commuteI(int i, int mul) { in[i].commute(v -> v * mul); shadow.commuteI(i, mul); }
        public int getAndSetI(int i, int v) {
            int p = (i & 1) == 0 ? in[i].getAndSet(v) : in[i].atomic().getAndSet(v);
            check("getAndSetI " + i, shadow.getAndSetI(i, v), p);
            return p;
        }
        public Long getO(int i) {
            Long v = o[i].get();
            if (!java.util.Objects.equals(shadow.getO(i), v)) {
                throw new AssertionError(where + ": getO " + i + " expected " + shadow.getO(i) + " but was " + v);
            }
            return v;
        }
        public void setO(int i, Long v) { o[i].set(v); shadow.setO(i, v); }
        public void commuteO(int i, long d) {
            o[i].commute(x -> x == null ? Long.valueOf(d) : (d == 0 ? null : x + d));
            shadow.commuteO(i, d);
        }
        public void nested(boolean fail, Runnable scope) {
            long[] sl = shadow.l.clone();
            int[] si = shadow.in.clone();
            Long[] so = shadow.o.clone();
            try {
                Stm.atomic(() -> {
                    scope.run();
                    if (fail) {
                        throw new Planned("nested");
                    }
                });
                assertFalse(fail, where + ": a failing nested scope returned normally");
            } catch (Planned p) {
                assertTrue(fail, where);
                shadow.l = sl;
                shadow.in = si;
                shadow.o = so;
            }
        }
        public void check(String what, long expected, long actual) {
            if (expected != actual) {
                throw new AssertionError(where + ": " + what + " expected " + expected + " but was " + actual);
            }
        }
    }

    // ------------------------------------------------------------------ toString at commit

    /**
     * A commute function that formats its own ref ({@code toString}, say for a log line) runs
     * while the commit holds that ref's lock. toString never joins a transaction and reads the
     * latest committed value; semantics.md promises, for a commute function that reads a ref the
     * commit holds, an IllegalStateException with nothing left locked. Either outcome is
     * acceptable here (the committed value, or a clean exception); a hang is not.
     */
    // Regression (session 17): a commute function that calls its own ref's toString() hangs its commit forever (self-deadlock on the ref's commit lock)
    @Test
    void aCommuteFunctionThatFormatsItsOwnRefDoesNotHangTheCommit() {
        LongRef l = new LongRef(5);
        Ref<String> r = new Ref<>("s");
        Throwable outcome = onOtherThread("toString-in-commute", 3, () -> {
            try {
                Stm.atomic(() -> l.commute(v -> v + l.toString().length()));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        assertTrue(outcome == null || outcome instanceof IllegalStateException, "got " + outcome);
        long expected = outcome == null ? 5 + "LongRef[5]".length() : 5;
        assertEquals(expected, l.atomic().get());
        assertEquals(expected, onOtherThread("writer-after", () -> l.atomic().incrementAndGet()) - 1);
        Throwable viaView = onOtherThread("view-toString-in-commute", 3, () -> {
            try {
                Stm.atomic(() -> r.commute(v -> v + r.atomic().toString()));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        assertTrue(viaView == null || viaView instanceof IllegalStateException, "got " + viaView);
        onOtherThread("ref-writer-after", () -> r.atomic().getAndSet("t"));
    }

    // ------------------------------------------------------------------ irrevocable and hooks

    @Test
    void oneOperationUpdatesFromHooksAndWaitersOfIrrevocableTransactionsNeverWaitForThemselves() {
        TxnOptions irrevocable = TxnOptions.DEFAULT.withIrrevocable(true);
        LongRef x = new LongRef(0);
        LongRef y = new LongRef(0);
        // (a) an irrevocable transaction that retries on a ref it read is woken by a one-op write
        CountDownLatch started = new CountDownLatch(1);
        FutureTask<Long> waiter = new FutureTask<>(() -> Stm.atomic(irrevocable, () -> {
            started.countDown();
            long v = x.get();
            if (v == 0) {
                Stm.retry();
            }
            return v;
        }));
        Thread thread = new Thread(waiter, "irrevocable-waiter");
        thread.setDaemon(true);
        thread.start();
        await(started);
        onOtherThread("one-op-writer-of-a-retrying-irrevocable-ref", 5, () -> x.atomic().getAndSet(7));
        try {
            assertEquals(7L, waiter.get(BOUND_SECONDS, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new AssertionError("the irrevocable waiter: " + e, e);
        }
        // (b) its afterRollback hook updates a ref it reserved, on the same thread
        Throwable t = onOtherThread("after-rollback-of-irrevocable", 5, () -> {
            try {
                Stm.atomic(irrevocable, () -> {
                    x.get();
                    y.set(y.get() + 100);
                    Stm.afterRollback(() -> {
                        x.atomic().incrementAndGet();
                        y.atomic().incrementAndGet();
                    });
                    throw new Planned("roll back");
                });
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        assertTrue(t instanceof Planned, "got " + t);
        assertEquals(8, x.atomic().get());
        assertEquals(1, y.atomic().get());
        // (c) its afterCommit hook updates refs it read and wrote
        onOtherThread("after-commit-of-irrevocable", 5, () -> {
            Stm.atomic(irrevocable, () -> {
                y.set(x.get());
                Stm.afterCommit(() -> {
                    x.atomic().incrementAndGet();
                    y.commuteAdd(1);
                });
            });
            return null;
        });
        assertEquals(9, x.atomic().get());
        assertEquals(9, y.atomic().get());
        // (d) a one-op update from its beforeCommit hook joins it
        long got = onOtherThread("before-commit-of-irrevocable", 5, () -> Stm.atomic(irrevocable, () -> {
            long v = x.get();
            Stm.beforeCommit(() -> x.atomic().addAndGet(10));
            return v;
        }));
        assertEquals(9, got);
        assertEquals(19, x.atomic().get());
    }

    // ------------------------------------------------------------------ read-only transactions

    @Test
    void inAReadOnlyTransactionEveryWriteOrCommuteIsRefusedAndReadsAndFailedComparesWork() {
        TxnOptions readOnly = TxnOptions.DEFAULT.withReadOnly(true);
        LongRef l = new LongRef(1);
        IntRef in = new IntRef(1);
        DoubleRef d = new DoubleRef(1);
        BooleanRef b = new BooleanRef(true);
        Ref<String> r = new Ref<>("1");
        List<Runnable> writes = List.of(() -> l.set(2), () -> l.add(1), l::increment, () -> l.commuteAdd(1),
                () -> l.commute(v -> v), () -> l.atomic().set(2), () -> l.atomic().incrementAndGet(),
                () -> l.atomic().compareAndSet(1, 1), () -> l.atomic().updateAndGet(v -> v), () -> in.add(1),
                () -> in.commute(v -> v), () -> in.atomic().getAndAdd(0), () -> d.commute(v -> v), () -> d.add(0),
                () -> d.atomic().addAndGet(0), () -> b.toggle(), () -> b.atomic().getAndToggle(),
                () -> b.atomic().compareAndSet(true, true), () -> r.commute(v -> v), () -> r.atomic().getAndSet("1"),
                () -> r.update(v -> v));
        for (int i = 0; i < writes.size(); i++) {
            Runnable write = writes.get(i);
            int k = i;
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Stm.atomic(readOnly, write),
                    () -> "write " + k + " in a read-only transaction");
            assertTrue(String.valueOf(e.getMessage()).contains("read-only"), () -> "write " + k + ": " + e.getMessage());
            assertFalse(Stm.inTransaction());
        }
        long sum = Stm.atomic(readOnly, () -> {
            assertFalse(l.atomic().compareAndSet(5, 6));
            assertFalse(in.atomic().compareAndSet(5, 6));
            assertFalse(d.atomic().compareAndSet(-1, 6));
            assertFalse(b.atomic().compareAndSet(false, false));
            assertFalse(r.atomic().compareAndSet(new String("1"), "6"));
            return l.get() + in.atomic().get() + (long) d.get() + (b.atomic().get() ? 1 : 0) + r.get().length();
        });
        assertEquals(5, sum);
        assertEquals(1, l.atomic().get());
        assertEquals(1, in.atomic().get());
        assertEquals(1.0, d.atomic().get());
        assertTrue(b.atomic().get());
        assertEquals("1", r.atomic().get());
    }

    // ------------------------------------------------------------------ nested scopes

    @Test
    void commutesSetsAndViewWritesInRolledBackScopesAndOrElseBranchesAreUndoneExactly() {
        LongRef l = new LongRef(10);
        IntRef in = new IntRef(10);
        Ref<String> r = new Ref<>("r");
        DoubleRef d = new DoubleRef(1);
        long seen = Stm.atomicLong(() -> {
            l.add(5);                 // pending commute
            in.set(3);                // plain write
            r.commute(v -> v + "1");  // pending function
            assertThrows(Planned.class, () -> Stm.atomic(() -> {
                l.set(0);             // replaces the commute in the scope
                l.add(7);
                in.add(4);            // applied to the plain write
                in.commute(v -> v * 100);
                r.set("gone");
                r.commute(v -> v + "2");
                d.commute(v -> v * 8);
                throw new Planned("scope");
            }));
            Stm.orElse(() -> {
                l.atomic().getAndAdd(1000);
                in.atomic().set(-1);
                r.commute(v -> v + "3");
                assertEquals(1015, l.get());
                Stm.retry();
            }, () -> {
                in.increment();
                r.commute(v -> v + "4");
            });
            return l.get();
        });
        assertEquals(15, seen);
        assertEquals(15, l.atomic().get());
        assertEquals(4, in.atomic().get());
        assertEquals("r14", r.atomic().get());
        assertEquals(1.0, d.atomic().get());
    }

    @Test
    void viewWritesInsideANestedScopeThatThrowsAreRolledBackWithIt() {
        LongRef l = new LongRef(1);
        IntRef in = new IntRef(1);
        DoubleRef d = new DoubleRef(1);
        BooleanRef b = new BooleanRef(false);
        Ref<String> r = new Ref<>("1");
        Stm.atomic(() -> {
            l.atomic().set(2);
            in.add(1);
            r.commute(v -> v + "a");
            Planned p = assertThrows(Planned.class, () -> Stm.atomic(() -> {
                l.atomic().incrementAndGet();
                l.commuteAdd(10);
                in.atomic().getAndAdd(100);
                in.add(5);
                d.atomic().addAndGet(5);
                b.atomic().getAndToggle();
                r.atomic().getAndUpdate(v -> v + "nested");
                r.commute(v -> v + "c");
                throw new Planned("nested");
            }));
            assertEquals("nested", p.getMessage());
            assertEquals(2, l.get());
            assertEquals(2, in.get());
            assertEquals(1.0, d.get());
            assertFalse(b.get());
            assertEquals("1a", r.get());
            in.add(1);
        });
        assertEquals(2, l.atomic().get());
        assertEquals(3, in.atomic().get());
        assertEquals(1.0, d.atomic().get());
        assertFalse(b.atomic().get());
        assertEquals("1a", r.atomic().get());
    }
}
