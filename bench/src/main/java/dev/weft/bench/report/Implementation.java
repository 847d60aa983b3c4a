package dev.weft.bench.report;

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
            Map.entry("atomicLong", "AtomicLong"),
            Map.entry("lock", "ReentrantLock"),
            Map.entry("readWriteLock", "ReentrantReadWriteLock"),
            Map.entry("concurrentHashMap", "ConcurrentHashMap"),
            Map.entry("concurrentSkipListMap", "ConcurrentSkipListMap"),
            Map.entry("synchronizedHashMap", "synchronized HashMap"),
            Map.entry("lockedTreeMap", "TreeMap + ReentrantLock"),
            Map.entry("concurrentLinkedQueue", "ConcurrentLinkedQueue"),
            Map.entry("arrayBlockingQueue", "ArrayBlockingQueue"));

    /**
     * @param method a benchmark method name
     * @return its role and label; unknown names are baselines labelled with the method name
     */
    public static Implementation of(String method) {
        return new Implementation(method, roleOf(method), LABELS.getOrDefault(method, method));
    }

    private static Role roleOf(String method) {
        String lower = method.toLowerCase(Locale.ROOT);
        if (lower.startsWith("weft")) {
            return Role.WEFT;
        }
        if (lower.startsWith("multiverse") || lower.startsWith("scalastm") || lower.startsWith("clojure")) {
            return Role.STM_PEER;
        }
        return Role.BASELINE;
    }
}
