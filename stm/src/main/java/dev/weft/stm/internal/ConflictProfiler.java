package dev.weft.stm.internal;

import dev.weft.stm.ConflictReport;
import dev.weft.stm.spi.TxnCell;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The conflict hot-spot profiler behind {@code Stm.startConflictProfiling()}.
 *
 * <p>Off, it costs each transaction one opaque read of {@link #on} at start and each commit one
 * more. On, a transaction looks up its site (a stack walk once per body class, then a map hit),
 * each abort counts its ref and site and attributes the cause, and each commit remembers its site
 * as the last writer of the cells it wrote. Everything is kept in concurrent maps and
 * {@link LongAdder}s, allocated only while profiling; stopping clears them.
 */
final class ConflictProfiler {
    private static volatile boolean on;

    private static final Map<Class<?>, String> SITE_OF_BODY = new ConcurrentHashMap<>();
    private static final Map<Long, String> SITE_OF_OWNER = new ConcurrentHashMap<>();
    private static final Map<TxnCell, String> LAST_WRITER = new ConcurrentHashMap<>();
    private static final Map<TxnCell, LongAdder> REF_SUFFERED = new ConcurrentHashMap<>();
    private static final Map<String, LongAdder> SITE_SUFFERED = new ConcurrentHashMap<>();
    private static final Map<String, LongAdder> SITE_CAUSED = new ConcurrentHashMap<>();

    private ConflictProfiler() {}

    static boolean isOn() {
        return WeftEvents.AVAILABLE && (boolean) ON.getOpaque();
    }

    static void start() {
        clear();
        on = true;
    }

    static ConflictReport stop() {
        on = false;
        ConflictReport report = report();
        clear();
        return report;
    }

    private static void clear() {
        SITE_OF_OWNER.clear();
        LAST_WRITER.clear();
        REF_SUFFERED.clear();
        SITE_SUFFERED.clear();
        SITE_CAUSED.clear();
    }

    /** The site of a body: the first frame outside Weft when a body of its class first ran. */
    static String siteOf(Object body, long ownerId) {
        String site = SITE_OF_BODY.get(body.getClass());
        if (site == null) { // walk here, not inside a map function whose frames would come first
            site = walkToSite();
            SITE_OF_BODY.putIfAbsent(body.getClass(), site);
        }
        SITE_OF_OWNER.put(ownerId, site);
        return site;
    }

    /**
     * The caller of the engine's entry point ({@code Stm.atomic}, ...), skipping Weft's collections,
     * whose view methods run transactions of their own on behalf of their caller.
     */
    private static String walkToSite() {
        return StackWalker.getInstance().walk(frames -> frames
                .dropWhile(f -> !f.getClassName().startsWith("dev.weft.stm."))
                .dropWhile(f -> f.getClassName().startsWith("dev.weft.stm."))
                .filter(f -> !f.getClassName().startsWith("dev.weft.collections.")
                        || f.getClassName().endsWith("Test"))
                .findFirst()
                .map(f -> f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                .orElse("(unknown)"));
    }

    static void committed(String site, TxnCell[] cells, int count) {
        if (site == null) {
            return;
        }
        for (int i = 0; i < count; i++) {
            LAST_WRITER.put(cells[i], site);
        }
    }

    static void aborted(String site, TxnCell cell, long opponent) {
        if (site != null) {
            SITE_SUFFERED.computeIfAbsent(site, k -> new LongAdder()).increment();
        }
        if (cell != null) {
            REF_SUFFERED.computeIfAbsent(cell, k -> new LongAdder()).increment();
        }
        String winner = opponent > 0 ? SITE_OF_OWNER.get(opponent) : null;
        if (winner == null && cell != null) {
            winner = LAST_WRITER.get(cell);
        }
        if (winner != null) {
            SITE_CAUSED.computeIfAbsent(winner, k -> new LongAdder()).increment();
        }
    }

    static ConflictReport report() {
        List<ConflictReport.Entry> refs = new ArrayList<>();
        REF_SUFFERED.forEach((cell, count) -> refs.add(new ConflictReport.Entry(name(cell), count.sum(), 0)));
        refs.sort(Comparator.comparingLong(ConflictReport.Entry::suffered).reversed());
        Map<String, long[]> bySite = new java.util.HashMap<>();
        SITE_SUFFERED.forEach((site, count) -> bySite.computeIfAbsent(site, k -> new long[2])[0] = count.sum());
        SITE_CAUSED.forEach((site, count) -> bySite.computeIfAbsent(site, k -> new long[2])[1] = count.sum());
        List<ConflictReport.Entry> sites = new ArrayList<>();
        bySite.forEach((site, counts) -> sites.add(new ConflictReport.Entry(site, counts[0], counts[1])));
        sites.sort(Comparator.comparingLong((ConflictReport.Entry e) -> e.suffered() + e.caused()).reversed());
        return new ConflictReport(refs, sites);
    }

    static String name(TxnCell cell) {
        String label = CellAccess.label(cell);
        return label != null ? label
                : cell.getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(cell));
    }

    private static final VarHandle ON;

    static {
        try {
            ON = MethodHandles.lookup().findStaticVarHandle(ConflictProfiler.class, "on", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
