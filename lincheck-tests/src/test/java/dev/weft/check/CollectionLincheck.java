package dev.weft.check;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * The kit's presets, with fewer interleavings and runs per scenario, for the collection suite:
 * it checks a dozen structures whose every operation is a whole transaction (each explored
 * interleaving costs about 10 ms under the model checker on 2 cores), and the default build must
 * stay fast. The number of scenarios, threads and operations still come from
 * {@link WeftLincheck} and grow with {@code weft.test.scale}; so does what is cut here.
 */
final class CollectionLincheck {
    /** Interleavings explored per scenario at scale 1 (the kit's preset: 300). */
    private static final int MODEL_CHECKING_INVOCATIONS = 25;
    /** Runs per scenario at scale 1 (the kit's preset: 200). */
    private static final int STRESS_INVOCATIONS = 30;

    private CollectionLincheck() {}

    /** {@link WeftLincheck#modelChecking()} with {@value #MODEL_CHECKING_INVOCATIONS} x scale interleavings per scenario. */
    static ModelCheckingOptions modelChecking() {
        return WeftLincheck.modelChecking().invocationsPerIteration(MODEL_CHECKING_INVOCATIONS * WeftLincheck.scale());
    }

    /** {@link WeftLincheck#stress()} with {@value #STRESS_INVOCATIONS} x scale runs per scenario. */
    static StressOptions stress() {
        return WeftLincheck.stress().invocationsPerIteration(STRESS_INVOCATIONS * WeftLincheck.scale());
    }

    /** Model checking of a broken twin: stops at the first violation, without minimizing it (slow, not needed). */
    static ModelCheckingOptions twin(Class<?> sequentialSpecification) {
        return modelChecking().minimizeFailedScenario(false).sequentialSpecification(sequentialSpecification);
    }
}
