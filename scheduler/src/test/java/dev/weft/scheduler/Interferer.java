package dev.weft.scheduler;

import dev.weft.stm.Stm;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A deterministic adversary: a thread outside the scheduler that commits a write to a cell on
 * request and returns once it is committed. A transaction that read the cell and then asks for
 * interference is certain to lose that attempt.
 */
final class Interferer implements AutoCloseable {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "weft-test-interferer");
        t.setDaemon(true);
        return t;
    });

    /** Commits {@code cell += 1} on the interferer's thread and waits for it. */
    void bump(Cell cell) {
        try {
            thread.submit(() -> Stm.atomic(() -> {
                cell.add(1);
            })).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while interfering", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the interfering transaction failed", e.getCause());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
