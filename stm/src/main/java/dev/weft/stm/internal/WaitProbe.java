package dev.weft.stm.internal;

/**
 * Test-only points inside the {@code retry()} wait, so tests can force each race of the wait
 * protocol deterministically (see {@link WaitTable}). Read only on the retry path; all null/false
 * in production.
 */
final class WaitProbe {
    /** Runs after the waiter entered its stripes, before it re-validates its reads. */
    static volatile Runnable afterEnter;
    /** Runs after the re-validation found nothing changed, before the first park. */
    static volatile Runnable beforePark;
    /** Fault injection: skip the re-validation (a lost wake-up must then be observable). */
    static volatile boolean skipValidation;

    private WaitProbe() {}

    static void run(Runnable probe) {
        if (probe != null) {
            probe.run();
        }
    }
}
