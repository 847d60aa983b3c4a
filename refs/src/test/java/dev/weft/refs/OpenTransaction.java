package dev.weft.refs;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A transaction on another thread that has made its writes and stays open, uncommitted, until
 * {@link #commit()}: lets a test observe refs while someone else's transaction holds writes.
 */
final class OpenTransaction {
    private static final long TIMEOUT_SECONDS = 60;

    private final CountDownLatch written = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;

    private OpenTransaction(Runnable writes) {
        thread = new Thread(() -> {
            try {
                atomic(() -> {
                    writes.run();
                    written.countDown();
                    await(release);
                });
            } catch (Throwable e) {
                failure.set(e);
                written.countDown();
            }
        }, "open-transaction");
        thread.setDaemon(true);
    }

    /** Starts a transaction that runs {@code writes}; returns once they are made (not committed). */
    static OpenTransaction start(Runnable writes) {
        OpenTransaction open = new OpenTransaction(writes);
        open.thread.start();
        await(open.written);
        return open;
    }

    /** Lets the transaction commit and waits for it; rethrows its failure. */
    void commit() throws InterruptedException {
        release.countDown();
        thread.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        assertTrue(!thread.isAlive(), "the open transaction did not finish");
        Throwable e = failure.get();
        if (e != null) {
            fail("the open transaction failed: " + e, e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out waiting for " + latch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
