package dev.weft.check;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * Lincheck options sized for checking structures built on Weft: small enough for every build,
 * larger on demand.
 *
 * <pre>{@code
 * @Test
 * void accountsAreLinearizable() {
 *     WeftLincheck.modelChecking().sequentialSpecification(AccountsSpec.class).check(Accounts.class);
 * }
 * }</pre>
 *
 * <p>Sizes come from the {@value #SCALE_PROPERTY} system property (default 1; Weft's own build sets
 * 20 under {@code -Pstress}):
 * <table>
 *   <caption>Sizes at scale s</caption>
 *   <tr><th></th><th>s &lt; 10</th><th>s &ge; 10</th></tr>
 *   <tr><td>threads in the parallel part</td><td>2</td><td>3</td></tr>
 *   <tr><td>operations per thread</td><td>3</td><td>4</td></tr>
 *   <tr><td>operations before / after the parallel part</td><td>1 / 1</td><td>1 / 1</td></tr>
 *   <tr><td>model checking: scenarios x interleavings per scenario</td><td colspan="2">10s x 300</td></tr>
 *   <tr><td>stress: scenarios x runs per scenario</td><td colspan="2">10s x 200</td></tr>
 * </table>
 * Each call returns new, mutable options, so a test can adjust them (for example
 * {@code .sequentialSpecification(...)} or {@code .actorsPerThread(...)}) before {@code check}.
 *
 * <p>Model checking explores interleavings at every shared-memory access, including the engine's
 * own, and is the reliable bug finder: it catches a non-atomic composition of two transactions
 * within a few seconds. Stress runs the scenario on real threads; on a machine with few cores it
 * rarely hits a narrow race, so use it as a complement, never as the only check.
 *
 * <p>Weft's commits and one-operation updates lock the cells they write, so do not ask for
 * {@code checkObstructionFreedom(true)}: it reports those short waits as "an active lock is
 * detected". Such a failure, like a detected hang, makes Lincheck abort its threads wherever they
 * are, possibly inside a transaction, and Weft keeps one transaction descriptor per thread: the
 * trace Lincheck then records on the same threads runs inside the leftover transaction, so treat
 * anything reported after the first failure of such a run as noise.
 *
 * <p>Thread-safety: the static methods may be called from any thread; the options they return
 * are ordinary Lincheck options, not thread-safe, owned by the caller.
 */
public final class WeftLincheck {
    /** The system property that scales scenario sizes and iteration counts (an int, at least 1). */
    public static final String SCALE_PROPERTY = "weft.test.scale";

    private static final int LARGE_SCALE = 10;
    private static final int MODEL_CHECKING_INVOCATIONS = 300;
    private static final int STRESS_INVOCATIONS = 200;
    private static final int ACTORS_BEFORE = 1;
    private static final int ACTORS_AFTER = 1;

    private WeftLincheck() {}

    /**
     * The current scale: the {@value #SCALE_PROPERTY} system property, 1 when absent.
     *
     * @return the scale, at least 1
     * @throws IllegalArgumentException if the property is set but is not a positive integer
     */
    public static int scale() {
        String value = System.getProperty(SCALE_PROPERTY);
        if (value == null || value.isBlank()) {
            return 1;
        }
        int scale;
        try {
            scale = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "-D" + SCALE_PROPERTY + "=" + value + " is not an integer; use a positive integer such as 1 or 20", e);
        }
        if (scale < 1) {
            throw new IllegalArgumentException(
                    "-D" + SCALE_PROPERTY + "=" + value + " must be at least 1; 1 is the quick default");
        }
        return scale;
    }

    /**
     * Model-checking options at the current {@link #scale()}: 10 x scale scenarios, each explored
     * in 300 interleavings.
     *
     * @return new options; set a {@code sequentialSpecification} before {@code check} unless the
     *     tested class is its own specification
     */
    public static ModelCheckingOptions modelChecking() {
        int scale = scale();
        return new ModelCheckingOptions()
                .iterations(10 * scale)
                .invocationsPerIteration(MODEL_CHECKING_INVOCATIONS)
                .threads(threads(scale))
                .actorsPerThread(actorsPerThread(scale))
                .actorsBefore(ACTORS_BEFORE)
                .actorsAfter(ACTORS_AFTER);
    }

    /**
     * Stress options at the current {@link #scale()}: 10 x scale scenarios, each run 200 times on
     * real threads.
     *
     * @return new options; set a {@code sequentialSpecification} before {@code check} unless the
     *     tested class is its own specification
     */
    public static StressOptions stress() {
        int scale = scale();
        return new StressOptions()
                .iterations(10 * scale)
                .invocationsPerIteration(STRESS_INVOCATIONS)
                .threads(threads(scale))
                .actorsPerThread(actorsPerThread(scale))
                .actorsBefore(ACTORS_BEFORE)
                .actorsAfter(ACTORS_AFTER);
    }

    private static int threads(int scale) {
        return scale >= LARGE_SCALE ? 3 : 2;
    }

    private static int actorsPerThread(int scale) {
        return scale >= LARGE_SCALE ? 4 : 3;
    }
}
