package dev.weft.check;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Breaks one step of the engine's commit protocol at a time (the {@code Faults} switches in the
 * engine's internal package) and shows that the suite's randomized workloads and checker catch
 * it. Runs only in the JVM that surefire's {@code fault-injection} execution starts with
 * {@code -Ddev.weft.stm.faultInjection=true}; elsewhere the switches are compiled out.
 *
 * <p>A fault counts as caught when, within a few runs of the bank, list-append or register
 * workload on 4 threads, the checker reports an anomaly or an attempt sees a broken invariant.
 * The report line printed per fault says which workload caught it and how.
 */
class FaultInjectionTest {
    private static final String FAULTS = "dev.weft.stm.internal.Faults";

    @AfterEach
    void reset() throws Exception {
        if (enabled()) {
            Class.forName(FAULTS).getMethod("reset").invoke(null);
        }
    }

    private static boolean enabled() {
        return Boolean.getBoolean("dev.weft.stm.faultInjection");
    }

    private static void inject(String fault) throws Exception {
        Field field = Class.forName(FAULTS).getField(fault);
        field.setBoolean(null, true);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"skipValidation", "releaseLockEarly", "skipClockBump"})
    void injectedFaultIsCaughtByTheSuite(String fault) throws Exception {
        assumeTrue(enabled(), "run by the fault-injection execution only");
        inject(fault);
        List<Supplier<Workload>> workloads = List.of(BankWorkload::weft, ListAppendWorkload::weft, RegisterWorkload::weft);
        List<String> misses = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
            for (Supplier<Workload> workload : workloads) {
                String caught = caughtBy(workload.get());
                if (caught != null) {
                    System.out.println("fault " + fault + " caught: " + caught);
                    return;
                }
                misses.add(workload.get().getClass().getSimpleName());
            }
        }
        assertTrue(false, "fault " + fault + " was not caught by any workload in 10 rounds: " + misses);
    }

    /** What caught the fault in one run, or null if the run looked correct. */
    private static String caughtBy(Workload workload) {
        try {
            WorkloadResult result = WorkloadRunner.run(workload, 4, 2_000, WorkloadRunner.seed());
            if (!result.valid()) {
                return result.workload() + " (seed " + result.seed() + "): "
                        + result.describe().lines().limit(3).reduce("", (a, b) -> a + b + " | ");
            }
            return null;
        } catch (AssertionError | RuntimeException failure) {
            return workload.getClass().getSimpleName() + " threw " + failure;
        }
    }
}
