package dev.weft.bench.stmbench7;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The shape of the benchmark's module, fixed by a seed: a small STMBench7 design. Every
 * {@link ModuleWorkload} builds its own mutable objects from one design, so all implementations run over
 * the same graph with the same initial values, and the design knows what every consistent state
 * of a module looks like.
 *
 * <pre>
 * module ─ design root: complex assembly (level 5)
 *            └ 3 complex assemblies (level 4) └ 3 (level 3) └ 3 (level 2)   40 complex assemblies
 *                └ 3 base assemblies each (level 1)                         81 base assemblies
 *                    └ 3 component slots each → composite parts             243 slots, 200 composite parts
 *                        └ 20 atomic parts, each connected to 3 others       4,000 atomic parts
 * </pre>
 *
 * <p>As in STMBench7, a composite part can be a component of several base assemblies (43 of the
 * 243 slots repeat a part), a composite part's atomic parts form a graph reached from its root
 * part, and an atomic part has an id (1 .. 4,000, looked up through an index), {@code x},
 * {@code y} and a {@code buildDate}. Unlike STMBench7, every composite part is a component at
 * least once, so the long traversal reaches every atomic part, and the graph's first connection
 * of every part is a ring through the composite's parts, so it is connected.
 *
 * <p>The updates preserve three invariants, which {@link #violations(ModuleState)} checks:
 * <ul>
 *   <li>an atomic part's {@code x + y} never changes (updates swap {@code x} and {@code y});</li>
 *   <li>its {@code buildDate} stays within 1 of its initial value (updates toggle it between an
 *       even and an odd date, as STMBench7's {@code updateBuildDate});</li>
 *   <li>the slots hold the same composite parts as at the start, in some order (the structure
 *       modification exchanges two slots).</li>
 * </ul>
 * So the long traversal always visits {@link #expectedVisits()} atomic parts whose {@code x + y}
 * sum to {@link #expectedSum()}: a traversal that sees a torn update (half a swap, or a slot
 * exchange seen in only one of its two base assemblies) returns another sum.
 *
 * <p>Thread-safety: immutable; the arrays are never written after construction and never handed
 * out.
 */
public final class Design {
    /** Levels of assemblies, as STMBench7's {@code NumAssmLevels}: 4 of complex assemblies and 1 of base assemblies. */
    public static final int ASSEMBLY_LEVELS = 5;
    /** Children of every complex assembly, as STMBench7's {@code NumAssmPerAssm}. */
    public static final int ASSEMBLIES_PER_ASSEMBLY = 3;
    /** Component slots of every base assembly, as STMBench7's {@code NumCompPerAssm}. */
    public static final int COMPONENTS_PER_BASE_ASSEMBLY = 3;
    /** Composite parts in the design library, as STMBench7's {@code NumCompParts} (500 there). */
    public static final int COMPOSITE_PARTS = 200;
    /** Atomic parts per composite part, as STMBench7's {@code NumAtomicPerComp} (200 there). */
    public static final int PARTS_PER_COMPOSITE = 20;
    /** Outgoing connections of every atomic part, as STMBench7's {@code NumConnPerAtomic}. */
    public static final int CONNECTIONS_PER_PART = 3;
    /** Initial {@code x} and {@code y} are drawn from {@code 0 .. MAX_COORDINATE - 1}. */
    public static final int MAX_COORDINATE = 1000;
    /** Initial build dates are drawn from STMBench7's {@code MinAtomicDate .. MaxAtomicDate}. */
    public static final int MIN_BUILD_DATE = 1000;
    /** See {@link #MIN_BUILD_DATE}. */
    public static final int MAX_BUILD_DATE = 1999;
    /** The seed of {@link #standard()}. */
    public static final long STANDARD_SEED = 7;

    private final int complexAssemblies;
    private final int firstLeafComplexAssembly;
    private final int baseAssemblies;
    private final int parts;
    private final Integer[] partKeys;      // the id of part p, boxed once: p + 1
    private final int[][] connections;     // part -> the parts its connections lead to
    private final int[] x;
    private final int[] y;
    private final int[] buildDate;
    private final int[][] components;      // base assembly -> the composite part in each slot
    private final long expectedSum;
    private final int expectedVisits;

    private Design(long seed) {
        Random random = new Random(seed);
        int complex = 0;
        int level = 1;
        for (int l = 1; l < ASSEMBLY_LEVELS; l++) {
            complex += level;
            level *= ASSEMBLIES_PER_ASSEMBLY;
        }
        complexAssemblies = complex;
        firstLeafComplexAssembly = complex - level / ASSEMBLIES_PER_ASSEMBLY;
        baseAssemblies = level;
        parts = COMPOSITE_PARTS * PARTS_PER_COMPOSITE;

        partKeys = new Integer[parts];
        connections = new int[parts][CONNECTIONS_PER_PART];
        x = new int[parts];
        y = new int[parts];
        buildDate = new int[parts];
        for (int p = 0; p < parts; p++) {
            partKeys[p] = p + 1;
            int first = p - p % PARTS_PER_COMPOSITE;
            connections[p][0] = first + (p - first + 1) % PARTS_PER_COMPOSITE; // the ring
            for (int c = 1; c < CONNECTIONS_PER_PART; c++) {
                connections[p][c] = first + random.nextInt(PARTS_PER_COMPOSITE);
            }
            x[p] = random.nextInt(MAX_COORDINATE);
            y[p] = random.nextInt(MAX_COORDINATE);
            buildDate[p] = MIN_BUILD_DATE + random.nextInt(MAX_BUILD_DATE - MIN_BUILD_DATE + 1);
        }

        int slots = baseAssemblies * COMPONENTS_PER_BASE_ASSEMBLY;
        if (slots < COMPOSITE_PARTS) {
            throw new IllegalStateException("fewer slots than composite parts: some would never be traversed");
        }
        List<Integer> library = new ArrayList<>(slots);
        for (int c = 0; c < slots; c++) {
            library.add(c < COMPOSITE_PARTS ? c : random.nextInt(COMPOSITE_PARTS));
        }
        Collections.shuffle(library, random);
        components = new int[baseAssemblies][COMPONENTS_PER_BASE_ASSEMBLY];
        long sum = 0;
        for (int b = 0; b < baseAssemblies; b++) {
            for (int s = 0; s < COMPONENTS_PER_BASE_ASSEMBLY; s++) {
                int composite = library.get(b * COMPONENTS_PER_BASE_ASSEMBLY + s);
                components[b][s] = composite;
                for (int p = firstPart(composite); p < firstPart(composite) + PARTS_PER_COMPOSITE; p++) {
                    sum += x[p] + y[p];
                }
            }
        }
        expectedSum = sum;
        expectedVisits = slots * PARTS_PER_COMPOSITE;
    }

    /** @return the design every benchmark and test uses, built from {@link #STANDARD_SEED} */
    public static Design standard() {
        return new Design(STANDARD_SEED);
    }

    // ------------------------------------------------------------------ the assembly tree

    /**
     * Complex assemblies are numbered breadth-first from the design root, 0: the children of
     * {@code c} are {@code 3c + 1 .. 3c + 3}.
     *
     * @return the number of complex assemblies
     */
    public int complexAssemblies() {
        return complexAssemblies;
    }

    /**
     * @param complex a complex assembly
     * @return whether its children are base assemblies rather than complex assemblies
     */
    public boolean hasBaseAssemblies(int complex) {
        return complex >= firstLeafComplexAssembly;
    }

    /**
     * @param complex a complex assembly
     * @param child {@code 0 .. ASSEMBLIES_PER_ASSEMBLY - 1}
     * @return the child, a complex assembly or (when {@link #hasBaseAssemblies}) a base assembly
     */
    public int child(int complex, int child) {
        return hasBaseAssemblies(complex)
                ? (complex - firstLeafComplexAssembly) * ASSEMBLIES_PER_ASSEMBLY + child
                : complex * ASSEMBLIES_PER_ASSEMBLY + 1 + child;
    }

    /** @return the number of base assemblies */
    public int baseAssemblies() {
        return baseAssemblies;
    }

    /**
     * @param base a base assembly
     * @param slot {@code 0 .. COMPONENTS_PER_BASE_ASSEMBLY - 1}
     * @return the composite part initially in that slot
     */
    public int component(int base, int slot) {
        return components[base][slot];
    }

    // ------------------------------------------------------------------ parts

    /** @return the number of atomic parts; they are numbered {@code 0 .. parts() - 1} */
    public int parts() {
        return parts;
    }

    /**
     * @param composite a composite part
     * @return its first atomic part, the root of its graph; its parts are the next
     *         {@link #PARTS_PER_COMPOSITE}
     */
    public static int firstPart(int composite) {
        return composite * PARTS_PER_COMPOSITE;
    }

    /**
     * @param part an atomic part
     * @return its id in the index, boxed once here so that looking it up allocates nothing
     */
    public Integer key(int part) {
        return partKeys[part];
    }

    /**
     * @param part an atomic part
     * @param connection {@code 0 .. CONNECTIONS_PER_PART - 1}
     * @return the part that connection leads to, in the same composite part
     */
    public int connection(int part, int connection) {
        return connections[part][connection];
    }

    /**
     * @param part an atomic part
     * @return its initial {@code x}
     */
    public int x(int part) {
        return x[part];
    }

    /**
     * @param part an atomic part
     * @return its initial {@code y}
     */
    public int y(int part) {
        return y[part];
    }

    /**
     * @param part an atomic part
     * @return its {@code x + y}, which no update changes
     */
    public int xPlusY(int part) {
        return x[part] + y[part];
    }

    /**
     * @param part an atomic part
     * @return its initial build date
     */
    public int buildDate(int part) {
        return buildDate[part];
    }

    /**
     * STMBench7's {@code updateBuildDate}: an even date goes down by one, an odd one up by one.
     *
     * @param date a build date
     * @return the date after one update
     */
    public static int nextBuildDate(int date) {
        return date % 2 == 0 ? date - 1 : date + 1;
    }

    // ------------------------------------------------------------------ what consistency looks like

    /** @return how many atomic parts the long traversal visits: each slot's composite's parts */
    public int expectedVisits() {
        return expectedVisits;
    }

    /** @return the sum of {@code x + y} over the long traversal's visits, in every consistent state */
    public long expectedSum() {
        return expectedSum;
    }

    /**
     * Checks a state of a module against the invariants in the class comment.
     *
     * @param state a state read in one transaction (or quiescent)
     * @return a description of each broken invariant, at most a few per kind; empty when none
     */
    public List<String> violations(ModuleState state) {
        List<String> found = new ArrayList<>();
        for (int p = 0; p < parts && found.size() < 5; p++) {
            if (state.x()[p] + state.y()[p] != xPlusY(p)) {
                found.add("part " + key(p) + ": x + y = " + (state.x()[p] + state.y()[p]) + ", expected " + xPlusY(p));
            }
            if (Math.abs(state.buildDate()[p] - buildDate[p]) > 1) {
                found.add("part " + key(p) + ": build date " + state.buildDate()[p] + ", initially " + buildDate[p]);
            }
        }
        int[] now = Arrays.stream(state.components()).flatMapToInt(Arrays::stream).sorted().toArray();
        int[] then = Arrays.stream(components).flatMapToInt(Arrays::stream).sorted().toArray();
        if (!Arrays.equals(now, then)) {
            found.add("the base assemblies' slots no longer hold the initial composite parts");
        }
        return found;
    }
}
