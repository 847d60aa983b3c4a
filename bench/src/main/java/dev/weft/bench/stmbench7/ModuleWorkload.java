package dev.weft.bench.stmbench7;

/**
 * An STMBench7-shaped module built from a {@link Design} over one concurrency-control scheme
 * (Weft, a peer STM, or a lock), with the benchmark's operations.
 *
 * <p>Operations, in STMBench7's classes:
 * <ul>
 *   <li>long read-only traversal ({@link Worker#traverse()}, STMBench7's T1): depth-first through
 *       the assembly tree, every slot of every base assembly, and each composite part's graph of
 *       atomic parts, reading {@code x} and {@code y} of each part visited;</li>
 *   <li>short read-only operations: {@link Worker#lookUpParts} (STMBench7's OP1: atomic parts by
 *       id through the index) and {@link Worker#readBaseAssembly} (a short traversal: every
 *       atomic part of one base assembly's components);</li>
 *   <li>short updates: {@link Worker#swapPart} (one part found by id: swap {@code x} and
 *       {@code y}, update its build date) and {@link Worker#updateComposite} (the same for every
 *       atomic part of one composite part, as STMBench7's OP9/OP10);</li>
 *   <li>a cheap structure modification: {@link Worker#exchangeComponents}, which swaps the
 *       composite parts in two base assemblies' slots.</li>
 * </ul>
 * Each operation is one transaction (or one critical section); the read-only ones return what
 * they saw, so that the caller can check it against the design.
 *
 * <p>Thread-safety: implementations are thread-safe; each thread uses its own {@link Worker},
 * which is not.
 */
public interface ModuleWorkload {
    /** @return the name shown in failure messages */
    String name();

    /** @return the design the module was built from */
    Design design();

    /** @return a worker for one thread */
    Worker newWorker();

    /**
     * Reads every attribute and slot in one transaction (or under the lock); for checks, not
     * for measuring.
     *
     * @return the module's state as of one instant
     */
    ModuleState snapshot();

    /** One thread's access to the module. Not thread-safe: one per thread. */
    interface Worker {
        /**
         * The long traversal; afterwards {@link #visits()} says how many atomic parts it visited.
         *
         * @return the sum of {@code x + y} over every visit (a part in several slots counts each
         *         time), {@link Design#expectedSum()} in every consistent state
         */
        long traverse();

        /** @return how many atomic parts the last {@link #traverse()} visited */
        int visits();

        /**
         * Looks atomic parts up by id in the index and reads them.
         *
         * @param parts the part numbers to look up (the index is keyed by {@link Design#key})
         * @return how many of the parts had an {@code x + y} other than the design's: 0 in every
         *         consistent state
         */
        int lookUpParts(int[] parts);

        /**
         * Reads every atomic part of the composite parts in one base assembly's slots.
         *
         * @param base a base assembly
         * @return how many of those parts had an {@code x + y} other than the design's
         */
        int readBaseAssembly(int base);

        /**
         * Looks one atomic part up by id, swaps its {@code x} and {@code y} and updates its build
         * date.
         *
         * @param part the part number
         */
        void swapPart(int part);

        /**
         * Swaps {@code x} and {@code y} and updates the build date of every atomic part of one
         * composite part.
         *
         * @param composite the composite part
         */
        void updateComposite(int composite);

        /**
         * Exchanges the composite parts in two slots (which may be the same slot, or hold the same
         * part: then nothing changes).
         *
         * @param base a base assembly
         * @param slot one of its slots
         * @param otherBase another (or the same) base assembly
         * @param otherSlot one of its slots
         */
        void exchangeComponents(int base, int slot, int otherBase, int otherSlot);
    }
}
