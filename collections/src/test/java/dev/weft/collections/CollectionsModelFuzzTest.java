package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import dev.weft.stm.TxnOptions;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model-based differential fuzzing of every transactional collection against its
 * {@code java.util} counterpart: random operation sequences over the in-transaction methods and
 * the whole {@code java.util} view API (bulk calls, iterators with {@code remove}, navigation,
 * sub-views, the compute family, {@code toArray}, {@code equals}/{@code hashCode}), grouped into
 * transactions of random length. A random fraction of the transactions throws out of its body
 * after doing work, runs a nested {@code atomic} that throws and is caught, or an
 * {@code orElse} whose first alternative retries after writing: the model then takes only what
 * committed. The whole state is compared with the model after every transaction (and inside
 * transactions now and then), every result and every exception class after every call.
 *
 * <p>Documented deviations from {@code java.util} are modelled, not reported: bulk calls are all
 * or nothing (a null element, a key outside a sub-map's range, a replaceAll function returning
 * null, a bounded addAll that does not fit: the exception and no change, where {@code java.util}
 * changes part of the collection), entries of the sorted views write through on
 * {@code setValue}, sorted keys that the order cannot compare throw {@code ClassCastException}
 * also on an empty map. Every failure message names the test's seed and the index of the failing
 * operation, with the last operations before it.
 */
class CollectionsModelFuzzTest {

    private static final int OPS = Scale.of(3_000);
    /** -Dweft.fuzz.seeds=n adds n random seeds (printed in any failure) to every test's fixed ones. */
    private static final int EXTRA_SEEDS = Integer.getInteger("weft.fuzz.seeds", 0);
    /** -Dweft.fuzz.trace=true prints every operation. */
    private static final boolean TRACE = Boolean.getBoolean("weft.fuzz.trace");

    // ================================================================== the fuzzing machinery

    /** Thrown out of a transaction body (or a nested scope) to roll it back. */
    private static final class Abort extends RuntimeException {
        Abort() {
            super("deliberate abort", null, false, false);
        }
    }

    /** The seed, the operation counter and the last operations, for failure messages. */
    static final class Fuzz {
        final String name;
        final long seed;
        int op;
        private final ArrayDeque<String> recent = new ArrayDeque<>();

        Fuzz(String name, long seed) {
            this.name = name;
            this.seed = seed;
        }

        void note(String what) {
            op++;
            if (TRACE) {
                System.out.println(name + " #" + op + (Stm.inTransaction() ? " [tx] " : " ") + what);
            }
            recent.addLast("#" + op + (Stm.inTransaction() ? " [tx] " : " ") + what);
            if (recent.size() > 16) {
                recent.removeFirst();
            }
        }

        AssertionError failure(String message) {
            return new AssertionError(name + " (seed " + seed + "L) at operation #" + op + ": " + message
                    + "\n  last operations:\n    " + String.join("\n    ", recent));
        }

        void check(boolean ok, Supplier<String> message) {
            if (!ok) {
                throw failure(message.get());
            }
        }

        void equal(Object expected, Object actual, String what) {
            if (!Objects.equals(expected, actual)) {
                throw failure(what + ": expected <" + expected + "> but was <" + actual + ">");
            }
        }

        /** Runs the call on both sides and compares results, or exception classes. */
        void same(String what, Supplier<?> actual, Supplier<?> expected) {
            note(what);
            Object e = outcome(expected);
            Object a = outcome(actual);
            if (!Objects.equals(e, a)) {
                throw failure(what + ": expected " + describe(e) + " but was " + describe(a));
            }
        }

        /** The call must throw {@code type}; checks nothing else (the state is compared later). */
        void throwsLike(String what, Class<? extends RuntimeException> type, Supplier<?> actual) {
            note(what);
            Object a = outcome(actual);
            if (a != type) {
                throw failure(what + ": expected " + type.getSimpleName() + " but was " + describe(a));
            }
        }

        /**
         * An in-transaction method: inside a transaction called directly; outside, first checked
         * to refuse to run without one (IllegalStateException), then run in a transaction of its own.
         */
        <T> T tx(Supplier<T> call) {
            if (Stm.inTransaction()) {
                return call.get();
            }
            try {
                call.get();
            } catch (IllegalStateException expected) {
                return Stm.atomic(call);
            }
            throw failure("an in-transaction method ran without a transaction instead of throwing IllegalStateException");
        }
    }

    private static String describe(Object o) {
        return o instanceof Class<?> c ? "exception " + c.getSimpleName() : "<" + o + ">";
    }

    /** A call's result (entries and arrays made comparable), or the class of its exception. */
    static Object outcome(Supplier<?> call) {
        try {
            return normalize(call.get());
        } catch (IndexOutOfBoundsException e) {
            return IndexOutOfBoundsException.class; // ArrayList and friends differ in the subclass
        } catch (Abort e) {
            throw e;
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }

    static Object normalize(Object result) {
        if (result instanceof Map.Entry<?, ?> e) {
            return new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue());
        }
        if (result instanceof Object[] array) {
            return Arrays.asList(array.clone());
        }
        return result;
    }

    @FunctionalInterface
    interface Step<A, M> {
        void run(A actual, M model, SplittableRandom random, Fuzz fuzz);
    }

    @FunctionalInterface
    interface StateCheck<A, M> {
        void check(A actual, M model, Fuzz fuzz, String where);
    }

    /** One collection under test, its model, how to copy the model, the operations, the state check. */
    record Spec<A, M>(String name, A actual, M model, UnaryOperator<M> copy, List<Step<A, M>> steps,
                      StateCheck<A, M> state) {}

    /** A mutable holder a transaction body can swap the model in. */
    private static final class Box<M> {
        M value;

        Box(M value) {
            this.value = value;
        }
    }

    private static <A, M> void runSteps(Spec<A, M> spec, M model, SplittableRandom random, Fuzz fuzz, int count) {
        for (int i = 0; i < count; i++) {
            Step<A, M> step = spec.steps().get(random.nextInt(spec.steps().size()));
            step.run(spec.actual(), model, random, fuzz);
            if (random.nextInt(6) == 0) {
                spec.state().check(spec.actual(), model, fuzz, Stm.inTransaction() ? "inside a transaction" : "outside");
            }
        }
    }

    /**
     * Runs {@code ops} operations of {@code spec} grouped as the seed says: single view calls
     * outside transactions, committed transactions, transactions that throw after working,
     * nested scopes that throw and are caught, nested scopes that commit, and orElse whose first
     * alternative works then retries. The model takes only what committed.
     */
    /** The given seeds, plus {@link #EXTRA_SEEDS} random ones. */
    static long[] seeds(long... fixed) {
        long[] all = Arrays.copyOf(fixed, fixed.length + EXTRA_SEEDS);
        SplittableRandom random = new SplittableRandom();
        for (int i = fixed.length; i < all.length; i++) {
            all[i] = random.nextLong();
        }
        return all;
    }

    static <A, M> void fuzz(Spec<A, M> spec, long seed, int ops) {
        Fuzz fuzz = new Fuzz(spec.name(), seed);
        SplittableRandom random = new SplittableRandom(seed);
        M model = spec.model();
        UnaryOperator<M> copy = spec.copy();
        while (fuzz.op < ops) {
            int mode = random.nextInt(24);
            int length = 1 + random.nextInt(8);
            long txSeed = random.nextLong();
            M start = model;
            String where;
            try {
                if (mode < 6) {
                    where = "after calls outside transactions";
                    SplittableRandom r = new SplittableRandom(txSeed);
                    for (int i = 0; i < length; i++) {
                        runSteps(spec, model, r, fuzz, 1);
                        spec.state().check(spec.actual(), model, fuzz, "after a call outside transactions");
                    }
                } else if (mode < 11) {
                    where = "after a committed transaction";
                    model = atomic(() -> {
                        SplittableRandom r = new SplittableRandom(txSeed);
                        M m = copy.apply(start);
                        runSteps(spec, m, r, fuzz, length);
                        return m;
                    });
                } else if (mode < 14) {
                    where = "after a transaction that threw";
                    try {
                        atomic(() -> {
                            SplittableRandom r = new SplittableRandom(txSeed);
                            M m = copy.apply(start);
                            runSteps(spec, m, r, fuzz, length);
                            throw new Abort();
                        });
                        throw fuzz.failure("the body's exception did not leave atomic");
                    } catch (Abort expected) {
                        // model unchanged
                    }
                } else if (mode < 16) {
                    where = "after a transaction with a nested scope that threw";
                    model = atomic(() -> {
                        SplittableRandom r = new SplittableRandom(txSeed);
                        Box<M> m = new Box<>(copy.apply(start));
                        runSteps(spec, m.value, r, fuzz, length);
                        M saved = copy.apply(m.value);
                        try {
                            atomic(() -> {
                                runSteps(spec, m.value, r, fuzz, 1 + r.nextInt(6));
                                throw new Abort();
                            });
                        } catch (Abort expected) {
                            m.value = saved;
                        }
                        spec.state().check(spec.actual(), m.value, fuzz, "inside, after a nested scope threw");
                        runSteps(spec, m.value, r, fuzz, r.nextInt(4));
                        return m.value;
                    });
                } else if (mode < 18) {
                    where = "after a transaction with an orElse whose first alternative retried";
                    model = atomic(() -> {
                        SplittableRandom r = new SplittableRandom(txSeed);
                        M m = copy.apply(start);
                        runSteps(spec, m, r, fuzz, length);
                        M before = m;
                        long firstSeed = r.nextLong();
                        long secondSeed = r.nextLong();
                        return Stm.orElse(() -> {
                            M m1 = copy.apply(before);
                            runSteps(spec, m1, new SplittableRandom(firstSeed), fuzz, 1 + (int) (firstSeed & 3));
                            spec.state().check(spec.actual(), m1, fuzz, "inside the first alternative");
                            Stm.retry();
                            throw fuzz.failure("retry() returned");
                        }, () -> {
                            M m2 = copy.apply(before);
                            spec.state().check(spec.actual(), m2, fuzz, "inside the second alternative, at its start");
                            runSteps(spec, m2, new SplittableRandom(secondSeed), fuzz, 1 + (int) (secondSeed & 3));
                            return m2;
                        });
                    });
                } else if (mode == 20) {
                    where = "after an irrevocable transaction";
                    model = atomic(TxnOptions.DEFAULT.withIrrevocable(true), () -> {
                        SplittableRandom r = new SplittableRandom(txSeed);
                        M m = copy.apply(start);
                        runSteps(spec, m, r, fuzz, length);
                        return m;
                    });
                } else if (mode == 21) {
                    where = "after a transaction whose beforeCommit hook worked too";
                    model = atomic(() -> {
                        SplittableRandom r = new SplittableRandom(txSeed);
                        M m = copy.apply(start);
                        runSteps(spec, m, r, fuzz, length);
                        Stm.beforeCommit(() -> runSteps(spec, m, r, fuzz, 1 + r.nextInt(4)));
                        return m;
                    });
                } else if (mode == 22) {
                    where = "after a transaction whose beforeCommit hook worked and threw";
                    try {
                        atomic(() -> {
                            SplittableRandom r = new SplittableRandom(txSeed);
                            M m = copy.apply(start);
                            runSteps(spec, m, r, fuzz, length);
                            Stm.beforeCommit(() -> {
                                runSteps(spec, m, r, fuzz, 1 + r.nextInt(4));
                                throw new Abort();
                            });
                        });
                        throw fuzz.failure("the hook's exception did not leave atomic");
                    } catch (Abort expected) {
                        // model unchanged
                    }
                } else if (mode == 23) {
                    where = "after a transaction and the calls of its afterCommit hook";
                    model = atomic(() -> {
                        SplittableRandom r = new SplittableRandom(txSeed);
                        M m = copy.apply(start);
                        runSteps(spec, m, r, fuzz, length);
                        // runs after the commit, outside the transaction: each call its own transaction
                        Stm.afterCommit(() -> runSteps(spec, m, new SplittableRandom(txSeed ^ 1), fuzz, 1 + (int) (txSeed & 3)));
                        return m;
                    });
                } else {
                    where = "after a transaction with a nested scope that committed";
                    model = atomic(() -> {
                        SplittableRandom r = new SplittableRandom(txSeed);
                        M m = copy.apply(start);
                        runSteps(spec, m, r, fuzz, length);
                        atomic(() -> runSteps(spec, m, r, fuzz, 1 + r.nextInt(5)));
                        runSteps(spec, m, r, fuzz, r.nextInt(3));
                        return m;
                    });
                }
            } catch (AssertionError e) {
                throw e;
            } catch (RuntimeException e) {
                AssertionError failure = fuzz.failure("unexpected exception " + e);
                failure.initCause(e);
                throw failure;
            }
            spec.state().check(spec.actual(), model, fuzz, where);
        }
    }

    // ================================================================== shared generators

    /** A pure function chosen by the random: removes, derives from the old value, or a constant. */
    private static BiFunction<Object, String, String> stringFunction(SplittableRandom r) {
        int kind = r.nextInt(4);
        String constant = "c" + r.nextInt(3);
        return switch (kind) {
            case 0 -> (k, v) -> null;
            case 1 -> (k, v) -> v == null ? "n" : (v.length() > 5 ? null : v + "+");
            case 2 -> (k, v) -> constant;
            default -> (k, v) -> v; // the same value back
        };
    }

    private static BiFunction<Object, Integer, Integer> intFunction(SplittableRandom r) {
        int kind = r.nextInt(4);
        int constant = r.nextInt(5);
        return switch (kind) {
            case 0 -> (k, v) -> null;
            case 1 -> (k, v) -> v == null ? 1 : (v > 9 ? null : v + 1);
            case 2 -> (k, v) -> constant;
            default -> (k, v) -> v;
        };
    }

    /** Applies {@code op} to a copy of the model and keeps the copy only if it did not throw: all or nothing. */
    private static <M> Object allOrNothing(M model, UnaryOperator<M> copy, Consumer<M> restore, Function<M, Object> op) {
        M scratch = copy.apply(model);
        Object result = op.apply(scratch);
        restore.accept(scratch);
        return result;
    }

    private static Map.Entry<Object, Object> entryOf(Map.Entry<?, ?> e) {
        return new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue());
    }

    private static List<Object> entriesOf(Iterable<? extends Map.Entry<?, ?>> entries) {
        List<Object> out = new ArrayList<>();
        for (Map.Entry<?, ?> e : entries) {
            out.add(entryOf(e));
        }
        return out;
    }

    /** Elements in a canonical order, for unordered collections. */
    private static List<String> sortedStrings(Collection<?> c) {
        return c.stream().map(String::valueOf).sorted().collect(Collectors.toList());
    }

    // ================================================================== TMap vs ConcurrentHashMap

    /** A key whose hash code groups 40 ids: colliding hashes beyond every leaf size of the trie. */
    record Collider(int id) {
        @Override
        public int hashCode() {
            return id / 40;
        }
    }

    static Spec<TMap<Object, String>, ConcurrentHashMap<Object, String>> tmapSpec(String name, int keys,
            IntFunction<Object> keyOf) {
        TMap<Object, String> map = new TMap<>();
        ConcurrentMap<Object, String> v = map.asMap();
        UnaryOperator<ConcurrentHashMap<Object, String>> copy = ConcurrentHashMap::new;
        Consumer<ConcurrentHashMap<Object, String>> noRestore = m -> { };
        Function<SplittableRandom, Object> key = r -> r.nextInt(80) == 0 ? null : keyOf.apply(r.nextInt(keys));
        Function<SplittableRandom, String> val = r -> r.nextInt(80) == 0 ? null : "v" + r.nextInt(4);
        List<Step<TMap<Object, String>, ConcurrentHashMap<Object, String>>> s = new ArrayList<>();
        // ---- the view: single-key calls (put-heavy so that the trie grows)
        for (int i = 0; i < 3; i++) {
            s.add((a, m, r, f) -> {
                Object k = key.apply(r);
                String x = val.apply(r);
                f.same("put " + k + "=" + x, () -> v.put(k, x), () -> m.put(k, x));
            });
        }
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            f.same("get " + k, () -> v.get(k), () -> m.get(k));
        });
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            f.same("getOrDefault " + k, () -> v.getOrDefault(k, "d"), () -> m.getOrDefault(k, "d"));
        });
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            f.same("containsKey " + k, () -> v.containsKey(k), () -> m.containsKey(k));
        });
        s.add((a, m, r, f) -> {
            String x = val.apply(r);
            f.same("containsValue " + x, () -> v.containsValue(x), () -> m.containsValue(x));
        });
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            String x = val.apply(r);
            f.same("putIfAbsent " + k + "=" + x, () -> v.putIfAbsent(k, x), () -> m.putIfAbsent(k, x));
        });
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            f.same("remove " + k, () -> v.remove(k), () -> m.remove(k));
        });
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            String x = val.apply(r);
            // ConcurrentHashMap.remove(k, null) is false, as the view's (a null value matches nothing)
            f.same("remove " + k + "," + x, () -> v.remove(k, x), () -> k == null ? m.remove(null, x) : m.remove(k, x));
        });
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            String x = val.apply(r);
            f.same("replace " + k + "=" + x, () -> v.replace(k, x), () -> m.replace(k, x));
        });
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            String o = val.apply(r);
            String x = val.apply(r);
            f.same("replace " + k + " " + o + "->" + x, () -> v.replace(k, o, x), () -> m.replace(k, o, x));
        });
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            BiFunction<Object, String, String> fn = stringFunction(r);
            f.same("compute " + k, () -> v.compute(k, fn), () -> m.compute(k, fn));
        });
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            BiFunction<Object, String, String> fn = stringFunction(r);
            f.same("computeIfAbsent " + k, () -> v.computeIfAbsent(k, kk -> fn.apply(kk, null)),
                    () -> m.computeIfAbsent(k, kk -> fn.apply(kk, null)));
        });
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            BiFunction<Object, String, String> fn = stringFunction(r);
            f.same("computeIfPresent " + k, () -> v.computeIfPresent(k, fn), () -> m.computeIfPresent(k, fn));
        });
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            String x = val.apply(r);
            BiFunction<Object, String, String> fn = stringFunction(r);
            f.same("merge " + k + "," + x, () -> v.merge(k, x, (p, q) -> fn.apply(p, q)),
                    () -> m.merge(k, x, (p, q) -> fn.apply(p, q)));
        });
        s.add((a, m, r, f) -> f.same("size", v::size, m::size));
        s.add((a, m, r, f) -> f.same("isEmpty", v::isEmpty, m::isEmpty));
        s.add((a, m, r, f) -> {
            if (r.nextInt(8) == 0) {
                f.same("clear", () -> { v.clear(); return null; }, () -> { m.clear(); return null; });
            }
        });
        // ---- the view: bulk calls, all or nothing
        s.add((a, m, r, f) -> {
            Map<Object, String> more = new HashMap<>();
            int n = r.nextInt(6);
            for (int i = 0; i < n; i++) {
                more.put(key.apply(r), val.apply(r));
            }
            f.same("putAll " + more, () -> { v.putAll(more); return null; },
                    () -> allOrNothing(m, copy, c -> { m.clear(); m.putAll(c); }, c -> { c.putAll(more); return null; }));
        });
        s.add((a, m, r, f) -> {
            BiFunction<Object, String, String> fn = stringFunction(r);
            f.same("replaceAll", () -> { v.replaceAll(fn); return null; },
                    () -> allOrNothing(m, copy, c -> { m.clear(); m.putAll(c); }, c -> { c.replaceAll(fn); return null; }));
        });
        s.add((a, m, r, f) -> {
            int mod = 2 + r.nextInt(4);
            Predicate<Object> p = k -> Math.floorMod(k.hashCode() * 31 + k.toString().length(), mod) == 0;
            int view = r.nextInt(3);
            switch (view) {
                case 0 -> f.same("keySet.removeIf", () -> v.keySet().removeIf(p), () -> m.keySet().removeIf(p));
                case 1 -> f.same("values.removeIf", () -> v.values().removeIf(x -> x.endsWith(String.valueOf(mod))),
                        () -> m.values().removeIf(x -> x.endsWith(String.valueOf(mod))));
                default -> f.same("entrySet.removeIf", () -> v.entrySet().removeIf(e -> p.test(e.getKey()) && e.getValue().length() < 3),
                        () -> m.entrySet().removeIf(e -> p.test(e.getKey()) && e.getValue().length() < 3));
            }
        });
        s.add((a, m, r, f) -> {
            List<Object> c = new ArrayList<>();
            int n = r.nextInt(8);
            for (int i = 0; i < n; i++) {
                c.add(keyOf.apply(r.nextInt(keys)));
            }
            switch (r.nextInt(4)) {
                case 0 -> f.same("keySet.removeAll " + c, () -> v.keySet().removeAll(c), () -> m.keySet().removeAll(c));
                case 1 -> f.same("keySet.retainAll " + c, () -> v.keySet().retainAll(c), () -> m.keySet().retainAll(c));
                case 2 -> f.same("keySet.containsAll " + c, () -> v.keySet().containsAll(c), () -> m.keySet().containsAll(c));
                default -> {
                    List<String> values = List.of("v" + r.nextInt(4), "v" + r.nextInt(4));
                    f.same("values.removeAll " + values, () -> v.values().removeAll(values), () -> m.values().removeAll(values));
                }
            }
        });
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            String x = "v" + r.nextInt(4);
            switch (r.nextInt(6)) {
                case 0 -> f.same("keySet.remove " + k, () -> v.keySet().remove(k), () -> m.keySet().remove(k));
                case 1 -> f.same("keySet.contains " + k, () -> v.keySet().contains(k), () -> m.keySet().contains(k));
                case 2 -> {
                    // which of several keys holding x goes depends on the iteration order: follow the actual
                    List<Object> holders = m.entrySet().stream().filter(e -> e.getValue().equals(x))
                            .map(Map.Entry::getKey).collect(Collectors.toList());
                    f.same("values.remove " + x, () -> v.values().remove(x), () -> !holders.isEmpty());
                    List<Object> gone = holders.stream().filter(h -> !v.containsKey(h)).collect(Collectors.toList());
                    f.check(gone.size() == (holders.isEmpty() ? 0 : 1), () -> "values.remove removed " + gone);
                    gone.forEach(m::remove);
                }
                case 3 -> f.same("values.contains " + x, () -> v.values().contains(x), () -> m.values().contains(x));
                case 4 -> f.same("entrySet.remove " + k + "=" + x, () -> v.entrySet().remove(Map.entry(k == null ? 0 : k, x)),
                        () -> m.entrySet().remove(Map.entry(k == null ? 0 : k, x)));
                default -> f.same("keySet.add " + k, () -> v.keySet().add(k), () -> m.keySet().add(k));
            }
        });
        // ---- iterators: remove and setValue write through
        s.add((a, m, r, f) -> {
            int mod = 2 + r.nextInt(3);
            f.note("keySet iterator, remove keys with hash % " + mod + " == 0");
            Set<Object> seen = new java.util.HashSet<>();
            for (Iterator<Object> it = v.keySet().iterator(); it.hasNext(); ) {
                Object k = it.next();
                f.check(seen.add(k), () -> "the iterator returned " + k + " twice");
                if (Math.floorMod(k.hashCode(), mod) == 0) {
                    it.remove();
                    f.throwsLike("iterator.remove twice", IllegalStateException.class, () -> { it.remove(); return null; });
                }
            }
            f.equal(m.keySet(), seen, "keys the iterator returned");
            m.keySet().removeIf(k -> Math.floorMod(k.hashCode(), mod) == 0);
        });
        s.add((a, m, r, f) -> {
            String suffix = "s" + r.nextInt(3);
            f.note("entrySet iterator, setValue on every other entry");
            Map<Object, String> seen = new HashMap<>();
            boolean flip = false;
            for (Map.Entry<Object, String> e : v.entrySet()) {
                seen.put(e.getKey(), e.getValue());
                flip = !flip;
                if (flip && e.getValue().length() < 6) {
                    String old = e.getValue();
                    f.equal(old, e.setValue(old + suffix), "setValue's result");
                    f.equal(old + suffix, e.getValue(), "the entry's value after setValue");
                    m.put(e.getKey(), old + suffix);
                }
            }
            f.check(seen.size() == m.size(), () -> "entries seen " + seen + " vs model " + m);
        });
        // ---- a snapshot iterator (outside transactions) stays as the map was while later writes land
        s.add((a, m, r, f) -> {
            if (Stm.inTransaction()) {
                return;
            }
            f.note("snapshot iterator across writes");
            Map<Object, String> before = new HashMap<>(m);
            Iterator<Map.Entry<Object, String>> it = v.entrySet().iterator();
            Map<Object, String> seen = new HashMap<>();
            int writes = r.nextInt(1, 12);
            for (int i = 0; i < writes; i++) {
                if (it.hasNext() && r.nextBoolean()) {
                    Map.Entry<Object, String> e = it.next();
                    seen.put(e.getKey(), e.getValue());
                    if (r.nextInt(4) == 0) {
                        it.remove(); // writes through to the live map
                        m.remove(e.getKey());
                    }
                }
                Object k = keyOf.apply(r.nextInt(keys));
                String x = "w" + r.nextInt(3);
                switch (r.nextInt(5)) {
                    case 0, 1 -> f.same("put during snapshot " + k, () -> v.put(k, x), () -> m.put(k, x));
                    case 2 -> f.same("remove during snapshot " + k, () -> v.remove(k), () -> m.remove(k));
                    case 3 -> f.same("compute during snapshot " + k, () -> v.compute(k, (q, old) -> old == null ? x : null),
                            () -> m.compute(k, (q, old) -> old == null ? x : null));
                    default -> {
                        if (r.nextInt(6) == 0) {
                            f.same("clear during snapshot", () -> { v.clear(); return null; }, () -> { m.clear(); return null; });
                        }
                    }
                }
            }
            while (it.hasNext()) {
                Map.Entry<Object, String> e = it.next();
                f.check(seen.put(e.getKey(), e.getValue()) == null, () -> "the snapshot returned " + e + " twice");
            }
            f.equal(before, seen, "the snapshot iterator's entries");
        });
        // ---- whole-map reads
        s.add((a, m, r, f) -> {
            f.same("equals", () -> v.equals(m) && m.equals(v) && v.keySet().equals(m.keySet())
                    && v.entrySet().equals(m.entrySet()) && m.entrySet().equals(v.entrySet()), () -> true);
            f.same("hashCode", v::hashCode, m::hashCode);
            f.same("keySet.hashCode", () -> v.keySet().hashCode(), () -> m.keySet().hashCode());
            f.same("toArray", () -> sortedStrings(Arrays.asList(v.keySet().toArray())), () -> sortedStrings(m.keySet()));
            f.same("toArray(T[])", () -> sortedStrings(Arrays.asList(v.values().toArray(new String[0]))),
                    () -> sortedStrings(m.values()));
            f.same("entrySet.toArray", () -> sortedStrings(Arrays.asList(v.entrySet().toArray())),
                    () -> sortedStrings(m.entrySet()));
            f.same("stream", () -> v.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
                    () -> new HashMap<>(m));
        });
        s.add((a, m, r, f) -> {
            Map<Object, String> seen = new HashMap<>();
            f.same("forEach", () -> { v.forEach(seen::put); return seen; }, () -> new HashMap<>(m));
            f.same("toString", () -> sortedStrings(Arrays.asList(strip(v.toString()).split(", "))),
                    () -> sortedStrings(Arrays.asList(strip(m.toString()).split(", "))));
        });
        // ---- the in-transaction methods
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            String x = val.apply(r);
            f.same("TMap.put " + k + "=" + x, () -> f.tx(() -> a.put(k, x)), () -> m.put(k, x));
        });
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            f.same("TMap.get " + k, () -> f.tx(() -> a.get(k)), () -> m.get(k));
            f.same("TMap.containsKey " + k, () -> f.tx(() -> a.containsKey(k)), () -> m.containsKey(k));
            f.same("TMap.getOrDefault " + k, () -> f.tx(() -> a.getOrDefault(k, "d")), () -> m.getOrDefault(k, "d"));
        });
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            String x = val.apply(r);
            switch (r.nextInt(5)) {
                case 0 -> f.same("TMap.putIfAbsent " + k, () -> f.tx(() -> a.putIfAbsent(k, x)), () -> m.putIfAbsent(k, x));
                case 1 -> f.same("TMap.remove " + k, () -> f.tx(() -> a.remove(k)), () -> m.remove(k));
                case 2 -> f.same("TMap.remove " + k + "," + x, () -> f.tx(() -> a.remove(k, x)), () -> m.remove(k, x));
                case 3 -> f.same("TMap.replace " + k + "=" + x, () -> f.tx(() -> a.replace(k, x)), () -> m.replace(k, x));
                default -> f.same("TMap.replace " + k + " v1->" + x, () -> f.tx(() -> a.replace(k, "v1", x)),
                        () -> m.replace(k, "v1", x));
            }
        });
        s.add((a, m, r, f) -> {
            Object k = key.apply(r);
            BiFunction<Object, String, String> fn = stringFunction(r);
            String x = val.apply(r);
            switch (r.nextInt(4)) {
                case 0 -> f.same("TMap.compute " + k, () -> f.tx(() -> a.compute(k, fn)), () -> m.compute(k, fn));
                case 1 -> f.same("TMap.computeIfAbsent " + k, () -> f.tx(() -> a.computeIfAbsent(k, kk -> fn.apply(kk, null))),
                        () -> m.computeIfAbsent(k, kk -> fn.apply(kk, null)));
                case 2 -> f.same("TMap.computeIfPresent " + k, () -> f.tx(() -> a.computeIfPresent(k, fn)),
                        () -> m.computeIfPresent(k, fn));
                default -> f.same("TMap.merge " + k + "," + x, () -> f.tx(() -> a.merge(k, x, (p, q) -> fn.apply(p, q))),
                        () -> m.merge(k, x, (p, q) -> fn.apply(p, q)));
            }
        });
        s.add((a, m, r, f) -> {
            f.same("TMap.size", () -> f.tx(a::size), m::size);
            f.same("TMap.longSize", () -> f.tx(a::longSize), () -> (long) m.size());
            f.same("TMap.isEmpty", () -> f.tx(a::isEmpty), m::isEmpty);
            Map<Object, String> seen = new HashMap<>();
            f.same("TMap.forEach", () -> f.tx(() -> { seen.clear(); a.forEach(seen::put); return seen; }), () -> new HashMap<>(m));
            if (r.nextInt(10) == 0) {
                f.same("TMap.clear", () -> f.tx(() -> { a.clear(); return null; }), () -> { m.clear(); return null; });
            }
        });
        StateCheck<TMap<Object, String>, ConcurrentHashMap<Object, String>> state = (a, m, f, where) -> {
            Map<Object, String> seen = new HashMap<>();
            for (Map.Entry<Object, String> e : v.entrySet()) {
                f.check(seen.put(e.getKey(), e.getValue()) == null, () -> "entry " + e + " iterated twice " + where);
            }
            f.equal(m, seen, "the entries " + where);
            f.equal(m.size(), v.size(), "size " + where);
            f.equal(m.isEmpty(), v.isEmpty(), "isEmpty " + where);
            f.check(v.equals(m) && m.equals(v), () -> "equals " + where);
            f.equal(m.hashCode(), v.hashCode(), "hashCode " + where);
            for (Map.Entry<Object, String> e : m.entrySet()) {
                f.equal(e.getValue(), v.get(e.getKey()), "get " + e.getKey() + " " + where);
            }
        };
        return new Spec<>(name, map, new ConcurrentHashMap<>(), copy, s, state);
    }

    private static String strip(String braced) {
        return braced.substring(1, braced.length() - 1);
    }

    @Test
    @Timeout(60)
    void tmapAgreesWithConcurrentHashMapOnSmallKeySpaces() {
        for (long seed : seeds(1, 2, 3)) {
            fuzz(tmapSpec("TMap(48 int keys)", 48, i -> i), seed, OPS);
        }
    }

    @Test
    @Timeout(60)
    void tmapAgreesWithConcurrentHashMapWithCollidingHashesAndAWideningRoot() {
        for (long seed : seeds(11)) {
            fuzz(tmapSpec("TMap(120 colliding keys)", 120, Collider::new), seed, OPS);
            // 600 keys first: the root has widened to 1,024 slots before the fuzzing starts
            Spec<TMap<Object, String>, ConcurrentHashMap<Object, String>> wide = tmapSpec("TMap(1500 int keys)", 1500, i -> i * 7919);
            for (int i = 0; i < 600; i++) {
                wide.actual().asMap().put(i * 7919, "v" + (i % 4));
                wide.model().put(i * 7919, "v" + (i % 4));
            }
            fuzz(wide, seed + 1, 2 * OPS);
        }
    }

    // ================================================================== TSortedMap vs ConcurrentSkipListMap

    /** A way to narrow a navigable map (a sub, head or tail map, or the descending map). */
    private interface Narrowing {
        NavigableMap<Integer, Integer> apply(NavigableMap<Integer, Integer> map);
    }

    /** A random chain of up to three narrowings, described for failure messages. */
    private static List<Narrowing> randomPath(SplittableRandom r, int keys, StringBuilder description) {
        List<Narrowing> path = new ArrayList<>();
        int depth = r.nextInt(4) == 0 ? 0 : r.nextInt(1, 4);
        for (int i = 0; i < depth; i++) {
            int a = r.nextInt(-3, keys + 3);
            int b = r.nextInt(-3, keys + 3);
            boolean ai = r.nextBoolean();
            boolean bi = r.nextBoolean();
            switch (r.nextInt(7)) {
                case 0 -> {
                    description.append(".subMap(").append(a).append(',').append(ai).append(',').append(b).append(',').append(bi).append(')');
                    path.add(m -> m.subMap(a, ai, b, bi));
                }
                case 1 -> {
                    description.append(".headMap(").append(b).append(',').append(bi).append(')');
                    path.add(m -> m.headMap(b, bi));
                }
                case 2 -> {
                    description.append(".tailMap(").append(a).append(',').append(ai).append(')');
                    path.add(m -> m.tailMap(a, ai));
                }
                case 3 -> {
                    description.append(".descendingMap()");
                    path.add(NavigableMap::descendingMap);
                }
                case 4 -> {
                    description.append(".subMap(").append(a).append(',').append(b).append(')');
                    path.add(m -> (NavigableMap<Integer, Integer>) m.subMap(a, b));
                }
                case 5 -> {
                    description.append(".headMap(").append(b).append(')');
                    path.add(m -> (NavigableMap<Integer, Integer>) m.headMap(b));
                }
                default -> {
                    description.append(".tailMap(").append(a).append(')');
                    path.add(m -> (NavigableMap<Integer, Integer>) m.tailMap(a));
                }
            }
        }
        return path;
    }

    private static NavigableMap<Integer, Integer> follow(List<Narrowing> path, NavigableMap<Integer, Integer> map) {
        for (Narrowing n : path) {
            map = n.apply(map);
        }
        return map;
    }

    /** Runs {@code op} on the narrowed model of a copy of {@code root}; keeps the copy only if it did not throw. */
    private static Object sortedAllOrNothing(ConcurrentSkipListMap<Integer, Integer> root, List<Narrowing> path,
            Function<NavigableMap<Integer, Integer>, Object> op) {
        ConcurrentSkipListMap<Integer, Integer> scratch = copyOf(root, root.comparator());
        Object result = op.apply(follow(path, scratch));
        root.clear();
        root.putAll(scratch);
        return result;
    }

    private static final Object INCOMPARABLE = new Object();

    /**
     * A copy of a model map. Not {@code clone()}: on JDK 17 the clone of a ConcurrentSkipListMap
     * that was emptied shares its head with the original (a put into one shows in the other).
     */
    private static ConcurrentSkipListMap<Integer, Integer> copyOf(ConcurrentSkipListMap<Integer, Integer> map,
            Comparator<? super Integer> order) {
        ConcurrentSkipListMap<Integer, Integer> copy = new ConcurrentSkipListMap<>(order);
        copy.putAll(map);
        return copy;
    }

    static Spec<TSortedMap<Integer, Integer>, ConcurrentSkipListMap<Integer, Integer>> sortedMapSpec(String name, int keys,
            Comparator<Integer> order) {
        TSortedMap<Integer, Integer> map = new TSortedMap<>(order);
        ConcurrentNavigableMap<Integer, Integer> root = map.asMap();
        Function<SplittableRandom, Integer> key = r -> r.nextInt(80) == 0 ? null : r.nextInt(-3, keys + 3);
        Function<SplittableRandom, Integer> val = r -> r.nextInt(80) == 0 ? null : r.nextInt(6);
        List<Step<TSortedMap<Integer, Integer>, ConcurrentSkipListMap<Integer, Integer>>> s = new ArrayList<>();
        Step<TSortedMap<Integer, Integer>, ConcurrentSkipListMap<Integer, Integer>> viewStep = (t, m, r, f) -> {
            StringBuilder d = new StringBuilder("view");
            List<Narrowing> path = randomPath(r, keys, d);
            Object[] made = new Object[2];
            // TreeMap and ConcurrentSkipListMap disagree on an inclusive bound at an exclusive end of the
            // range (headMap(19).tailMap(19)): TreeMap refuses it, as Weft does (NavigableMapView.checkBound)
            Object treeMapVerdict = outcome(() -> { follow(path, new TreeMap<>(order)); return null; });
            Object skipListVerdict = outcome(() -> { follow(path, new ConcurrentSkipListMap<>(order)); return null; });
            if (!Objects.equals(treeMapVerdict, skipListVerdict)) {
                f.same("narrow " + d + " (as TreeMap)", () -> { follow(path, root); return null; }, () -> treeMapVerdict);
                return;
            }
            f.same("narrow " + d, () -> { made[0] = follow(path, root); return null; },
                    () -> { made[1] = follow(path, m); return null; });
            if (made[0] == null) {
                return; // both refused the range alike
            }
            @SuppressWarnings("unchecked") ConcurrentNavigableMap<Integer, Integer> a = (ConcurrentNavigableMap<Integer, Integer>) made[0];
            @SuppressWarnings("unchecked") NavigableMap<Integer, Integer> e = (NavigableMap<Integer, Integer>) made[1];
            Integer k = key.apply(r);
            Integer x = val.apply(r);
            String at = d + " ";
            int op = r.nextInt(34);
            switch (op) {
                // a null and a key outside the range: NullPointerException (java.util leaves the order open)
                case 0, 1, 2 -> f.same(at + "put " + k + "=" + x, () -> a.put(k, x), () -> e.put(k, Objects.requireNonNull(x)));
                case 3 -> f.same(at + "get " + k, () -> a.get(k), () -> e.get(k));
                case 4 -> f.same(at + "containsKey " + k, () -> a.containsKey(k), () -> e.containsKey(k));
                case 5 -> f.same(at + "putIfAbsent " + k + "=" + x, () -> a.putIfAbsent(k, x),
                        () -> e.putIfAbsent(k, Objects.requireNonNull(x)));
                case 6 -> f.same(at + "remove " + k, () -> a.remove(k), () -> e.remove(k));
                case 7 -> f.same(at + "remove " + k + "," + x, () -> a.remove(k, x), () -> e.remove(k, x));
                // replace outside the range: IllegalArgumentException, as ConcurrentSkipListMap's sub-maps
                // (since session 18; Weft answered null/false, as TreeMap's); a null value is reported first
                case 8 -> f.same(at + "replace " + k + "=" + x, () -> a.replace(k, x), () -> {
                    try {
                        return e.replace(k, x);
                    } catch (IllegalArgumentException outOfRange) {
                        Objects.requireNonNull(x);
                        throw outOfRange;
                    }
                });
                case 9 -> f.same(at + "replace " + k + " 1->" + x, () -> a.replace(k, 1, x), () -> {
                    try {
                        return e.replace(k, 1, x);
                    } catch (IllegalArgumentException outOfRange) {
                        Objects.requireNonNull(x);
                        throw outOfRange;
                    }
                });
                case 10 -> {
                    BiFunction<Object, Integer, Integer> fn = intFunction(r);
                    switch (r.nextInt(4)) {
                        case 0 -> f.same(at + "compute " + k, () -> a.compute(k, fn), () -> e.compute(k, fn));
                        case 1 -> f.same(at + "computeIfAbsent " + k, () -> a.computeIfAbsent(k, q -> fn.apply(q, null)),
                                () -> e.computeIfAbsent(k, q -> fn.apply(q, null)));
                        case 2 -> f.same(at + "computeIfPresent " + k, () -> a.computeIfPresent(k, fn), () -> e.computeIfPresent(k, fn));
                        default -> f.same(at + "merge " + k + "," + x, () -> a.merge(k, x, (p, q) -> fn.apply(p, q)),
                                () -> e.merge(k, x, (p, q) -> fn.apply(p, q)));
                    }
                }
                case 11 -> {
                    switch (r.nextInt(8)) {
                        case 0 -> f.same(at + "lowerKey " + k, () -> a.lowerKey(k), () -> e.lowerKey(k));
                        case 1 -> f.same(at + "floorKey " + k, () -> a.floorKey(k), () -> e.floorKey(k));
                        case 2 -> f.same(at + "ceilingKey " + k, () -> a.ceilingKey(k), () -> e.ceilingKey(k));
                        case 3 -> f.same(at + "higherKey " + k, () -> a.higherKey(k), () -> e.higherKey(k));
                        case 4 -> f.same(at + "lowerEntry " + k, () -> a.lowerEntry(k), () -> e.lowerEntry(k));
                        case 5 -> f.same(at + "floorEntry " + k, () -> a.floorEntry(k), () -> e.floorEntry(k));
                        case 6 -> f.same(at + "ceilingEntry " + k, () -> a.ceilingEntry(k), () -> e.ceilingEntry(k));
                        default -> f.same(at + "higherEntry " + k, () -> a.higherEntry(k), () -> e.higherEntry(k));
                    }
                }
                case 12 -> {
                    f.same(at + "firstKey", a::firstKey, e::firstKey);
                    f.same(at + "lastKey", a::lastKey, e::lastKey);
                    f.same(at + "firstEntry", a::firstEntry, e::firstEntry);
                    f.same(at + "lastEntry", a::lastEntry, e::lastEntry);
                }
                case 13 -> {
                    if (r.nextBoolean()) {
                        f.same(at + "pollFirstEntry", a::pollFirstEntry, e::pollFirstEntry);
                    } else {
                        f.same(at + "pollLastEntry", a::pollLastEntry, e::pollLastEntry);
                    }
                }
                case 14 -> {
                    f.same(at + "size", a::size, e::size);
                    f.same(at + "isEmpty", a::isEmpty, e::isEmpty);
                }
                case 15 -> {
                    if (r.nextInt(4) == 0) {
                        f.same(at + "clear", () -> { a.clear(); return null; }, () -> { e.clear(); return null; });
                    }
                }
                case 16 -> {
                    Map<Integer, Integer> more = new LinkedHashMap<>();
                    int n = r.nextInt(5);
                    for (int i = 0; i < n; i++) {
                        more.put(key.apply(r), val.apply(r));
                    }
                    f.same(at + "putAll " + more, () -> { a.putAll(more); return null; },
                            () -> sortedAllOrNothing(m, path, c -> {
                                for (Map.Entry<Integer, Integer> en : more.entrySet()) { // entry by entry, as checked
                                    c.put(Objects.requireNonNull(en.getKey()), Objects.requireNonNull(en.getValue()));
                                }
                                return null;
                            }));
                }
                case 17 -> {
                    BiFunction<Object, Integer, Integer> fn = intFunction(r);
                    f.same(at + "replaceAll", () -> { a.replaceAll(fn); return null; },
                            () -> sortedAllOrNothing(m, path, c -> { c.replaceAll(fn); return null; }));
                }
                case 18 -> {
                    NavigableSet<Integer> ak = r.nextBoolean() ? a.navigableKeySet() : a.keySet();
                    NavigableSet<Integer> ek = e.navigableKeySet();
                    if (r.nextInt(3) == 0) {
                        ak = a.descendingKeySet();
                        ek = e.descendingKeySet();
                    }
                    NavigableSet<Integer> sa = ak;
                    NavigableSet<Integer> se = ek;
                    switch (r.nextInt(11)) {
                        case 0 -> f.same(at + "keys.first", sa::first, se::first);
                        case 1 -> f.same(at + "keys.last", sa::last, se::last);
                        case 2 -> f.same(at + "keys.lower " + k, () -> sa.lower(k), () -> se.lower(k));
                        case 3 -> f.same(at + "keys.floor " + k, () -> sa.floor(k), () -> se.floor(k));
                        case 4 -> f.same(at + "keys.ceiling " + k, () -> sa.ceiling(k), () -> se.ceiling(k));
                        case 5 -> f.same(at + "keys.higher " + k, () -> sa.higher(k), () -> se.higher(k));
                        case 6 -> f.same(at + "keys.pollFirst", sa::pollFirst, se::pollFirst);
                        case 7 -> f.same(at + "keys.pollLast", sa::pollLast, se::pollLast);
                        case 8 -> f.same(at + "keys.remove " + k, () -> sa.remove(k), () -> se.remove(k));
                        case 9 -> f.same(at + "keys.contains " + k, () -> sa.contains(k), () -> se.contains(k));
                        default -> f.same(at + "keys.add " + k, () -> sa.add(k), () -> se.add(k));
                    }
                }
                case 19 -> {
                    int mod = 2 + r.nextInt(3);
                    switch (r.nextInt(3)) {
                        case 0 -> f.same(at + "keySet.removeIf %" + mod, () -> a.keySet().removeIf(q -> q % mod == 0),
                                () -> e.keySet().removeIf(q -> q % mod == 0));
                        case 1 -> f.same(at + "values.removeIf %" + mod, () -> a.values().removeIf(q -> q % mod == 0),
                                () -> e.values().removeIf(q -> q % mod == 0));
                        default -> f.same(at + "entrySet.removeIf", () -> a.entrySet().removeIf(q -> (q.getKey() + q.getValue()) % mod == 0),
                                () -> e.entrySet().removeIf(q -> (q.getKey() + q.getValue()) % mod == 0));
                    }
                }
                case 20 -> {
                    List<Integer> c = new ArrayList<>();
                    int n = r.nextInt(8);
                    for (int i = 0; i < n; i++) {
                        c.add(r.nextInt(-3, keys + 3));
                    }
                    switch (r.nextInt(4)) {
                        case 0 -> f.same(at + "keySet.removeAll " + c, () -> a.keySet().removeAll(c), () -> e.keySet().removeAll(c));
                        case 1 -> f.same(at + "keySet.retainAll " + c, () -> a.keySet().retainAll(c), () -> e.keySet().retainAll(c));
                        case 2 -> f.same(at + "keySet.containsAll " + c, () -> a.keySet().containsAll(c), () -> e.keySet().containsAll(c));
                        default -> f.same(at + "values.retainAll " + c, () -> a.values().retainAll(c), () -> e.values().retainAll(c));
                    }
                }
                case 21 -> {
                    int mod = 2 + r.nextInt(3);
                    int kind = r.nextInt(4);
                    f.note(at + "iterate (kind " + kind + ") removing keys % " + mod);
                    Iterator<?> it = switch (kind) {
                        case 0 -> a.keySet().iterator();
                        case 1 -> a.values().iterator();
                        case 2 -> a.entrySet().iterator();
                        default -> a.navigableKeySet().descendingIterator();
                    };
                    List<Map.Entry<Integer, Integer>> expected = new ArrayList<>(
                            kind == 3 ? e.descendingMap().entrySet() : e.entrySet());
                    for (Map.Entry<Integer, Integer> want : expected) {
                        f.check(it.hasNext(), () -> "the iterator ended before " + want + ", expected " + expected);
                        Object got = it.next();
                        Object wanted = switch (kind) {
                            case 1 -> want.getValue();
                            case 2 -> entryOf(want);
                            default -> want.getKey();
                        };
                        f.equal(wanted, normalize(got), "iterated element");
                        if (want.getKey() % mod == 0) {
                            it.remove();
                            e.remove(want.getKey());
                        }
                    }
                    f.check(!it.hasNext(), () -> "the iterator has more than " + expected);
                    f.throwsLike(at + "next at the end", java.util.NoSuchElementException.class, it::next);
                }
                case 22 -> {
                    int plus = 1 + r.nextInt(3);
                    f.note(at + "entry.setValue +" + plus + " on even keys");
                    for (Map.Entry<Integer, Integer> en : a.entrySet()) {
                        if (en.getKey() % 2 == 0) {
                            Integer old = en.getValue();
                            f.equal(old, en.setValue(old + plus), "setValue's result");
                            e.put(en.getKey(), old + plus);
                        }
                    }
                }
                case 23 -> {
                    f.same(at + "equals", () -> a.equals(e) && e.equals(a) && a.keySet().equals(e.keySet())
                            && a.entrySet().equals(e.entrySet()), () -> true);
                    f.same(at + "hashCode", a::hashCode, e::hashCode);
                    f.same(at + "toString", a::toString, e::toString);
                    f.same(at + "keySet.toString", () -> a.keySet().toString(), () -> e.keySet().toString());
                    f.same(at + "values.toArray", () -> a.values().toArray(), () -> e.values().toArray());
                    f.same(at + "entrySet.toArray", () -> a.entrySet().toArray().length, () -> e.entrySet().toArray().length);
                    f.same(at + "keySet.toArray(T[])", () -> a.keySet().toArray(new Integer[0]), () -> e.keySet().toArray(new Integer[0]));
                    List<Object> seen = new ArrayList<>();
                    f.same(at + "forEach", () -> { a.forEach((p, q) -> seen.add(Map.entry(p, q))); return seen; },
                            () -> entriesOf(e.entrySet()));
                    f.same(at + "stream", () -> a.keySet().stream().collect(Collectors.toList()), () -> new ArrayList<>(e.keySet()));
                    f.same(at + "comparator", () -> a.comparator() == null ? 0 : Integer.signum(a.comparator().compare(1, 2)),
                            () -> e.comparator() == null ? 0 : Integer.signum(e.comparator().compare(1, 2)));
                }
                case 24 -> {
                    f.same(at + "containsValue " + x, () -> a.containsValue(x), () -> e.containsValue(x));
                    f.same(at + "values.contains " + x, () -> a.values().contains(x), () -> e.values().contains(x));
                    Map.Entry<Integer, Integer> probe = new AbstractMap.SimpleImmutableEntry<>(k, x);
                    // as ConcurrentHashMap's entry set: an entry with a null is in no map (ConcurrentSkipListMap throws)
                    f.same(at + "entrySet.contains " + probe, () -> a.entrySet().contains(probe),
                            () -> k != null && x != null && e.entrySet().contains(probe));
                }
                case 25 -> f.same(at + "values.remove " + x, () -> a.values().remove(x), () -> e.values().remove(x));
                case 26 -> {
                    Map.Entry<Integer, Integer> probe = new AbstractMap.SimpleImmutableEntry<>(k, x);
                    f.same(at + "entrySet.remove " + probe, () -> a.entrySet().remove(probe),
                            () -> k != null && x != null && e.entrySet().remove(probe));
                }
                case 27 -> f.same(at + "getOrDefault " + k, () -> a.getOrDefault(k, -1), () -> e.getOrDefault(k, -1));
                case 28 -> {
                    // Documented: keys the order cannot compare throw ClassCastException, nothing written.
                    @SuppressWarnings({"unchecked", "rawtypes"}) Map<Object, Object> raw = (Map) a;
                    switch (r.nextInt(4)) {
                        case 0 -> f.throwsLike(at + "put(incomparable)", ClassCastException.class, () -> raw.put(INCOMPARABLE, 1));
                        case 1 -> f.throwsLike(at + "get(incomparable)", ClassCastException.class, () -> raw.get(INCOMPARABLE));
                        case 2 -> f.throwsLike(at + "putIfAbsent(incomparable)", ClassCastException.class,
                                () -> raw.putIfAbsent(INCOMPARABLE, 1));
                        default -> f.throwsLike(at + "remove(incomparable)", ClassCastException.class, () -> raw.remove(INCOMPARABLE));
                    }
                }
                case 29, 30, 31 -> {
                    // a view of the view, then a call through it; where TreeMap refuses the narrower range
                    // and ConcurrentSkipListMap accepts it, Weft refuses it as TreeMap (see narrowing above)
                    Integer lo = r.nextInt(-3, keys + 3);
                    Narrowing extra = switch (op) {
                        case 29 -> q -> q.headMap(lo, true);
                        case 30 -> q -> (NavigableMap<Integer, Integer>) q.tailMap(lo);
                        default -> q -> q.descendingMap().headMap(lo, false);
                    };
                    Function<NavigableMap<Integer, Integer>, Object> call = switch (op) {
                        case 29 -> q -> q.put(k, 9);
                        case 30 -> q -> { q.clear(); return null; };
                        default -> NavigableMap::pollFirstEntry;
                    };
                    List<Narrowing> longer = new ArrayList<>(path);
                    longer.add(extra);
                    Object treeMapSays = outcome(() -> { follow(longer, new TreeMap<>(order)); return null; });
                    Object skipListSays = outcome(() -> { follow(longer, new ConcurrentSkipListMap<>(order)); return null; });
                    String what = at + "then narrowed (" + op + " at " + lo + ") " + k;
                    if (!Objects.equals(treeMapSays, skipListSays)) {
                        f.same(what + " (as TreeMap)", () -> { extra.apply(a); return null; }, () -> treeMapSays);
                    } else {
                        f.same(what, () -> call.apply(extra.apply(a)), () -> call.apply(extra.apply(e)));
                    }
                }
                default -> {
                    List<Object> seen = new ArrayList<>();
                    for (Iterator<Map.Entry<Integer, Integer>> it = a.descendingMap().entrySet().iterator(); it.hasNext(); ) {
                        seen.add(entryOf(it.next()));
                    }
                    f.same(at + "descending entries", () -> seen, () -> entriesOf(e.descendingMap().entrySet()));
                }
            }
        };
        for (int i = 0; i < 6; i++) {
            s.add(viewStep);
        }
        // the in-transaction methods of the class
        s.add((t, m, r, f) -> {
            Integer k = key.apply(r);
            Integer x = val.apply(r);
            switch (r.nextInt(9)) {
                case 0, 1 -> f.same("TSortedMap.put " + k + "=" + x, () -> f.tx(() -> t.put(k, x)), () -> m.put(k, x));
                case 2 -> f.same("TSortedMap.get " + k, () -> f.tx(() -> t.get(k)), () -> m.get(k));
                case 3 -> f.same("TSortedMap.containsKey " + k, () -> f.tx(() -> t.containsKey(k)), () -> m.containsKey(k));
                case 4 -> f.same("TSortedMap.putIfAbsent " + k + "=" + x, () -> f.tx(() -> t.putIfAbsent(k, x)), () -> m.putIfAbsent(k, x));
                case 5 -> f.same("TSortedMap.remove " + k, () -> f.tx(() -> t.remove(k)), () -> m.remove(k));
                case 6 -> {
                    BiFunction<Object, Integer, Integer> fn = intFunction(r);
                    f.same("TSortedMap.compute " + k, () -> f.tx(() -> t.compute(k, fn)), () -> m.compute(k, fn));
                }
                case 7 -> {
                    BiFunction<Object, Integer, Integer> fn = intFunction(r);
                    f.same("TSortedMap.computeIfAbsent " + k, () -> f.tx(() -> t.computeIfAbsent(k, q -> fn.apply(q, null))),
                            () -> m.computeIfAbsent(k, q -> fn.apply(q, null)));
                }
                default -> {
                    BiFunction<Object, Integer, Integer> fn = intFunction(r);
                    f.same("TSortedMap.merge " + k + "," + x, () -> f.tx(() -> t.merge(k, x, (p, q) -> fn.apply(p, q))),
                            () -> m.merge(k, x, (p, q) -> fn.apply(p, q)));
                }
            }
        });
        s.add((t, m, r, f) -> {
            Integer k = key.apply(r);
            switch (r.nextInt(10)) {
                case 0 -> f.same("TSortedMap.firstKey", () -> f.tx(t::firstKey), () -> m.isEmpty() ? null : m.firstKey());
                case 1 -> f.same("TSortedMap.lastKey", () -> f.tx(t::lastKey), () -> m.isEmpty() ? null : m.lastKey());
                case 2 -> f.same("TSortedMap.lowerKey " + k, () -> f.tx(() -> t.lowerKey(k)), () -> m.lowerKey(k));
                case 3 -> f.same("TSortedMap.floorKey " + k, () -> f.tx(() -> t.floorKey(k)), () -> m.floorKey(k));
                case 4 -> f.same("TSortedMap.ceilingKey " + k, () -> f.tx(() -> t.ceilingKey(k)), () -> m.ceilingKey(k));
                case 5 -> f.same("TSortedMap.higherKey " + k, () -> f.tx(() -> t.higherKey(k)), () -> m.higherKey(k));
                case 6 -> {
                    f.same("TSortedMap.firstEntry", () -> f.tx(t::firstEntry), m::firstEntry);
                    f.same("TSortedMap.lastEntry", () -> f.tx(t::lastEntry), m::lastEntry);
                }
                case 7 -> f.same("TSortedMap.pollFirstEntry", () -> f.tx(t::pollFirstEntry), m::pollFirstEntry);
                case 8 -> f.same("TSortedMap.pollLastEntry", () -> f.tx(t::pollLastEntry), m::pollLastEntry);
                default -> {
                    f.same("TSortedMap.size", () -> f.tx(t::size), m::size);
                    f.same("TSortedMap.isEmpty", () -> f.tx(t::isEmpty), m::isEmpty);
                    if (r.nextInt(12) == 0) {
                        f.same("TSortedMap.clear", () -> f.tx(() -> { t.clear(); return null; }), () -> { m.clear(); return null; });
                    }
                }
            }
        });
        StateCheck<TSortedMap<Integer, Integer>, ConcurrentSkipListMap<Integer, Integer>> state = (t, m, f, where) -> {
            f.equal(entriesOf(m.entrySet()), entriesOf(root.entrySet()), "the entries in order " + where);
            f.equal(new ArrayList<>(m.descendingKeySet()), new ArrayList<>(root.descendingKeySet()), "the keys descending " + where);
            f.equal(m.size(), root.size(), "size " + where);
            f.check(root.equals(m) && m.equals(root), () -> "equals " + where);
            f.equal(m.hashCode(), root.hashCode(), "hashCode " + where);
            f.equal(m.toString(), root.toString(), "toString " + where);
            f.equal(m.isEmpty() ? null : m.firstKey(), root.isEmpty() ? null : root.firstKey(), "firstKey " + where);
            f.equal(m.isEmpty() ? null : m.lastKey(), root.isEmpty() ? null : root.lastKey(), "lastKey " + where);
        };
        return new Spec<>(name, map, new ConcurrentSkipListMap<>(order), c -> copyOf(c, order), s, state);
    }

    @Test
    @Timeout(60)
    void sortedMapAndItsViewsAgreeWithConcurrentSkipListMap() {
        for (long seed : seeds(21)) {
            fuzz(sortedMapSpec("TSortedMap(40 keys)", 40, null), seed, OPS);
            fuzz(sortedMapSpec("TSortedMap(150 keys)", 150, null), seed + 1, OPS);
            fuzz(sortedMapSpec("TSortedMap(100 keys, reversed)", 100, Comparator.reverseOrder()), seed + 2, OPS);
        }
    }

    @Test
    @Timeout(60)
    void aMultiLevelSortedMapAndItsViewsAgreeWithConcurrentSkipListMap() {
        // more than 32 x 32 keys: inner nodes split and merge under the views
        TSortedMap<Integer, Integer> probe = new TSortedMap<>();
        Spec<TSortedMap<Integer, Integer>, ConcurrentSkipListMap<Integer, Integer>> spec = sortedMapSpec("TSortedMap(3000 keys)", 3000, null);
        ConcurrentSkipListMap<Integer, Integer> model = spec.model();
        SplittableRandom fill = new SplittableRandom(31);
        atomic(() -> {
            for (int i = 0; i < 2000; i++) {
                int k = fill.nextInt(3000);
                spec.actual().put(k, i % 7);
            }
        });
        SplittableRandom again = new SplittableRandom(31);
        for (int i = 0; i < 2000; i++) {
            model.put(again.nextInt(3000), i % 7);
        }
        fuzz(spec, 32, OPS);
        assertTrue(probe.asMap().isEmpty());
    }

    // ================================================================== queues vs ArrayDeque / ArrayBlockingQueue / PriorityQueue

    private static Integer element(SplittableRandom r) {
        return r.nextInt(60) == 0 ? null : r.nextInt(10);
    }

    private static List<Integer> someElements(SplittableRandom r, int max) {
        List<Integer> c = new ArrayList<>();
        int n = r.nextInt(max + 1);
        for (int i = 0; i < n; i++) {
            c.add(element(r));
        }
        return c;
    }

    /** The elements as compared: in iteration order for FIFO queues, sorted for a priority queue. */
    private static List<Integer> contents(Collection<Integer> c, boolean fifo) {
        List<Integer> out = new ArrayList<>(c);
        if (!fifo) {
            Collections.sort(out);
        }
        return out;
    }

    /** The {@code java.util.Queue} view calls shared by every queue: {@code view} of the actual, the model as a Queue. */
    private static <A, M extends Queue<Integer>> void addQueueSteps(List<Step<A, M>> s, Function<A, Queue<Integer>> viewOf,
            boolean fifo, UnaryOperator<M> copy) {
        s.add((t, m, r, f) -> {
            Queue<Integer> q = viewOf.apply(t);
            Integer e = element(r);
            int op = r.nextInt(20);
            switch (op) {
                case 0, 1, 2 -> f.same("offer " + e, () -> q.offer(e), () -> m.offer(e));
                case 3 -> f.same("add " + e, () -> q.add(e), () -> m.add(e));
                case 4, 5 -> f.same("poll", q::poll, m::poll);
                case 6 -> f.same("peek", q::peek, m::peek);
                case 7 -> f.same("remove()", q::remove, m::remove);
                case 8 -> f.same("element", q::element, m::element);
                case 9 -> f.same("remove " + e, () -> q.remove(e), () -> e != null && m.remove(e));
                case 10 -> f.same("contains " + e, () -> q.contains(e), () -> e != null && m.contains(e));
                case 11 -> {
                    f.same("size", q::size, m::size);
                    f.same("isEmpty", q::isEmpty, m::isEmpty);
                }
                case 12 -> {
                    if (r.nextInt(4) == 0) {
                        f.same("clear", () -> { q.clear(); return null; }, () -> { m.clear(); return null; });
                    }
                }
                case 13 -> {
                    List<Integer> c = someElements(r, 4);
                    // a null anywhere: NullPointerException before anything (a full bounded queue included)
                    f.same("addAll " + c, () -> q.addAll(c), () -> allOrNothing(m, copy, x -> { m.clear(); m.addAll(x); },
                            x -> x.addAll(c.contains(null) ? Collections.singletonList(null) : c)));
                }
                case 14 -> {
                    int mod = 2 + r.nextInt(3);
                    f.same("removeIf %" + mod, () -> q.removeIf(x -> x % mod == 0), () -> m.removeIf(x -> x % mod == 0));
                }
                case 15 -> {
                    List<Integer> c = someElements(r, 4);
                    c.removeIf(Objects::isNull);
                    switch (r.nextInt(3)) {
                        case 0 -> f.same("removeAll " + c, () -> q.removeAll(c), () -> m.removeAll(c));
                        case 1 -> f.same("retainAll " + c, () -> q.retainAll(c), () -> m.retainAll(c));
                        default -> f.same("containsAll " + c, () -> q.containsAll(c), () -> m.containsAll(c));
                    }
                }
                case 16 -> {
                    int mod = 2 + r.nextInt(3);
                    f.note("iterate removing elements % " + mod);
                    List<Integer> seen = new ArrayList<>();
                    for (Iterator<Integer> it = q.iterator(); it.hasNext(); ) {
                        Integer x = it.next();
                        seen.add(x);
                        if (x % mod == 0) {
                            it.remove();
                            f.throwsLike("iterator.remove twice", IllegalStateException.class, () -> { it.remove(); return null; });
                        }
                    }
                    f.equal(contents(m, fifo), contents(seen, fifo), "the elements iterated");
                    m.removeIf(x -> x % mod == 0);
                }
                case 17 -> {
                    f.same("toArray", () -> contents(Arrays.asList((Integer[]) q.toArray(new Integer[0])), fifo),
                            () -> contents(m, fifo));
                    f.same("toArray()", () -> q.toArray().length, () -> m.toArray().length);
                    f.same("stream", () -> contents(q.stream().collect(Collectors.toList()), fifo), () -> contents(m, fifo));
                    if (fifo) {
                        f.same("toString", q::toString, m::toString);
                    }
                }
                case 18 -> f.same("offer null", () -> q.offer(null), () -> { throw new NullPointerException(); });
                default -> {
                    List<Integer> seen = new ArrayList<>();
                    f.same("forEach", () -> { q.forEach(seen::add); return contents(seen, fifo); }, () -> contents(m, fifo));
                }
            }
        });
    }

    private static <A, M extends Queue<Integer>> StateCheck<A, M> queueState(Function<A, Queue<Integer>> viewOf, boolean fifo) {
        return (t, m, f, where) -> {
            Queue<Integer> q = viewOf.apply(t);
            f.equal(contents(m, fifo), contents(new ArrayList<>(q), fifo), "the elements " + where);
            f.equal(m.size(), q.size(), "size " + where);
            f.equal(m.isEmpty(), q.isEmpty(), "isEmpty " + where);
            f.equal(m.peek(), q.peek(), "peek " + where);
        };
    }

    @Test
    @Timeout(60)
    void tqueueAgreesWithArrayDeque() {
        List<Step<TQueue<Integer>, ArrayDeque<Integer>>> s = new ArrayList<>();
        UnaryOperator<ArrayDeque<Integer>> copy = ArrayDeque::new;
        addQueueSteps(s, TQueue::asQueue, true, copy);
        addQueueSteps(s, TQueue::asQueue, true, copy);
        s.add((t, m, r, f) -> {
            Integer e = element(r);
            switch (r.nextInt(6)) {
                case 0, 1 -> f.same("TQueue.offer " + e, () -> f.tx(() -> t.offer(e)), () -> m.offer(e));
                case 2 -> f.same("TQueue.poll", () -> f.tx(t::poll), m::poll);
                case 3 -> f.same("TQueue.peek", () -> f.tx(t::peek), m::peek);
                case 4 -> {
                    f.same("TQueue.size", () -> f.tx(t::size), m::size);
                    f.same("TQueue.isEmpty", () -> f.tx(t::isEmpty), m::isEmpty);
                }
                default -> {
                    if (r.nextInt(4) == 0) {
                        f.same("TQueue.clear", () -> f.tx(() -> { t.clear(); return null; }), () -> { m.clear(); return null; });
                    }
                }
            }
        });
        for (long seed : seeds(41, 42)) {
            fuzz(new Spec<>("TQueue", new TQueue<>(), new ArrayDeque<>(), copy, s, queueState(TQueue::asQueue, true)), seed, OPS);
        }
    }

    @Test
    @Timeout(60)
    void tboundedQueueAgreesWithArrayBlockingQueue() {
        int capacity = 6;
        List<Step<TBoundedQueue<Integer>, ArrayBlockingQueue<Integer>>> s = new ArrayList<>();
        UnaryOperator<ArrayBlockingQueue<Integer>> copy = q -> {
            ArrayBlockingQueue<Integer> c = new ArrayBlockingQueue<>(capacity);
            c.addAll(q);
            return c;
        };
        addQueueSteps(s, TBoundedQueue::asBlockingQueue, true, copy);
        s.add((t, m, r, f) -> {
            BlockingQueue<Integer> q = t.asBlockingQueue();
            Integer e = element(r);
            switch (r.nextInt(7)) {
                case 0 -> f.same("remainingCapacity", q::remainingCapacity, m::remainingCapacity);
                case 1 -> f.same("offer(e, 0s) " + e, () -> offerNow(q, e), () -> offerNow(m, e));
                case 2 -> f.same("poll(0s)", () -> pollNow(q), () -> pollNow(m));
                case 3 -> {
                    int max = r.nextInt(-1, 4);
                    List<Integer> into = new ArrayList<>();
                    List<Integer> intoModel = new ArrayList<>();
                    f.same("drainTo max " + max, () -> q.drainTo(into, max) + " " + into, () -> m.drainTo(intoModel, max) + " " + intoModel);
                }
                case 4 -> {
                    if (m.remainingCapacity() > 0 && e != null) {
                        f.same("put " + e, () -> { putNow(q, e); return null; }, () -> { putNow(m, e); return null; });
                    }
                }
                case 5 -> {
                    if (!m.isEmpty()) {
                        f.same("take", () -> takeNow(q), () -> takeNow(m));
                    }
                }
                default -> f.same("add " + e, () -> q.add(e), () -> m.add(e));
            }
        });
        s.add((t, m, r, f) -> {
            Integer e = element(r);
            switch (r.nextInt(8)) {
                case 0, 1 -> f.same("TBoundedQueue.offer " + e, () -> f.tx(() -> t.offer(e)), () -> m.offer(e));
                case 2 -> f.same("TBoundedQueue.poll", () -> f.tx(t::poll), m::poll);
                case 3 -> f.same("TBoundedQueue.peek", () -> f.tx(t::peek), m::peek);
                case 4 -> {
                    f.same("TBoundedQueue.size", () -> f.tx(t::size), m::size);
                    f.same("TBoundedQueue.isEmpty", () -> f.tx(t::isEmpty), m::isEmpty);
                    f.same("TBoundedQueue.remainingCapacity", () -> f.tx(t::remainingCapacity), m::remainingCapacity);
                    f.equal(capacity, t.capacity(), "capacity");
                }
                case 5 -> {
                    // put waits when full: as the first alternative of an orElse it lets the second run
                    f.same("orElse(put " + e + ", false)", () -> Stm.orElse(() -> { f.tx(() -> { t.put(e); return null; }); return true; },
                            () -> false), () -> {
                                Objects.requireNonNull(e);
                                return m.offer(e);
                            });
                }
                case 6 -> f.same("orElse(take, null)", () -> Stm.orElse(() -> f.tx(t::take), () -> null), m::poll);
                default -> {
                    if (r.nextInt(4) == 0) {
                        f.same("TBoundedQueue.clear", () -> f.tx(() -> { t.clear(); return null; }), () -> { m.clear(); return null; });
                    }
                }
            }
        });
        for (long seed : seeds(51, 52)) {
            StateCheck<TBoundedQueue<Integer>, ArrayBlockingQueue<Integer>> fifo = queueState(TBoundedQueue::asBlockingQueue, true);
            StateCheck<TBoundedQueue<Integer>, ArrayBlockingQueue<Integer>> state = (t, m, f, where) -> {
                fifo.check(t, m, f, where);
                f.equal(m.remainingCapacity(), t.asBlockingQueue().remainingCapacity(), "remainingCapacity " + where);
                f.equal(m.size(), atomic(t::size), "TBoundedQueue.size " + where);
            };
            fuzz(new Spec<>("TBoundedQueue(6)", new TBoundedQueue<>(capacity), new ArrayBlockingQueue<>(capacity), copy, s,
                    state), seed, OPS);
        }
    }

    private static boolean offerNow(BlockingQueue<Integer> q, Integer e) {
        try {
            return q.offer(e, 0, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            throw new AssertionError(ex);
        }
    }

    private static Integer pollNow(BlockingQueue<Integer> q) {
        try {
            return q.poll(0, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            throw new AssertionError(ex);
        }
    }

    private static void putNow(BlockingQueue<Integer> q, Integer e) {
        try {
            q.put(e);
        } catch (InterruptedException ex) {
            throw new AssertionError(ex);
        }
    }

    private static Integer takeNow(BlockingQueue<Integer> q) {
        try {
            return q.take();
        } catch (InterruptedException ex) {
            throw new AssertionError(ex);
        }
    }

    @Test
    @Timeout(60)
    void tpriorityQueueAgreesWithPriorityQueue() {
        List<Step<TPriorityQueue<Integer>, PriorityQueue<Integer>>> s = new ArrayList<>();
        UnaryOperator<PriorityQueue<Integer>> copy = PriorityQueue::new;
        addQueueSteps(s, TPriorityQueue::asQueue, false, copy);
        addQueueSteps(s, TPriorityQueue::asQueue, false, copy);
        s.add((t, m, r, f) -> {
            Integer e = element(r);
            switch (r.nextInt(7)) {
                case 0, 1 -> f.same("TPriorityQueue.offer " + e, () -> f.tx(() -> t.offer(e)), () -> m.offer(e));
                case 2 -> f.same("TPriorityQueue.poll", () -> f.tx(t::poll), m::poll);
                case 3 -> f.same("TPriorityQueue.peek", () -> f.tx(t::peek), m::peek);
                case 4 -> {
                    f.same("TPriorityQueue.size", () -> f.tx(t::size), m::size);
                    f.same("TPriorityQueue.isEmpty", () -> f.tx(t::isEmpty), m::isEmpty);
                }
                case 5 -> {
                    @SuppressWarnings({"unchecked", "rawtypes"}) Queue<Object> raw = (Queue) t.asQueue();
                    f.throwsLike("offer(incomparable)", ClassCastException.class, () -> raw.offer(INCOMPARABLE));
                }
                default -> {
                    if (r.nextInt(4) == 0) {
                        f.same("TPriorityQueue.clear", () -> f.tx(() -> { t.clear(); return null; }), () -> { m.clear(); return null; });
                    }
                }
            }
        });
        for (long seed : seeds(61, 62)) {
            fuzz(new Spec<>("TPriorityQueue", new TPriorityQueue<>(), new PriorityQueue<>(), copy, s,
                    queueState(TPriorityQueue::asQueue, false)), seed, OPS);
        }
    }

    @Test
    @Timeout(60)
    void tdequeAgreesWithArrayDeque() {
        List<Step<TDeque<Integer>, ArrayDeque<Integer>>> s = new ArrayList<>();
        UnaryOperator<ArrayDeque<Integer>> copy = ArrayDeque::new;
        addQueueSteps(s, TDeque::asBlockingDeque, true, copy);
        Step<TDeque<Integer>, ArrayDeque<Integer>> ends = (t, m, r, f) -> {
            BlockingDeque<Integer> d = t.asBlockingDeque();
            Integer e = element(r);
            switch (r.nextInt(26)) {
                case 0 -> f.same("addFirst " + e, () -> { d.addFirst(e); return null; }, () -> { m.addFirst(e); return null; });
                case 1 -> f.same("addLast " + e, () -> { d.addLast(e); return null; }, () -> { m.addLast(e); return null; });
                case 2 -> f.same("offerFirst " + e, () -> d.offerFirst(e), () -> m.offerFirst(e));
                case 3 -> f.same("offerLast " + e, () -> d.offerLast(e), () -> m.offerLast(e));
                case 4 -> f.same("pollFirst", d::pollFirst, m::pollFirst);
                case 5 -> f.same("pollLast", d::pollLast, m::pollLast);
                case 6 -> f.same("peekFirst", d::peekFirst, m::peekFirst);
                case 7 -> f.same("peekLast", d::peekLast, m::peekLast);
                case 8 -> f.same("removeFirst", d::removeFirst, m::removeFirst);
                case 9 -> f.same("removeLast", d::removeLast, m::removeLast);
                case 10 -> f.same("getFirst", d::getFirst, m::getFirst);
                case 11 -> f.same("getLast", d::getLast, m::getLast);
                case 12 -> f.same("push " + e, () -> { d.push(e); return null; }, () -> { m.push(e); return null; });
                case 13 -> f.same("pop", d::pop, m::pop);
                case 14 -> f.same("removeFirstOccurrence " + e, () -> d.removeFirstOccurrence(e), () -> e != null && m.removeFirstOccurrence(e));
                case 15 -> f.same("removeLastOccurrence " + e, () -> d.removeLastOccurrence(e), () -> e != null && m.removeLastOccurrence(e));
                case 16 -> {
                    int mod = 2 + r.nextInt(3);
                    f.note("descendingIterator removing % " + mod);
                    List<Integer> seen = new ArrayList<>();
                    for (Iterator<Integer> it = d.descendingIterator(); it.hasNext(); ) {
                        Integer x = it.next();
                        seen.add(x);
                        if (x % mod == 0) {
                            it.remove();
                        }
                    }
                    List<Integer> expected = new ArrayList<>();
                    m.descendingIterator().forEachRemaining(expected::add);
                    f.equal(expected, seen, "the elements iterated descending");
                    m.removeIf(x -> x % mod == 0);
                }
                case 17 -> f.same("remainingCapacity", d::remainingCapacity, () -> Integer.MAX_VALUE);
                case 18 -> f.same("pollFirst(0s)", () -> pollFirstNow(d), m::pollFirst);
                case 19 -> f.same("pollLast(0s)", () -> pollLastNow(d), m::pollLast);
                case 20 -> f.same("offerFirst(e, 0s) " + e, () -> offerFirstNow(d, e), () -> m.offerFirst(e));
                case 21 -> {
                    int max = r.nextInt(-1, 4);
                    List<Integer> into = new ArrayList<>();
                    f.same("drainTo max " + max, () -> d.drainTo(into, max) + " " + into, () -> {
                        List<Integer> drained = new ArrayList<>();
                        while (drained.size() < max && !m.isEmpty()) {
                            drained.add(m.pollFirst());
                        }
                        return drained.size() + " " + drained;
                    });
                }
                case 22 -> f.same("putLast " + e, () -> { putLastNow(d, e); return null; }, () -> { m.addLast(e); return null; });
                case 23 -> {
                    if (!m.isEmpty()) {
                        f.same("takeLast", () -> takeLastNow(d), m::pollLast);
                    }
                }
                case 24 -> f.same("element", d::element, m::element);
                default -> f.same("toArray order", () -> Arrays.asList(d.toArray()), () -> Arrays.asList(m.toArray()));
            }
        };
        for (int i = 0; i < 3; i++) {
            s.add(ends);
        }
        s.add((t, m, r, f) -> {
            Integer e = element(r);
            switch (r.nextInt(10)) {
                case 0 -> f.same("TDeque.offerFirst " + e, () -> f.tx(() -> t.offerFirst(e)), () -> m.offerFirst(e));
                case 1 -> f.same("TDeque.offerLast " + e, () -> f.tx(() -> t.offerLast(e)), () -> m.offerLast(e));
                case 2 -> f.same("TDeque.pollFirst", () -> f.tx(t::pollFirst), m::pollFirst);
                case 3 -> f.same("TDeque.pollLast", () -> f.tx(t::pollLast), m::pollLast);
                case 4 -> {
                    f.same("TDeque.peekFirst", () -> f.tx(t::peekFirst), m::peekFirst);
                    f.same("TDeque.peekLast", () -> f.tx(t::peekLast), m::peekLast);
                }
                case 5 -> {
                    f.same("TDeque.size", () -> f.tx(t::size), m::size);
                    f.same("TDeque.isEmpty", () -> f.tx(t::isEmpty), m::isEmpty);
                }
                case 6 -> f.same("orElse(takeFirst, null)", () -> Stm.orElse(() -> f.tx(t::takeFirst), () -> null), m::pollFirst);
                case 7 -> f.same("orElse(takeLast, null)", () -> Stm.orElse(() -> f.tx(t::takeLast), () -> null), m::pollLast);
                default -> {
                    if (r.nextInt(4) == 0) {
                        f.same("TDeque.clear", () -> f.tx(() -> { t.clear(); return null; }), () -> { m.clear(); return null; });
                    }
                }
            }
        });
        StateCheck<TDeque<Integer>, ArrayDeque<Integer>> fifo = queueState(TDeque::asBlockingDeque, true);
        StateCheck<TDeque<Integer>, ArrayDeque<Integer>> state = (t, m, f, where) -> {
            fifo.check(t, m, f, where);
            List<Integer> back = new ArrayList<>();
            t.asBlockingDeque().descendingIterator().forEachRemaining(back::add);
            List<Integer> expected = new ArrayList<>();
            m.descendingIterator().forEachRemaining(expected::add);
            f.equal(expected, back, "descending " + where);
            f.equal(m.peekLast(), t.asBlockingDeque().peekLast(), "peekLast " + where);
        };
        for (long seed : seeds(71, 72)) {
            fuzz(new Spec<>("TDeque", new TDeque<>(), new ArrayDeque<>(), copy, s, state), seed, OPS);
        }
        // a long deque: removals from the middle and both ends across many chunks of 16
        for (long seed : seeds(73)) {
            TDeque<Integer> big = new TDeque<>();
            ArrayDeque<Integer> model = new ArrayDeque<>();
            SplittableRandom fill = new SplittableRandom(seed);
            for (int i = 0; i < 100; i++) {
                int x = fill.nextInt(10);
                if (fill.nextBoolean()) {
                    model.addFirst(x);
                    big.asBlockingDeque().addFirst(x);
                } else {
                    model.addLast(x);
                    big.asBlockingDeque().addLast(x);
                }
            }
            fuzz(new Spec<>("TDeque(100)", big, model, copy, s, state), seed, OPS / 2);
        }
    }

    private static Integer pollFirstNow(BlockingDeque<Integer> d) {
        try {
            return d.pollFirst(0, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            throw new AssertionError(ex);
        }
    }

    private static Integer pollLastNow(BlockingDeque<Integer> d) {
        try {
            return d.pollLast(0, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            throw new AssertionError(ex);
        }
    }

    private static boolean offerFirstNow(BlockingDeque<Integer> d, Integer e) {
        try {
            return d.offerFirst(e, 0, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            throw new AssertionError(ex);
        }
    }

    private static void putLastNow(BlockingDeque<Integer> d, Integer e) {
        try {
            d.putLast(e);
        } catch (InterruptedException ex) {
            throw new AssertionError(ex);
        }
    }

    private static Integer takeLastNow(BlockingDeque<Integer> d) {
        try {
            return d.takeLast();
        } catch (InterruptedException ex) {
            throw new AssertionError(ex);
        }
    }

    // ================================================================== TSet vs ConcurrentHashMap.newKeySet, TSortedSet vs ConcurrentSkipListSet

    @Test
    @Timeout(60)
    void tsetAgreesWithAConcurrentKeySet() {
        List<Step<TSet<Integer>, Set<Integer>>> s = new ArrayList<>();
        UnaryOperator<Set<Integer>> copy = m -> {
            Set<Integer> c = ConcurrentHashMap.newKeySet();
            c.addAll(m);
            return c;
        };
        Function<SplittableRandom, Integer> el = r -> r.nextInt(60) == 0 ? null : r.nextInt(40);
        s.add((t, m, r, f) -> {
            Set<Integer> v = t.asSet();
            Integer e = el.apply(r);
            switch (r.nextInt(16)) {
                case 0, 1, 2 -> f.same("add " + e, () -> v.add(e), () -> m.add(e));
                case 3, 4 -> f.same("remove " + e, () -> v.remove(e), () -> m.remove(e));
                case 5 -> f.same("contains " + e, () -> v.contains(e), () -> m.contains(e));
                case 6 -> {
                    f.same("size", v::size, m::size);
                    f.same("isEmpty", v::isEmpty, m::isEmpty);
                }
                case 7 -> {
                    List<Integer> c = new ArrayList<>();
                    for (int i = r.nextInt(5); i > 0; i--) {
                        c.add(el.apply(r));
                    }
                    f.same("addAll " + c, () -> v.addAll(c),
                            () -> allOrNothing(m, copy, x -> { m.clear(); m.addAll(x); }, x -> x.addAll(c)));
                }
                case 8 -> {
                    List<Integer> c = new ArrayList<>();
                    for (int i = r.nextInt(8); i > 0; i--) {
                        c.add(r.nextInt(40));
                    }
                    switch (r.nextInt(3)) {
                        case 0 -> f.same("removeAll " + c, () -> v.removeAll(c), () -> m.removeAll(c));
                        case 1 -> f.same("retainAll " + c, () -> v.retainAll(c), () -> m.retainAll(c));
                        default -> f.same("containsAll " + c, () -> v.containsAll(c), () -> m.containsAll(c));
                    }
                }
                case 9 -> {
                    int mod = 2 + r.nextInt(4);
                    f.same("removeIf %" + mod, () -> v.removeIf(x -> x % mod == 0), () -> m.removeIf(x -> x % mod == 0));
                }
                case 10 -> {
                    int mod = 2 + r.nextInt(4);
                    f.note("iterate removing % " + mod);
                    Set<Integer> seen = new java.util.HashSet<>();
                    for (Iterator<Integer> it = v.iterator(); it.hasNext(); ) {
                        Integer x = it.next();
                        f.check(seen.add(x), () -> x + " iterated twice");
                        if (x % mod == 0) {
                            it.remove();
                        }
                    }
                    f.equal(m, seen, "the elements iterated");
                    m.removeIf(x -> x % mod == 0);
                }
                case 11 -> {
                    f.same("equals", () -> v.equals(m) && m.equals(v), () -> true);
                    f.same("hashCode", v::hashCode, m::hashCode);
                    f.same("toArray", () -> sortedStrings(Arrays.asList(v.toArray())), () -> sortedStrings(m));
                    f.same("toArray(T[])", () -> sortedStrings(Arrays.asList(v.toArray(new Integer[0]))), () -> sortedStrings(m));
                    f.same("stream", () -> v.stream().collect(Collectors.toSet()), () -> new java.util.HashSet<>(m));
                }
                case 12 -> {
                    if (r.nextInt(4) == 0) {
                        f.same("clear", () -> { v.clear(); return null; }, () -> { m.clear(); return null; });
                    }
                }
                case 13 -> f.same("TSet.add " + e, () -> f.tx(() -> t.add(e)), () -> m.add(e));
                case 14 -> f.same("TSet.remove " + e, () -> f.tx(() -> t.remove(e)), () -> m.remove(e));
                default -> {
                    f.same("TSet.contains " + e, () -> f.tx(() -> t.contains(e)), () -> m.contains(e));
                    f.same("TSet.size", () -> f.tx(t::size), m::size);
                    f.same("TSet.isEmpty", () -> f.tx(t::isEmpty), m::isEmpty);
                    Set<Integer> seen = new java.util.HashSet<>();
                    f.same("TSet.forEach", () -> f.tx(() -> { seen.clear(); t.forEach(seen::add); return seen; }),
                            () -> new java.util.HashSet<>(m));
                    if (r.nextInt(8) == 0) {
                        f.same("TSet.clear", () -> f.tx(() -> { t.clear(); return null; }), () -> { m.clear(); return null; });
                    }
                }
            }
        });
        StateCheck<TSet<Integer>, Set<Integer>> state = (t, m, f, where) -> {
            Set<Integer> seen = new java.util.HashSet<>();
            for (Integer x : t.asSet()) {
                f.check(seen.add(x), () -> x + " iterated twice " + where);
            }
            f.equal(m, seen, "the elements " + where);
            f.equal(m.size(), t.asSet().size(), "size " + where);
            f.check(t.asSet().equals(m), () -> "equals " + where);
        };
        for (long seed : seeds(81, 82)) {
            fuzz(new Spec<>("TSet", new TSet<>(), copy.apply(Set.of()), copy, s, state), seed, OPS);
        }
    }

    @Test
    @Timeout(60)
    void tsortedSetAndItsViewsAgreeWithConcurrentSkipListSet() {
        int keys = 60;
        List<Step<TSortedSet<Integer>, ConcurrentSkipListSet<Integer>>> s = new ArrayList<>();
        UnaryOperator<ConcurrentSkipListSet<Integer>> copy = m -> new ConcurrentSkipListSet<>(m);
        Function<SplittableRandom, Integer> el = r -> r.nextInt(60) == 0 ? null : r.nextInt(-2, keys + 2);
        Step<TSortedSet<Integer>, ConcurrentSkipListSet<Integer>> viewStep = (t, m, r, f) -> {
            StringBuilder d = new StringBuilder("set");
            List<Function<NavigableSet<Integer>, NavigableSet<Integer>>> path = new ArrayList<>();
            for (int i = r.nextInt(3); i > 0; i--) {
                int a = r.nextInt(-2, keys + 2);
                int b = r.nextInt(-2, keys + 2);
                boolean ai = r.nextBoolean();
                boolean bi = r.nextBoolean();
                switch (r.nextInt(4)) {
                    case 0 -> {
                        d.append(".subSet(").append(a).append(',').append(ai).append(',').append(b).append(',').append(bi).append(')');
                        path.add(x -> x.subSet(a, ai, b, bi));
                    }
                    case 1 -> {
                        d.append(".headSet(").append(b).append(',').append(bi).append(')');
                        path.add(x -> x.headSet(b, bi));
                    }
                    case 2 -> {
                        d.append(".tailSet(").append(a).append(',').append(ai).append(')');
                        path.add(x -> x.tailSet(a, ai));
                    }
                    default -> {
                        d.append(".descendingSet()");
                        path.add(NavigableSet::descendingSet);
                    }
                }
            }
            Function<NavigableSet<Integer>, NavigableSet<Integer>> follow = x -> {
                for (Function<NavigableSet<Integer>, NavigableSet<Integer>> n : path) {
                    x = n.apply(x);
                }
                return x;
            };
            Object treeVerdict = outcome(() -> { follow.apply(new java.util.TreeSet<>()); return null; });
            Object skipVerdict = outcome(() -> { follow.apply(new ConcurrentSkipListSet<>()); return null; });
            if (!Objects.equals(treeVerdict, skipVerdict)) {
                f.same("narrow " + d + " (as TreeSet)", () -> { follow.apply(t.asSet()); return null; }, () -> treeVerdict);
                return;
            }
            Object[] made = new Object[2];
            f.same("narrow " + d, () -> { made[0] = follow.apply(t.asSet()); return null; },
                    () -> { made[1] = follow.apply(m); return null; });
            if (made[0] == null) {
                return;
            }
            @SuppressWarnings("unchecked") NavigableSet<Integer> a = (NavigableSet<Integer>) made[0];
            @SuppressWarnings("unchecked") NavigableSet<Integer> e = (NavigableSet<Integer>) made[1];
            Integer x = el.apply(r);
            String at = d + " ";
            switch (r.nextInt(22)) {
                case 0, 1, 2 -> f.same(at + "add " + x, () -> a.add(x), () -> e.add(x));
                case 3, 4 -> f.same(at + "remove " + x, () -> a.remove(x), () -> e.remove(x));
                case 5 -> f.same(at + "contains " + x, () -> a.contains(x), () -> e.contains(x));
                case 6 -> {
                    f.same(at + "first", a::first, e::first);
                    f.same(at + "last", a::last, e::last);
                }
                case 7 -> f.same(at + "lower " + x, () -> a.lower(x), () -> e.lower(x));
                case 8 -> f.same(at + "floor " + x, () -> a.floor(x), () -> e.floor(x));
                case 9 -> f.same(at + "ceiling " + x, () -> a.ceiling(x), () -> e.ceiling(x));
                case 10 -> f.same(at + "higher " + x, () -> a.higher(x), () -> e.higher(x));
                case 11 -> f.same(at + "pollFirst", a::pollFirst, e::pollFirst);
                case 12 -> f.same(at + "pollLast", a::pollLast, e::pollLast);
                case 13 -> {
                    f.same(at + "size", a::size, e::size);
                    f.same(at + "isEmpty", a::isEmpty, e::isEmpty);
                }
                case 14 -> {
                    List<Integer> c = new ArrayList<>();
                    for (int i = r.nextInt(5); i > 0; i--) {
                        c.add(el.apply(r));
                    }
                    // all or nothing: a null or an element outside the range adds nothing
                    f.same(at + "addAll " + c, () -> a.addAll(c), () -> {
                        ConcurrentSkipListSet<Integer> scratch = copy.apply(m);
                        boolean changed = follow.apply(scratch).addAll(c);
                        m.clear();
                        m.addAll(scratch);
                        return changed;
                    });
                }
                case 15 -> {
                    List<Integer> c = new ArrayList<>();
                    for (int i = r.nextInt(8); i > 0; i--) {
                        c.add(r.nextInt(-2, keys + 2));
                    }
                    switch (r.nextInt(3)) {
                        case 0 -> f.same(at + "removeAll " + c, () -> a.removeAll(c), () -> e.removeAll(c));
                        case 1 -> f.same(at + "retainAll " + c, () -> a.retainAll(c), () -> e.retainAll(c));
                        default -> f.same(at + "containsAll " + c, () -> a.containsAll(c), () -> e.containsAll(c));
                    }
                }
                case 16 -> {
                    int mod = 2 + r.nextInt(3);
                    f.same(at + "removeIf %" + mod, () -> a.removeIf(y -> y % mod == 0), () -> e.removeIf(y -> y % mod == 0));
                }
                case 17 -> {
                    int mod = 2 + r.nextInt(3);
                    boolean down = r.nextBoolean();
                    f.note(at + (down ? "descendingIterator" : "iterator") + " removing % " + mod);
                    List<Integer> seen = new ArrayList<>();
                    for (Iterator<Integer> it = down ? a.descendingIterator() : a.iterator(); it.hasNext(); ) {
                        Integer y = it.next();
                        seen.add(y);
                        if (y % mod == 0) {
                            it.remove();
                        }
                    }
                    f.equal(new ArrayList<>(down ? e.descendingSet() : e), seen, "the elements iterated");
                    e.removeIf(y -> y % mod == 0);
                }
                case 18 -> {
                    f.same(at + "equals", () -> a.equals(e) && e.equals(a), () -> true);
                    f.same(at + "hashCode", a::hashCode, e::hashCode);
                    f.same(at + "toString", a::toString, e::toString);
                    f.same(at + "toArray", a::toArray, e::toArray);
                    f.same(at + "toArray(T[])", () -> a.toArray(new Integer[0]), () -> e.toArray(new Integer[0]));
                    List<Integer> seen = new ArrayList<>();
                    f.same(at + "forEach", () -> { a.forEach(seen::add); return seen; }, () -> new ArrayList<>(e));
                }
                case 19 -> {
                    if (r.nextInt(4) == 0) {
                        f.same(at + "clear", () -> { a.clear(); return null; }, () -> { e.clear(); return null; });
                    }
                }
                case 20 -> {
                    @SuppressWarnings({"unchecked", "rawtypes"}) Set<Object> raw = (Set) a;
                    f.throwsLike(at + "add(incomparable)", ClassCastException.class, () -> raw.add(INCOMPARABLE));
                }
                default -> f.same(at + "stream", () -> a.stream().collect(Collectors.toList()), () -> new ArrayList<>(e));
            }
        };
        for (int i = 0; i < 4; i++) {
            s.add(viewStep);
        }
        s.add((t, m, r, f) -> {
            Integer x = el.apply(r);
            switch (r.nextInt(12)) {
                case 0, 1 -> f.same("TSortedSet.add " + x, () -> f.tx(() -> t.add(x)), () -> m.add(x));
                case 2 -> f.same("TSortedSet.remove " + x, () -> f.tx(() -> t.remove(x)), () -> m.remove(x));
                case 3 -> f.same("TSortedSet.contains " + x, () -> f.tx(() -> t.contains(x)), () -> m.contains(x));
                case 4 -> {
                    f.same("TSortedSet.first", () -> f.tx(t::first), () -> m.isEmpty() ? null : m.first());
                    f.same("TSortedSet.last", () -> f.tx(t::last), () -> m.isEmpty() ? null : m.last());
                }
                case 5 -> f.same("TSortedSet.lower " + x, () -> f.tx(() -> t.lower(x)), () -> m.lower(x));
                case 6 -> f.same("TSortedSet.floor " + x, () -> f.tx(() -> t.floor(x)), () -> m.floor(x));
                case 7 -> f.same("TSortedSet.ceiling " + x, () -> f.tx(() -> t.ceiling(x)), () -> m.ceiling(x));
                case 8 -> f.same("TSortedSet.higher " + x, () -> f.tx(() -> t.higher(x)), () -> m.higher(x));
                case 9 -> f.same("TSortedSet.pollFirst", () -> f.tx(t::pollFirst), m::pollFirst);
                case 10 -> f.same("TSortedSet.pollLast", () -> f.tx(t::pollLast), m::pollLast);
                default -> {
                    f.same("TSortedSet.size", () -> f.tx(t::size), m::size);
                    f.same("TSortedSet.isEmpty", () -> f.tx(t::isEmpty), m::isEmpty);
                    if (r.nextInt(8) == 0) {
                        f.same("TSortedSet.clear", () -> f.tx(() -> { t.clear(); return null; }), () -> { m.clear(); return null; });
                    }
                }
            }
        });
        StateCheck<TSortedSet<Integer>, ConcurrentSkipListSet<Integer>> state = (t, m, f, where) -> {
            f.equal(new ArrayList<>(m), new ArrayList<>(t.asSet()), "the elements in order " + where);
            f.equal(new ArrayList<>(m.descendingSet()), new ArrayList<>(t.asSet().descendingSet()), "descending " + where);
            f.equal(m.size(), t.asSet().size(), "size " + where);
            f.equal(m.toString(), t.asSet().toString(), "toString " + where);
            f.check(t.asSet().equals(m) && m.equals(t.asSet()), () -> "equals " + where);
        };
        for (long seed : seeds(91, 92)) {
            fuzz(new Spec<>("TSortedSet", new TSortedSet<>(), new ConcurrentSkipListSet<>(), copy, s, state), seed, OPS);
        }
    }

    // ================================================================== TList vs ArrayList, TArray vs Arrays.asList

    /** ArrayList holds nulls, Weft's list does not: a null argument throws and writes nothing. */
    private static <T> T noNull(Object element, Supplier<T> call) {
        if (element == null) {
            throw new NullPointerException();
        }
        return call.get();
    }

    /** The {@code java.util.List} calls shared by TList's view and its sub-lists. */
    private static void listCall(List<Integer> a, List<Integer> e, String at, SplittableRandom r, Fuzz f, boolean growable) {
        int size = e.size();
        int i = r.nextInt(-1, size + 2);
        Integer x = element(r);
        switch (r.nextInt(growable ? 30 : 14)) {
            case 0 -> f.same(at + "get " + i, () -> a.get(i), () -> e.get(i));
            case 1 -> f.same(at + "set " + i + "=" + x, () -> a.set(i, x), () -> growable ? noNull(x, () -> e.set(i, x)) : e.set(i, x));
            case 2 -> f.same(at + "indexOf " + x, () -> a.indexOf(x), () -> e.indexOf(x));
            case 3 -> f.same(at + "lastIndexOf " + x, () -> a.lastIndexOf(x), () -> e.lastIndexOf(x));
            case 4 -> f.same(at + "contains " + x, () -> a.contains(x), () -> e.contains(x));
            case 5 -> {
                f.same(at + "size", a::size, e::size);
                f.same(at + "isEmpty", a::isEmpty, e::isEmpty);
            }
            case 6 -> {
                f.same(at + "equals", () -> a.equals(e) && e.equals(a), () -> true);
                f.same(at + "hashCode", a::hashCode, e::hashCode);
                f.same(at + "toString", a::toString, e::toString);
                f.same(at + "toArray", a::toArray, e::toArray);
                f.same(at + "toArray(T[])", () -> a.toArray(new Integer[0]), () -> e.toArray(new Integer[0]));
                f.same(at + "stream", () -> a.stream().collect(Collectors.toList()), () -> new ArrayList<>(e));
            }
            case 7 -> {
                int mod = 2 + r.nextInt(3);
                // a null result throws and changes nothing (TArray holds nulls, so it takes them)
                UnaryOperator<Integer> op = y -> y == null ? 0 : (y % mod == 0 && growable && mod == 4 ? null : y + 1);
                f.same(at + "replaceAll %" + mod, () -> { a.replaceAll(op); return null; }, () -> {
                    List<Integer> scratch = new ArrayList<>(e);
                    scratch.replaceAll(op);
                    if (growable && scratch.contains(null)) {
                        throw new NullPointerException();
                    }
                    for (int j = 0; j < scratch.size(); j++) {
                        e.set(j, scratch.get(j));
                    }
                    return null;
                });
            }
            case 8 -> {
                Comparator<Integer> c = switch (r.nextInt(3)) {
                    case 0 -> null;
                    case 1 -> Comparator.reverseOrder();
                    default -> Comparator.comparing(y -> y % 3);
                };
                f.same(at + "sort", () -> { a.sort(c); return null; }, () -> {
                    List<Integer> scratch = new ArrayList<>(e);
                    scratch.sort(c); // throws (nulls in a TArray) before anything changes
                    for (int j = 0; j < scratch.size(); j++) {
                        e.set(j, scratch.get(j));
                    }
                    return null;
                });
            }
            case 9 -> {
                f.note(at + "listIterator set");
                ListIterator<Integer> ai = a.listIterator();
                ListIterator<Integer> ei = e.listIterator();
                while (ei.hasNext()) {
                    f.check(ai.hasNext(), () -> "listIterator ended early");
                    Integer got = ai.next();
                    f.equal(ei.next(), got, "listIterator.next");
                    if (got != null && got % 3 == 0) {
                        ai.set(got + 1);
                        ei.set(got + 1);
                    }
                }
                f.check(!ai.hasNext(), () -> "listIterator has more");
            }
            case 10 -> {
                int from = r.nextInt(-1, size + 2);
                int to = r.nextInt(-1, size + 2);
                f.same(at + "subList(" + from + "," + to + ").size", () -> a.subList(from, to).size(), () -> e.subList(from, to).size());
                if (from >= 0 && to <= size && from <= to) {
                    listCall(a.subList(from, to), e.subList(from, to), at + "subList(" + from + "," + to + ") ", r, f, growable);
                }
            }
            case 11 -> {
                int start = r.nextInt(-1, size + 2);
                f.note(at + "listIterator(" + start + ") backwards");
                Object ae = outcome(() -> a.listIterator(start));
                Object ee = outcome(() -> e.listIterator(start));
                if (ee instanceof Class<?>) {
                    f.equal(ee, ae, "listIterator(" + start + ")");
                    return;
                }
                ListIterator<?> ai = (ListIterator<?>) ae;
                ListIterator<?> ei = (ListIterator<?>) ee;
                while (ei.hasPrevious()) {
                    f.equal(ei.previousIndex(), ai.previousIndex(), "previousIndex");
                    f.equal(ei.previous(), ai.previous(), "previous");
                    f.equal(ei.nextIndex(), ai.nextIndex(), "nextIndex");
                }
                f.check(!ai.hasPrevious(), () -> "hasPrevious at the start");
                f.throwsLike(at + "previous at the start", java.util.NoSuchElementException.class, ai::previous);
            }
            case 12 -> {
                List<Integer> seen = new ArrayList<>();
                f.same(at + "forEach", () -> { a.forEach(seen::add); return seen; }, () -> new ArrayList<>(e));
            }
            case 13 -> f.same(at + "iterator next past the end", () -> {
                Iterator<Integer> it = a.iterator();
                while (it.hasNext()) {
                    it.next();
                }
                return it.next();
            }, () -> {
                throw new java.util.NoSuchElementException();
            });
            // ---- growable only
            case 14, 15, 16 -> f.same(at + "add " + x, () -> a.add(x), () -> noNull(x, () -> e.add(x)));
            case 17, 18 -> f.same(at + "add " + i + "," + x, () -> { a.add(i, x); return null; },
                    () -> noNull(x, () -> { e.add(i, x); return null; }));
            case 19, 20 -> f.same(at + "remove " + i, () -> a.remove(i), () -> e.remove(i));
            case 21 -> f.same(at + "remove(Object) " + x, () -> a.remove((Object) x), () -> x != null && e.remove(x));
            case 22 -> {
                List<Integer> c = someElements(r, 4);
                f.same(at + "addAll " + c, () -> a.addAll(c), () -> noNull(c.contains(null) ? null : c, () -> e.addAll(c)));
            }
            case 23 -> {
                List<Integer> c = someElements(r, 4);
                f.same(at + "addAll " + i + "," + c, () -> a.addAll(i, c), () -> {
                    if (c.contains(null)) { // a null and a bad index: NullPointerException (java.util leaves the order open)
                        throw new NullPointerException();
                    }
                    if (i < 0 || i > e.size()) {
                        throw new IndexOutOfBoundsException();
                    }
                    return noNull(c.contains(null) ? null : c, () -> e.addAll(i, c));
                });
            }
            case 24 -> {
                int mod = 2 + r.nextInt(3);
                f.same(at + "removeIf %" + mod, () -> a.removeIf(y -> y % mod == 0), () -> e.removeIf(y -> y % mod == 0));
            }
            case 25 -> {
                List<Integer> c = someElements(r, 3);
                c.removeIf(Objects::isNull);
                switch (r.nextInt(3)) {
                    case 0 -> f.same(at + "removeAll " + c, () -> a.removeAll(c), () -> e.removeAll(c));
                    case 1 -> f.same(at + "retainAll " + c, () -> a.retainAll(c), () -> e.retainAll(c));
                    default -> f.same(at + "containsAll " + c, () -> a.containsAll(c), () -> e.containsAll(c));
                }
            }
            case 26 -> {
                if (r.nextInt(3) == 0) {
                    f.same(at + "clear", () -> { a.clear(); return null; }, () -> { e.clear(); return null; });
                }
            }
            case 27 -> {
                int mod = 2 + r.nextInt(3);
                f.note(at + "iterator removing % " + mod);
                Iterator<Integer> ai = a.iterator();
                Iterator<Integer> ei = e.iterator();
                while (ei.hasNext()) {
                    f.check(ai.hasNext(), () -> "iterator ended early");
                    Integer got = ai.next();
                    f.equal(ei.next(), got, "iterator.next");
                    if (got % mod == 0) {
                        ai.remove();
                        ei.remove();
                        f.throwsLike(at + "iterator.remove twice", IllegalStateException.class, () -> { ai.remove(); return null; });
                    }
                }
                f.check(!ai.hasNext(), () -> "iterator has more");
            }
            default -> {
                // a list iterator that adds, sets and removes as it goes
                f.note(at + "listIterator add/set/remove");
                ListIterator<Integer> ai = a.listIterator();
                ListIterator<Integer> ei = e.listIterator();
                int steps = r.nextInt(12);
                for (int k = 0; k < steps; k++) {
                    int what = r.nextInt(6);
                    Integer y = r.nextInt(10);
                    String name = switch (what) {
                        case 0 -> "next";
                        case 1 -> "previous";
                        case 2 -> "add " + y;
                        case 3 -> "set " + y;
                        case 4 -> "remove";
                        default -> "indexes";
                    };
                    f.same(at + "listIterator." + name, () -> listIteratorCall(ai, what, y), () -> listIteratorCall(ei, what, y));
                }
            }
        }
    }

    private static Object listIteratorCall(ListIterator<Integer> it, int what, Integer y) {
        switch (what) {
            case 0:
                return it.next();
            case 1:
                return it.previous();
            case 2:
                it.add(y);
                return null;
            case 3:
                it.set(y);
                return null;
            case 4:
                it.remove();
                return null;
            default:
                return it.nextIndex() + "/" + it.previousIndex() + "/" + it.hasNext() + "/" + it.hasPrevious();
        }
    }

    @Test
    @Timeout(60)
    void tlistAndItsSubListsAgreeWithArrayList() {
        List<Step<TList<Integer>, ArrayList<Integer>>> s = new ArrayList<>();
        UnaryOperator<ArrayList<Integer>> copy = ArrayList::new;
        for (int i = 0; i < 4; i++) {
            s.add((t, m, r, f) -> listCall(t.asList(), m, "", r, f, true));
        }
        s.add((t, m, r, f) -> {
            int i = r.nextInt(-1, m.size() + 2);
            Integer x = element(r);
            switch (r.nextInt(8)) {
                case 0 -> f.same("TList.get " + i, () -> f.tx(() -> t.get(i)), () -> m.get(i));
                case 1 -> f.same("TList.set " + i + "=" + x, () -> f.tx(() -> t.set(i, x)), () -> noNull(x, () -> m.set(i, x)));
                case 2, 3 -> f.same("TList.add " + x, () -> f.tx(() -> t.add(x)), () -> noNull(x, () -> m.add(x)));
                case 4 -> f.same("TList.add " + i + "," + x, () -> f.tx(() -> { t.add(i, x); return null; }),
                        () -> noNull(x, () -> { m.add(i, x); return null; }));
                case 5 -> f.same("TList.remove " + i, () -> f.tx(() -> t.remove(i)), () -> m.remove(i));
                case 6 -> {
                    f.same("TList.size", () -> f.tx(t::size), m::size);
                    f.same("TList.isEmpty", () -> f.tx(t::isEmpty), m::isEmpty);
                }
                default -> {
                    if (r.nextInt(6) == 0) {
                        f.same("TList.clear", () -> f.tx(() -> { t.clear(); return null; }), () -> { m.clear(); return null; });
                    }
                }
            }
        });
        StateCheck<TList<Integer>, ArrayList<Integer>> state = (t, m, f, where) -> {
            List<Integer> v = t.asList();
            f.equal(m, new ArrayList<>(v), "the elements " + where);
            f.equal(m.size(), v.size(), "size " + where);
            f.check(v.equals(m) && m.equals(v), () -> "equals " + where);
            f.equal(m.hashCode(), v.hashCode(), "hashCode " + where);
            for (int i = 0; i < m.size(); i++) {
                f.equal(m.get(i), v.get(i), "get " + i + " " + where);
            }
        };
        for (long seed : seeds(101, 102)) {
            fuzz(new Spec<>("TList", new TList<>(), new ArrayList<>(), copy, s, state), seed, OPS);
        }
        // a long list: inserts and removals shift elements across chunks 0 to 4 (16 to 256 slots)
        for (long seed : seeds(103)) {
            TList<Integer> big = new TList<>();
            ArrayList<Integer> model = new ArrayList<>();
            SplittableRandom fill = new SplittableRandom(seed);
            for (int i = 0; i < 300; i++) {
                model.add(fill.nextInt(10));
            }
            big.asList().addAll(model);
            fuzz(new Spec<>("TList(300)", big, model, copy, s, state), seed, OPS / 2);
        }
    }

    @Test
    @Timeout(60)
    void tarrayAgreesWithAFixedSizeList() {
        int length = 12;
        List<Step<TArray<Integer>, List<Integer>>> s = new ArrayList<>();
        UnaryOperator<List<Integer>> copy = m -> Arrays.asList(m.toArray(new Integer[0]));
        for (int i = 0; i < 3; i++) {
            s.add((t, m, r, f) -> listCall(t.asList(), m, "", r, f, false));
        }
        s.add((t, m, r, f) -> {
            List<Integer> v = t.asList();
            Integer x = element(r);
            int i = r.nextInt(-1, length + 1);
            switch (r.nextInt(7)) {
                case 0 -> f.same("TArray.get " + i, () -> f.tx(() -> t.get(i)), () -> m.get(i));
                case 1, 2 -> f.same("TArray.set " + i + "=" + x, () -> f.tx(() -> t.set(i, x)), () -> m.set(i, x));
                case 3 -> f.same("TArray.length", t::length, m::size);
                case 4 -> f.same("add (fixed size)", () -> v.add(x), () -> m.add(x));
                case 5 -> f.same("remove (fixed size) " + i, () -> v.remove(i), () -> m.remove(i));
                default -> f.same("clear (fixed size)", () -> { v.clear(); return null; }, () -> { m.clear(); return null; });
            }
        });
        StateCheck<TArray<Integer>, List<Integer>> state = (t, m, f, where) -> {
            f.equal(m, new ArrayList<>(t.asList()), "the slots " + where);
            f.check(t.asList().equals(m), () -> "equals " + where);
            f.equal(m.hashCode(), t.asList().hashCode(), "hashCode " + where);
        };
        for (long seed : seeds(111, 112)) {
            fuzz(new Spec<>("TArray(12)", new TArray<>(length), Arrays.asList(new Integer[length]), copy, s, state), seed, OPS);
        }
    }

    // ================================================================== TLongArray vs AtomicLongArray, TCounter vs a long

    @Test
    @Timeout(60)
    void tlongArrayAgreesWithAtomicLongArray() {
        int length = 8;
        List<Step<TLongArray, java.util.concurrent.atomic.AtomicLongArray>> s = new ArrayList<>();
        UnaryOperator<java.util.concurrent.atomic.AtomicLongArray> copy = m -> {
            long[] values = new long[m.length()];
            for (int i = 0; i < values.length; i++) {
                values[i] = m.get(i);
            }
            return new java.util.concurrent.atomic.AtomicLongArray(values);
        };
        s.add((t, m, r, f) -> {
            TLongArray.Atomic v = t.atomic();
            int i = r.nextInt(-1, length + 1);
            long x = r.nextInt(-3, 4) * (r.nextInt(10) == 0 ? Long.MAX_VALUE / 2 : 1);
            switch (r.nextInt(15)) {
                case 0 -> f.same("get " + i, () -> v.get(i), () -> m.get(i));
                case 1 -> f.same("set " + i + "=" + x, () -> { v.set(i, x); return null; }, () -> { m.set(i, x); return null; });
                case 2 -> f.same("getAndSet " + i + "=" + x, () -> v.getAndSet(i, x), () -> m.getAndSet(i, x));
                case 3 -> {
                    long expected = r.nextBoolean() ? x : (i >= 0 && i < length ? m.get(i) : 0);
                    f.same("compareAndSet " + i + " " + expected + "->" + x, () -> v.compareAndSet(i, expected, x),
                            () -> m.compareAndSet(i, expected, x));
                }
                case 4 -> f.same("getAndAdd " + i + "," + x, () -> v.getAndAdd(i, x), () -> m.getAndAdd(i, x));
                case 5 -> f.same("addAndGet " + i + "," + x, () -> v.addAndGet(i, x), () -> m.addAndGet(i, x));
                case 6 -> f.same("incrementAndGet " + i, () -> v.incrementAndGet(i), () -> m.incrementAndGet(i));
                case 7 -> f.same("sum", v::sum, () -> sum(m));
                case 8 -> f.same("length", v::length, m::length);
                case 9 -> f.same("TLongArray.get " + i, () -> f.tx(() -> t.get(i)), () -> m.get(i));
                case 10 -> f.same("TLongArray.set " + i, () -> f.tx(() -> { t.set(i, x); return null; }), () -> { m.set(i, x); return null; });
                case 11 -> f.same("TLongArray.addAndGet " + i + "," + x, () -> f.tx(() -> t.addAndGet(i, x)), () -> m.addAndGet(i, x));
                case 12 -> f.same("TLongArray.sum", () -> f.tx(t::sum), () -> sum(m));
                case 13 -> f.same("TLongArray.length", t::length, m::length);
                default -> {
                    if (!Stm.inTransaction()) { // documented: shows the latest committed values, never joins a transaction
                        f.same("toString", t::toString, () -> "TLongArray" + m);
                    }
                }
            }
        });
        StateCheck<TLongArray, java.util.concurrent.atomic.AtomicLongArray> state = (t, m, f, where) -> {
            for (int i = 0; i < length; i++) {
                f.equal(m.get(i), t.atomic().get(i), "slot " + i + " " + where);
            }
            f.equal(sum(m), t.atomic().sum(), "sum " + where);
        };
        for (long seed : seeds(121, 122)) {
            fuzz(new Spec<>("TLongArray(8)", new TLongArray(length), new java.util.concurrent.atomic.AtomicLongArray(length), copy, s,
                    state), seed, OPS);
        }
    }

    private static long sum(java.util.concurrent.atomic.AtomicLongArray a) {
        long sum = 0;
        for (int i = 0; i < a.length(); i++) {
            sum += a.get(i);
        }
        return sum;
    }

    @Test
    @Timeout(60)
    void tcounterAgreesWithALong() {
        List<Step<TCounter, long[]>> s = new ArrayList<>();
        s.add((t, m, r, f) -> {
            long d = r.nextInt(-5, 6) * (r.nextInt(20) == 0 ? Long.MAX_VALUE / 3 : 1);
            switch (r.nextInt(9)) {
                case 0 -> f.same("add " + d, () -> { t.atomic().add(d); return null; }, () -> { m[0] += d; return null; });
                case 1 -> f.same("increment", () -> { t.atomic().increment(); return null; }, () -> { m[0]++; return null; });
                case 2 -> f.same("get", t.atomic()::get, () -> m[0]);
                case 3 -> {
                    if (r.nextInt(4) == 0) {
                        f.same("reset", () -> { t.atomic().reset(); return null; }, () -> { m[0] = 0; return null; });
                    }
                }
                case 4 -> f.same("TCounter.add " + d, () -> f.tx(() -> { t.add(d); return null; }), () -> { m[0] += d; return null; });
                case 5 -> f.same("TCounter.increment", () -> f.tx(() -> { t.increment(); return null; }), () -> { m[0]++; return null; });
                case 6 -> f.same("TCounter.get", () -> f.tx(t::get), () -> m[0]);
                case 7 -> {
                    if (r.nextInt(4) == 0) {
                        f.same("TCounter.reset", () -> f.tx(() -> { t.reset(); return null; }), () -> { m[0] = 0; return null; });
                    }
                }
                default -> f.same("toString", t::toString, () -> "TCounter[" + m[0] + "]");
            }
        });
        StateCheck<TCounter, long[]> state = (t, m, f, where) -> f.equal(m[0], t.atomic().get(), "the total " + where);
        for (long seed : seeds(131, 132)) {
            fuzz(new Spec<>("TCounter", new TCounter(), new long[1], long[]::clone, s, state), seed, OPS);
        }
    }

    // ================================================================== the checker's twin

    /**
     * The fuzzer must notice a model that keeps what rolled back: fed a "copy" that is the model
     * itself (so work of aborted transactions and scopes stays in it), it must fail.
     */
    @Test
    @Timeout(30)
    void brokenTwinAModelThatKeepsRolledBackWorkIsCaught() {
        Spec<TMap<Object, String>, ConcurrentHashMap<Object, String>> good = tmapSpec("TMap twin", 20, i -> i);
        Spec<TMap<Object, String>, ConcurrentHashMap<Object, String>> broken = new Spec<>(good.name(), good.actual(), good.model(),
                m -> m, good.steps(), good.state());
        AssertionError e = assertThrows(AssertionError.class, () -> fuzz(broken, 7, OPS));
        assertTrue(e.getMessage().contains("seed 7L"), e.getMessage());
        Spec<TList<Integer>, ArrayList<Integer>> list = new Spec<>("TList twin", new TList<>(), new ArrayList<>(), m -> m,
                List.of((t, m, r, f) -> listCall(t.asList(), m, "", r, f, true)), (t, m, f, where) -> f.equal(m, new ArrayList<>(t.asList()), where));
        assertThrows(AssertionError.class, () -> fuzz(list, 8, OPS));
    }

    // ================================================================== findings

    /*
     * Regression (session 18): TMap's in-transaction compute, computeIfAbsent, computeIfPresent
     * and merge called HashTrie.txCompute in the running transaction without a nested scope, so
     * a function that wrote to the map and then threw left its write behind (1=99 committed);
     * the view's calls and TSortedMap's already ran as a nested scope.
     */
    @Test
    void tmapComputeWhoseFunctionWritesThenThrowsLeavesTheMappingUnchanged() {
        TMap<Integer, Integer> hash = new TMap<>();
        TSortedMap<Integer, Integer> sorted = new TSortedMap<>();
        hash.asMap().put(1, 1);
        sorted.asMap().put(1, 1);
        atomic(() -> {
            assertThrows(Abort.class, () -> sorted.compute(1, (k, old) -> { sorted.put(1, 99); throw new Abort(); }));
            assertThrows(Abort.class, () -> hash.asMap().compute(1, (k, old) -> { hash.put(1, 99); throw new Abort(); }));
            assertEquals(1, sorted.get(1), "TSortedMap.compute: the mapping is unchanged");
            assertEquals(1, hash.get(1), "TMap.asMap().compute: the mapping is unchanged");
            assertThrows(Abort.class, () -> hash.compute(1, (k, old) -> { hash.put(1, 99); throw new Abort(); }));
            assertEquals(1, hash.get(1), "TMap.compute threw, so the mapping must be unchanged");
            assertThrows(Abort.class, () -> hash.merge(1, 5, (a, b) -> { hash.put(1, 98); throw new Abort(); }));
            assertEquals(1, hash.get(1), "TMap.merge threw, so the mapping must be unchanged");
            assertThrows(Abort.class, () -> hash.computeIfAbsent(2, k -> { hash.put(2, 97); throw new Abort(); }));
            assertEquals(null, hash.get(2), "TMap.computeIfAbsent threw, so key 2 must stay absent");
        });
        assertEquals(Map.of(1, 1), new HashMap<>(hash.asMap()));
    }

    /*
     * Regression (session 18): an iterator advanced inside an orElse alternative that rolled back
     * (TMap), or made inside one (a TSortedMap sub-map's), went on returning keys only that
     * alternative had written, which the transaction's map does not hold. They now refuse with
     * IllegalStateException (internal.IteratorScope). (A TList list iterator whose remove() ran in
     * a rolled-back scope keeps its shifted position: its later write-through calls check what
     * the list holds and throw ConcurrentModificationException on a mismatch.)
     */
    @Test
    void anIteratorAdvancedInARolledBackScopeReturnsOnlyTheTransactionsEntries() {
        TMap<Integer, Integer> hash = new TMap<>();
        TSortedMap<Integer, Integer> sorted = new TSortedMap<>();
        for (int i = 0; i < 100; i++) {
            hash.asMap().put(2 * i, i);
            sorted.asMap().put(2 * i, i);
        }
        List<Integer> ghosts = atomic(() -> {
            Iterator<Integer> it = hash.asMap().keySet().iterator();
            Stm.orElse(() -> {
                for (int k = 1; k < 200; k += 2) {
                    hash.put(k, -1);
                }
                for (int i = 0; i < 30; i++) {
                    it.next();
                }
                Stm.retry();
            }, () -> { });
            List<Integer> absent = new ArrayList<>();
            try {
                while (it.hasNext()) {
                    Integer k = it.next();
                    if (!hash.containsKey(k)) {
                        absent.add(k);
                    }
                }
                absent.add(-1); // marks a missing refusal
            } catch (IllegalStateException refused) {
                // the iterator read in the rolled-back alternative
            }
            Iterator<Integer>[] escaped = new Iterator[1];
            Stm.orElse(() -> {
                for (int k = 101; k < 140; k += 2) {
                    sorted.put(k, -1);
                }
                escaped[0] = sorted.asMap().tailMap(100).keySet().iterator();
                Stm.retry();
            }, () -> { });
            try {
                while (escaped[0].hasNext()) {
                    Integer k = escaped[0].next();
                    if (!sorted.containsKey(k)) {
                        absent.add(k);
                    }
                }
                absent.add(-2); // marks a missing refusal
            } catch (IllegalStateException refused) {
                // made in the rolled-back alternative
            }
            return absent;
        });
        assertEquals(List.of(), ghosts, "keys the iterators returned that the transaction's maps do not hold "
                + "(-1, -2: an iterator that did not refuse)");
    }

    /*
     * Regression (session 18): a TMap iterator's hasNext() after its transaction answered from a
     * field; next() threw, and the sorted views' iterators threw from both.
     */
    @Test
    void aHashIteratorsHasNextAfterItsTransactionThrowsAsTheSortedOnesDoes() {
        TMap<Integer, Integer> hash = new TMap<>();
        TSortedMap<Integer, Integer> sorted = new TSortedMap<>();
        for (int i = 0; i < 10; i++) {
            hash.asMap().put(i, i);
            sorted.asMap().put(i, i);
        }
        Iterator<Integer> sortedEscaped = atomic(() -> sorted.asMap().keySet().iterator());
        assertThrows(IllegalStateException.class, sortedEscaped::hasNext);
        Iterator<Integer> hashEscaped = atomic(() -> hash.asMap().keySet().iterator());
        assertThrows(IllegalStateException.class, hashEscaped::hasNext);
    }

    /*
     * Regression (session 18): a sub-map's replace outside its range answered null/false (as
     * TreeMap's); it now throws IllegalArgumentException, as ConcurrentSkipListMap's sub-maps and
     * as the sub-map's own put.
     */
    @Test
    void aSubMapReplaceOutsideItsRangeThrowsAsConcurrentSkipListMap() {
        TSortedMap<Integer, Integer> sorted = new TSortedMap<>();
        sorted.asMap().put(50, 1);
        ConcurrentSkipListMap<Integer, Integer> model = new ConcurrentSkipListMap<>(Map.of(50, 1));
        assertThrows(IllegalArgumentException.class, () -> model.headMap(10).replace(50, 2));
        assertThrows(IllegalArgumentException.class, () -> sorted.asMap().headMap(10).replace(50, 2));
        assertThrows(IllegalArgumentException.class, () -> sorted.asMap().headMap(10).replace(50, 1, 2));
    }
}
