package dev.weft.scheduler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The ATS throttle's arithmetic: windows of samples move the limit one step at a time. */
class ThrottleTest {

    @Test
    void aHighAbortShareLowersTheLimitOneStepPerWindowDownToOne() {
        Throttle throttle = new Throttle(4, true, () -> { }, "test-");
        for (int window = 0; window < 5; window++) {
            throttle.record(32, 32); // half the attempts abort
        }
        assertEquals(1, throttle.limit());
        assertEquals(3, throttle.decreases());
    }

    @Test
    void aLowAbortShareRaisesTheLimitBackAndWakesWorkers() {
        AtomicInteger raises = new AtomicInteger();
        Throttle throttle = new Throttle(3, true, raises::incrementAndGet, "test-");
        throttle.record(30, 34);
        throttle.record(30, 34);
        assertEquals(1, throttle.limit());
        throttle.record(60, 4);
        throttle.record(64, 0);
        throttle.record(64, 0);
        assertEquals(3, throttle.limit());
        assertEquals(2, throttle.increases());
        assertEquals(2, raises.get());
    }

    @Test
    void aModerateShareLeavesTheLimitAlone() {
        Throttle throttle = new Throttle(4, true, () -> { }, "test-");
        throttle.record(40, 24); // 37.5 % between the thresholds
        assertEquals(4, throttle.limit());
    }

    @Test
    void quietTicksRestoreALoweredLimit() {
        Throttle throttle = new Throttle(2, true, () -> { }, "test-");
        throttle.record(0, 64);
        assertEquals(1, throttle.limit());
        for (int i = 0; i < Throttle.QUIET_TICKS - 1; i++) {
            throttle.tick();
        }
        assertEquals(1, throttle.limit());
        throttle.tick();
        assertEquals(2, throttle.limit());
    }

    @Test
    void aDisabledThrottleNeverMoves() {
        Throttle throttle = new Throttle(4, false, () -> { }, "test-");
        throttle.record(0, 1_000);
        throttle.tick();
        assertEquals(4, throttle.limit());
    }
}
