package dev.weft.scheduler.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The ATS throttle's arithmetic: windows of samples move the limit one step at a time, and a
 * probe back up is kept only if the raised limit commits faster or stops aborting. A manual clock
 * gives every window its duration.
 */
class ThrottleTest {
    /** Every window lasts 100 us unless a test says otherwise. */
    private long now;

    private Throttle throttle(int parallelism) {
        return new Throttle(parallelism, true, () -> { }, "test-", () -> now);
    }

    /** One window of {@code commits} and {@code aborts} (64 events) taking {@code micros}. */
    private void window(Throttle throttle, int commits, int aborts, long micros) {
        now += micros * 1_000;
        throttle.record(commits, aborts);
    }

    private void window(Throttle throttle, int commits, int aborts) {
        window(throttle, commits, aborts, 100);
    }

    /** Calm windows (64 commits in 100 us) it takes a lowered limit to rise. */
    private int calmWindowsUntilRaised(Throttle throttle) {
        int before = throttle.limit();
        int windows = 0;
        while (throttle.limit() == before) {
            window(throttle, 64, 0);
            if (++windows > 1_000) {
                throw new AssertionError("the limit never rose");
            }
        }
        return windows;
    }

    /** A probe that aborts a fifth of its attempts and commits no faster (51 in 100 us each). */
    private void failProbe(Throttle throttle) {
        for (int w = 0; w < Throttle.PROBE_WINDOWS; w++) {
            window(throttle, 51, 13);
        }
    }

    /** A throttle of two lowered to one by a window of aborts, then through {@code failedProbes} failed probes. */
    private Throttle lowered(int failedProbes) {
        Throttle throttle = throttle(2);
        window(throttle, 0, 64);
        for (int probe = 0; probe < failedProbes; probe++) {
            calmWindowsUntilRaised(throttle);
            failProbe(throttle);
        }
        return throttle;
    }

    @Test
    void aHighAbortShareLowersTheLimitOneStepPerWindowDownToOne() {
        Throttle throttle = throttle(4);
        for (int window = 0; window < 5; window++) {
            window(throttle, 32, 32);
        }
        assertEquals(1, throttle.limit());
        assertEquals(3, throttle.decreases());
    }

    @Test
    void aModerateShareLeavesTheLimitAlone() {
        Throttle throttle = throttle(4);
        for (int window = 0; window < 10; window++) {
            window(throttle, 50, 14); // 22 %: between the thresholds
        }
        assertEquals(4, throttle.limit());
    }

    @Test
    void calmWindowsRaiseTheLimitBackAndThePoolHearsOfEveryMove() {
        AtomicInteger moves = new AtomicInteger();
        Throttle throttle = new Throttle(3, true, moves::incrementAndGet, "test-", () -> now);
        window(throttle, 30, 34);
        window(throttle, 30, 34);
        assertEquals(1, throttle.limit());
        assertEquals(2, moves.get()); // lowering takes effect at once too, not at the next tick
        window(throttle, 60, 4);
        assertEquals(2, throttle.limit());
        for (int w = 0; w < Throttle.PROBE_WINDOWS; w++) {
            window(throttle, 64, 0, 60); // the second worker commits two thirds more: kept
        }
        assertEquals(2, throttle.limit());
        window(throttle, 64, 0, 60);
        assertEquals(3, throttle.limit());
        assertEquals(2, throttle.increases());
        assertEquals(4, moves.get());
    }

    @Test
    void aProbeThatOnlyAddsAbortsDropsBackAndDoublesTheWaitBeforeTheNextOne() {
        Throttle throttle = throttle(2);
        window(throttle, 0, 64);
        assertEquals(1, throttle.limit());
        int[] waits = new int[9];
        for (int probe = 0; probe < waits.length; probe++) {
            waits[probe] = calmWindowsUntilRaised(throttle);
            failProbe(throttle);
            assertEquals(1, throttle.limit());
        }
        assertArrayEquals(new int[] {1, 2, 4, 8, 16, 32, 64, 64, 64}, waits);
    }

    @Test
    void aProbeWithoutAbortsThatCommitsNoFasterDropsBackToo() {
        Throttle throttle = lowered(0);
        calmWindowsUntilRaised(throttle);
        for (int w = 0; w < Throttle.PROBE_WINDOWS; w++) {
            window(throttle, 64, 0, 105); // the woken worker has not started, or adds nothing
        }
        assertEquals(1, throttle.limit());
        assertEquals(2, calmWindowsUntilRaised(throttle));
    }

    @Test
    void aHighWindowDuringAProbeLowersAtOnceAndCountsAsAFailedProbe() {
        Throttle throttle = lowered(0);
        calmWindowsUntilRaised(throttle);
        window(throttle, 64, 0);
        window(throttle, 20, 44);
        assertEquals(1, throttle.limit());
        assertEquals(2, calmWindowsUntilRaised(throttle));
    }

    @Test
    void aProbeThatCommitsFasterDespiteItsAbortsIsKeptAndResetsTheWait() {
        Throttle throttle = lowered(3);
        assertEquals(8, calmWindowsUntilRaised(throttle)); // baseline: 0.64 commits per us
        for (int w = 0; w < Throttle.PROBE_WINDOWS; w++) {
            window(throttle, 51, 13, 50); // 1.02 per us with a fifth aborting: worth it
        }
        assertEquals(2, throttle.limit());
        for (int w = 0; w < 20; w++) {
            window(throttle, 51, 13, 50); // moderate aborts at the kept limit leave it alone
        }
        assertEquals(2, throttle.limit());
        window(throttle, 0, 64); // contention comes back later: a new episode waits one window
        assertEquals(1, throttle.limit());
        assertEquals(1, calmWindowsUntilRaised(throttle));
    }

    @Test
    void aModerateWindowInterruptsTheCalmRun() {
        Throttle throttle = lowered(1); // the next probe waits for two calm windows in a row
        window(throttle, 64, 0);
        window(throttle, 40, 24); // 37.5 % at limit 1: not calm (and nothing lower to go to)
        window(throttle, 64, 0);
        assertEquals(1, throttle.limit());
        window(throttle, 64, 0);
        assertEquals(2, throttle.limit());
    }

    @Test
    void quietTicksRestoreALoweredLimitAndResetTheWait() {
        Throttle throttle = lowered(3);
        for (int i = 0; i < Throttle.QUIET_TICKS - 1; i++) {
            throttle.tick();
        }
        assertEquals(1, throttle.limit());
        throttle.tick();
        assertEquals(2, throttle.limit());
        window(throttle, 0, 64);
        assertEquals(1, throttle.limit());
        assertEquals(1, calmWindowsUntilRaised(throttle));
    }

    @Test
    void aDisabledThrottleNeverMoves() {
        Throttle throttle = new Throttle(4, false, () -> { }, "test-", () -> now);
        throttle.record(0, 1_000);
        throttle.tick();
        assertEquals(4, throttle.limit());
    }
}
