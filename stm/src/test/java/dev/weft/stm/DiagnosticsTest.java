package dev.weft.stm;

import static dev.weft.stm.RetryTest.async;
import static dev.weft.stm.RetryTest.awaitParked;
import static dev.weft.stm.RetryTest.get;
import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/** Statistics counters and JFR events. Counts are compared as differences (other tests run too). */
class DiagnosticsTest {

    /** Commits one transaction whose first attempt fails validation (another thread commits in between). */
    private static void commitAfterOneValidationFailure(Counter cell) {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        atomic(() -> {
            long v = cell.get();
            if (runs.incrementAndGet() == 1) {
                CompletableFuture.runAsync(() -> cell.setAtomically(cell.committed() + 10)).join();
            }
            cell.set(v + 1);
        });
    }

    @Test
    void statisticsCountCommitsAbortsByCauseAndBlockedWaits() throws Exception {
        Counter cell = new Counter(0);
        Counter gate = new Counter(0);
        // statistics are global; run on a fresh thread and compare this thread's effects only
        StmStatistics before = Stm.statistics();
        atomic(() -> cell.set(1));                      // 1 writing commit
        atomic(() -> cell.get());                       // 1 read-only commit
        commitAfterOneValidationFailure(cell);          // 1 validation abort + 1 commit
        assertThrows(IllegalStateException.class, () -> atomic(() -> {
            cell.set(5);
            throw new IllegalStateException();          // 1 exception
        }));
        CompletableFuture<Long> waiter = async("stats-waiter", () -> Stm.atomicLong(() -> {
            if (gate.get() == 0) {
                Stm.retry();                            // >= 1 retry, >= 1 blocked wait
            }
            return gate.get();
        }));
        awaitParked(waiter);
        gate.setAtomically(1);
        assertEquals(1L, get(waiter));
        StmStatistics delta = Stm.statistics().minus(before);
        assertTrue(delta.commits() >= 2, delta.toString());
        assertTrue(delta.readOnlyCommits() >= 2, delta.toString());
        assertTrue(delta.aborts(AbortCause.VALIDATION) >= 1, delta.toString());
        assertTrue(delta.aborts(AbortCause.EXCEPTION) >= 1, delta.toString());
        assertTrue(delta.aborts(AbortCause.RETRY) >= 1, delta.toString());
        assertTrue(delta.blockedWaits() >= 1, delta.toString());
        assertTrue(delta.conflicts() >= 1);
    }

    @Test
    void statisticsOfThreadsThatEndedAreKept() throws Exception {
        Counter cell = new Counter(0);
        StmStatistics before = Stm.statistics();
        Thread thread = new Thread(() -> {
            for (int i = 0; i < 100; i++) {
                atomic(() -> cell.add(1));
            }
        });
        thread.start();
        thread.join();
        thread = null;
        System.gc(); // let the ended thread's descriptor be collected and its counts retired
        assertTrue(Stm.statistics().minus(before).commits() >= 100);
    }

    /**
     * Many short-lived threads: registering them sweeps away the counters of the ended ones
     * (folded into the retired totals) while new ones are pushed; a count lost or counted twice
     * on the way changes the exact total. No other test commits while this one runs (JUnit runs
     * this module's tests one at a time).
     */
    @Test
    void countsOfManyShortLivedThreadsAreExactAcrossExpunges() throws Exception {
        Counter cell = new Counter(0);
        StmStatistics before = Stm.statistics();
        int threads = 500;
        for (int round = 0; round < 5; round++) {
            Thread[] batch = new Thread[threads / 5];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = new Thread(() -> atomic(() -> cell.add(1)));
                batch[i].start();
            }
            for (Thread thread : batch) {
                thread.join();
            }
            System.gc(); // ended threads' descriptors become collectable: the next registrations sweep them
            assertEquals((round + 1L) * batch.length, Stm.statistics().minus(before).commits());
        }
        assertEquals(threads, Stm.atomicLong(cell::get));
    }

    @Test
    void jfrRecordsCommitAbortAndRetryWaitEvents() throws Exception {
        Counter cell = new Counter(0);
        Counter gate = new Counter(0);
        Path file = Files.createTempFile("weft", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.weft.Commit").withThreshold(Duration.ZERO);
            recording.enable("dev.weft.Abort");
            recording.enable("dev.weft.RetryWait").withThreshold(Duration.ZERO);
            recording.start();
            atomic(() -> cell.set(1));
            commitAfterOneValidationFailure(cell);
            CompletableFuture<Long> waiter = async("jfr-waiter", () -> Stm.atomicLong(() -> {
                if (gate.get() == 0) {
                    Stm.retry();
                }
                return gate.get();
            }));
            awaitParked(waiter);
            gate.setAtomically(1);
            get(waiter);
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        Files.deleteIfExists(file);
        Map<String, Integer> counts = new HashMap<>();
        for (RecordedEvent event : events) {
            counts.merge(event.getEventType().getName(), 1, Integer::sum);
        }
        assertTrue(counts.getOrDefault("dev.weft.Commit", 0) >= 3, counts.toString());
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("dev.weft.Abort")
                && "VALIDATION".equals(e.getString("cause"))
                && e.getString("ref") != null), counts.toString());
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("dev.weft.RetryWait")
                && "woken".equals(e.getString("outcome"))), counts.toString());
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("dev.weft.Commit")
                && e.getInt("attempts") == 2), counts.toString());
    }

    @Test
    void mbeanExposesTheStatistics() throws Exception {
        javax.management.ObjectName name = Stm.registerMBean();
        assertEquals(name, Stm.registerMBean()); // idempotent
        Counter cell = new Counter(0);
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        long before = (Long) server.getAttribute(name, "Commits");
        atomic(() -> cell.add(1));
        assertTrue((Long) server.getAttribute(name, "Commits") >= before + 1);
        assertTrue(server.getAttribute(name, "Aborts") instanceof javax.management.openmbean.TabularData);
    }
}
