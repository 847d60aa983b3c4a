package dev.weft.check;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Objects;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * The JUnit 5 entry point for checking a structure built on Weft with Lincheck, and the option
 * presets behind it: small enough for every build, larger on demand.
 *
 * <pre>{@code
 * @Test
 * void accountsAreLinearizable() {
 *     WeftLincheck.check(Accounts.class, AccountsSpec.class); // model checking, then stress
 * }
 * }</pre>
 *
 * <p>{@link #check(Class, Class)} runs model checking and then stress testing with the presets
 * below and fails with Lincheck's {@code LincheckAssertionError} (an {@link AssertionError}) whose
 * message shows the failing scenario and, for model checking, the interleaving that leads to it.
 * The structure's operations are public methods annotated {@code @Operation}; each may run
 * whole transactions over several refs ({@code Stm.atomic}) or one-operation views. The tested
 * JVM needs {@code -XX:+EnableDynamicAgentLoading} (and on JDK 24+ also
 * {@code --sun-misc-unsafe-memory-access=allow}) to run without warnings; see
 * {@code docs/testing.md} for the Surefire set-up.
 *
 * <p><b>Blocking operations.</b> Lincheck 3.7 checks only operations that return in every
 * interleaving of the scenarios it generates: from Java, a call that waits for another thread
 * (a take on an empty queue, a Weft {@code retry}) is reported as {@code <hung>} whenever the
 * generated scenario has nothing to wake it, {@code @Operation(blocking = true)} notwithstanding
 * (dual, suspending semantics need Kotlin {@code suspend} functions). Check the non-blocking
 * variants (poll, tryTake) with {@link #check}, and the blocking ones with
 * {@link #checkScenarios} on hand-written {@link BlockingScenario}s in which every blocking call
 * is eventually satisfied.
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
    private static final int SCENARIO_INVOCATIONS = 100;
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
        return withEngineGuarantees(new ModelCheckingOptions())
                .iterations(10 * scale)
                .invocationsPerIteration(MODEL_CHECKING_INVOCATIONS)
                .threads(threads(scale))
                .actorsPerThread(actorsPerThread(scale))
                .actorsBefore(ACTORS_BEFORE)
                .actorsAfter(ACTORS_AFTER);
    }

    /**
     * Adds the engine's guarantees to model-checking options built by hand: the model checker
     * runs the engine's statistics bookkeeping ({@code TxnCounters}, done once when a thread
     * first uses Weft) without analysing it. That code shares a registry between threads with a
     * lock and a bounded sweep; analysed, it is the one place where the model checker, which
     * starts new threads for its runs, spends its switches (and took a loop in it for a hung
     * thread), instead of between the user's transactions. It has no effect on what a transaction
     * sees. {@link #modelChecking()} and {@link #checkScenarios} already include it.
     *
     * @param options options to extend; returned for chaining
     * @return {@code options}
     */
    public static ModelCheckingOptions withEngineGuarantees(ModelCheckingOptions options) {
        return options.addGuarantee(ManagedStrategyGuaranteeKt.forClasses("dev.weft.stm.internal.TxnCounters")
                .allMethods().ignore());
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

    /**
     * Checks that {@code structure} is linearizable with respect to {@code sequentialSpecification}:
     * model checking with {@link #modelChecking()}, then stress with {@link #stress()}.
     *
     * @param structure a public (static, if nested) class with a public no-argument constructor
     *     and public {@code @Operation} methods
     * @param sequentialSpecification a public class with a public no-argument constructor and
     *     methods of the same names and parameter types, run one operation at a time
     * @throws AssertionError ({@code LincheckAssertionError}) with the failing scenario and
     *     interleaving if the structure is not linearizable
     * @throws IllegalArgumentException if either class cannot be instantiated by Lincheck,
     *     {@code structure} has no {@code @Operation} method, or the specification lacks one of
     *     its operations (same name and parameter types)
     */
    public static void check(Class<?> structure, Class<?> sequentialSpecification) {
        requireOperations(structure);
        requireInstantiable(sequentialSpecification, "sequential specification");
        requireMatchingSpecification(structure, sequentialSpecification);
        modelChecking().sequentialSpecification(sequentialSpecification).check(structure);
        stress().sequentialSpecification(sequentialSpecification).check(structure);
    }

    /**
     * {@link #check(Class, Class)} with the structure as its own sequential specification: a
     * Weft structure run one operation at a time on one thread is the behaviour every concurrent
     * execution must be explainable by. This finds atomicity bugs, not bugs that also show
     * sequentially.
     *
     * @param structure the structure; see {@link #check(Class, Class)}
     */
    public static void check(Class<?> structure) {
        check(structure, structure);
    }

    /**
     * Checks only the given scenarios, in model checking ({@code 100 x scale} interleavings of
     * each) and in stress ({@code 100 x scale} runs of each): the way to check blocking operations,
     * with scenarios in which every blocking call is eventually satisfied (see
     * {@link BlockingScenario}).
     *
     * @param structure the structure; see {@link #check(Class, Class)}
     * @param sequentialSpecification its specification; a blocking operation should return a
     *     value the structure never returns when it would block, so that orders in which it
     *     would wait are rejected
     * @param scenarios at least one scenario built for {@code structure}
     * @throws AssertionError ({@code LincheckAssertionError}) on a violation or a hang
     */
    public static void checkScenarios(Class<?> structure, Class<?> sequentialSpecification,
            List<ExecutionScenario> scenarios) {
        requireOperations(structure);
        requireInstantiable(sequentialSpecification, "sequential specification");
        requireMatchingSpecification(structure, sequentialSpecification);
        if (scenarios.isEmpty()) {
            throw new IllegalArgumentException("no scenario given; build them with BlockingScenario.of(structure)");
        }
        ModelCheckingOptions model = withEngineGuarantees(new ModelCheckingOptions()).iterations(0)
                .invocationsPerIteration(SCENARIO_INVOCATIONS * scale())
                .sequentialSpecification(sequentialSpecification);
        StressOptions stress = new StressOptions().iterations(0)
                .invocationsPerIteration(SCENARIO_INVOCATIONS * scale())
                .sequentialSpecification(sequentialSpecification);
        for (ExecutionScenario scenario : scenarios) {
            model.addCustomScenario(scenario);
            stress.addCustomScenario(scenario);
        }
        model.check(structure);
        stress.check(structure);
    }

    static void requireOperations(Class<?> structure) {
        requireInstantiable(structure, "tested structure");
        for (Method method : structure.getMethods()) {
            if (method.isAnnotationPresent(Operation.class)) {
                return;
            }
        }
        throw new IllegalArgumentException(structure.getName() + " has no public method annotated "
                + "@org.jetbrains.lincheck.datastructures.Operation; annotate the operations to check");
    }

    /** Each {@code @Operation} of {@code structure} has a public method of the same name and parameter types in the specification. */
    private static void requireMatchingSpecification(Class<?> structure, Class<?> specification) {
        for (Method operation : structure.getMethods()) {
            if (!operation.isAnnotationPresent(Operation.class)) {
                continue;
            }
            try {
                specification.getMethod(operation.getName(), operation.getParameterTypes());
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException("the sequential specification " + specification.getName()
                        + " has no public method " + operation.getName()
                        + java.util.Arrays.toString(operation.getParameterTypes()).replace('[', '(').replace(']', ')')
                        + " for the @Operation of " + structure.getName()
                        + ": Lincheck runs each operation on the specification by name and parameter types", e);
            }
        }
    }

    private static void requireInstantiable(Class<?> type, String role) {
        Objects.requireNonNull(type, role);
        if (!Modifier.isPublic(type.getModifiers())
                || (type.isMemberClass() && !Modifier.isStatic(type.getModifiers()))
                || type.isLocalClass() || type.isAnonymousClass()) {
            throw new IllegalArgumentException("Lincheck instantiates the " + role + " " + type.getName()
                    + " reflectively: make it a public top-level or public static nested class");
        }
        if (Modifier.isAbstract(type.getModifiers()) || type.isInterface()) {
            throw new IllegalArgumentException("Lincheck instantiates the " + role + " " + type.getName()
                    + " reflectively: it must be a concrete class, not abstract or an interface");
        }
        try {
            if (!Modifier.isPublic(type.getConstructor().getModifiers())) {
                throw new NoSuchMethodException();
            }
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("the " + role + " " + type.getName()
                    + " needs a public no-argument constructor: Lincheck creates a fresh instance per run", e);
        }
    }

    private static int threads(int scale) {
        return scale >= LARGE_SCALE ? 3 : 2;
    }

    private static int actorsPerThread(int scale) {
        return scale >= LARGE_SCALE ? 4 : 3;
    }
}
