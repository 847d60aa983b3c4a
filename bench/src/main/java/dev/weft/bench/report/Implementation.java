package dev.weft.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a benchmark method measures, read from its name: the benchmarks of {@code dev.weft.bench}
 * name each method after the implementation it runs ({@code weft}, {@code weftInlineLambda},
 * {@code multiverse}, {@code scalaStm}, {@code clojure}, {@code atomicLong}, {@code lock}, ...).
 *
 * <p>Thread-safety: immutable.
 *
 * @param method the benchmark method name
 * @param role what the report compares it as
 * @param label the name shown in tables and chart legends
 */
public record Implementation(String method, Role role, String label) {

    /** What the report does with an implementation. */
    public enum Role {
        /** Weft itself: a method named {@code weft} or starting with it ({@code weftInlineLambda}). */
        WEFT,
        /** Another STM: Multiverse, ScalaSTM, Clojure refs. */
        STM_PEER,
        /**
         * A non-transactional baseline ({@code AtomicLong}, {@code java.util.concurrent}
         * collections, locks): the yardstick the regression gate divides by.
         */
        BASELINE
    }

    private static final Map<String, String> LABELS = Map.ofEntries(
            Map.entry("weft", "Weft"),
            Map.entry("weftInlineLambda", "Weft, inline capturing lambda"),
            Map.entry("multiverse", "Multiverse"),
            Map.entry("scalaStm", "ScalaSTM"),
            Map.entry("clojure", "Clojure refs"),
            Map.entry("multiverseInTransaction", "Multiverse"),
            Map.entry("clojureInTransaction", "Clojure refs"),
            Map.entry("multiverseOneOp", "Multiverse, one-operation call"),
            Map.entry("scalaStmOneOp", "ScalaSTM, one-operation call"),
            Map.entry("atomicLong", "AtomicLong"),
            Map.entry("lock", "ReentrantLock"),
            Map.entry("readWriteLock", "ReentrantReadWriteLock"),
            Map.entry("concurrentHashMap", "ConcurrentHashMap"),
            Map.entry("concurrentSkipListMap", "ConcurrentSkipListMap"),
            Map.entry("synchronizedHashMap", "synchronized HashMap"),
            Map.entry("lockedTreeMap", "TreeMap + ReentrantLock"),
            Map.entry("concurrentLinkedQueue", "ConcurrentLinkedQueue"),
            Map.entry("arrayBlockingQueue", "ArrayBlockingQueue"));

    /** Lower-case name prefixes of Weft (the first) and the STM peers (the rest). */
    private static final List<String> TRANSACTIONAL_PREFIXES = List.of("weft", "multiverse", "scalastm", "clojure");
    private static final String INLINE_LAMBDA = "InlineLambda";

    /**
     * @param method a benchmark method name
     * @return its role and label; unknown names are baselines labelled with the method name
     */
    public static Implementation of(String method) {
        return new Implementation(method, roleOf(method), LABELS.getOrDefault(method, method));
    }

    /**
     * The operation the method measures: its name without the implementation's prefix, so that
     * {@code weftPut} and {@code scalaStmPut} measure {@code "Put"}, {@code weft} and
     * {@code multiverse} the benchmark's one operation ({@code ""}). A Weft method ending in
     * {@code InlineLambda} measures the same operation as the method without it, written with a
     * capturing lambda. Baselines carry no known prefix: their operation is their whole name.
     *
     * @return the operation, compared across implementations by {@link RatioTable}
     */
    public String operation() {
        String lower = method.toLowerCase(Locale.ROOT);
        for (String prefix : TRANSACTIONAL_PREFIXES) {
            if (lower.startsWith(prefix)) {
                String operation = method.substring(prefix.length());
                return role == Role.WEFT && operation.endsWith(INLINE_LAMBDA)
                        ? operation.substring(0, operation.length() - INLINE_LAMBDA.length())
                        : operation;
            }
        }
        return method;
    }

    private static Role roleOf(String method) {
        String lower = method.toLowerCase(Locale.ROOT);
        for (int i = 0; i < TRANSACTIONAL_PREFIXES.size(); i++) {
            if (lower.startsWith(TRANSACTIONAL_PREFIXES.get(i))) {
                return i == 0 ? Role.WEFT : Role.STM_PEER;
            }
        }
        return Role.BASELINE;
    }
}
