package dev.weft.bench.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** The benchmark's workloads keep their invariants on every implementation, and the checks bite. */
class SchedulerBenchTest {

    @Test
    void everyWorkloadKeepsItsInvariantOnTheSchedulerAndOnAPlainPool() {
        TxnWorkload[] workloads = {new CounterWorkload(10), new BankWorkload(8, 10),
                new VacationWorkload(32, 4, 60, 90), new KMeansWorkload(4)};
        for (TxnWorkload workload : workloads) {
            for (String implementation : new String[] {"weft-scheduler", "weft-forkjoin"}) {
                // measure() runs the workload's check after the run and throws if it is broken
                SchedulerBench.Result result = SchedulerBench.measure(workload.name(), workload, implementation,
                        2, 0, 0.01);
                assertTrue(result.tasksPerSecond() > 0, result.toString());
                assertTrue(result.abortsPerCommit() >= 0, result.toString());
            }
        }
    }

    @Test
    void thePeersRunTheCounterAndTheBankToo() {
        for (TxnWorkload workload : new TxnWorkload[] {new CounterWorkload(10), new BankWorkload(8, 10)}) {
            for (String implementation : new String[] {"multiverse-fixed", "scalastm-fixed"}) {
                SchedulerBench.measure(workload.name(), workload, implementation, 2, 0, 0.01);
            }
        }
    }

    @Test
    void theChecksCatchALostUpdate() {
        // the twins of the checks above: state one task short of the tasks claimed must fail them
        CounterWorkload counter = new CounterWorkload(0);
        counter.setUp();
        KMeansWorkload kmeans = new KMeansWorkload(4);
        kmeans.setUp();
        LongAdder attempts = new LongAdder();
        for (long i = 0; i < 3; i++) {
            Stm.atomic(counter.weftBody(i, attempts));
            Stm.atomic(kmeans.weftBody(i, attempts));
        }
        counter.check(3, "weft");
        kmeans.check(3, "weft");
        assertEquals(6, attempts.sum());
        assertThrows(IllegalStateException.class, () -> counter.check(4, "weft"));
        assertThrows(IllegalStateException.class, () -> kmeans.check(4, "weft"));
    }
}
