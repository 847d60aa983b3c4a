package dev.weft.bench.stmbench7;

/**
 * The mutable attributes of a whole {@link ModuleWorkload} as of one instant, for checking against its
 * {@link Design}; not used by the benchmark's operations.
 *
 * <p>Thread-safety: the arrays are the caller's, filled once and not shared.
 *
 * @param x each atomic part's {@code x}, by part number
 * @param y each atomic part's {@code y}
 * @param buildDate each atomic part's build date
 * @param components for each base assembly, the composite part in each slot
 */
public record ModuleState(int[] x, int[] y, int[] buildDate, int[][] components) {

    /**
     * @param design the design the module was built from
     * @return a state of the design's size, all zero, for a module to fill
     */
    static ModuleState sizedFor(Design design) {
        return new ModuleState(new int[design.parts()], new int[design.parts()], new int[design.parts()],
                new int[design.baseAssemblies()][Design.COMPONENTS_PER_BASE_ASSEMBLY]);
    }
}
