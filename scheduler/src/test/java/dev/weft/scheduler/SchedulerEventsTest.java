package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.stm.Stm;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's JFR events: each decision, provoked deterministically, is recorded once with the
 * fields of that decision, and nothing is recorded while the events are disabled, in the
 * recording's settings or (in a JVM of its own) by {@code -Ddev.weft.scheduler.diagnostics=false}.
 * Each scenario uses its own thread name prefix, which the events carry as {@code scheduler}, so
 * events of other schedulers cannot be mistaken for its own.
 */
class SchedulerEventsTest {
    private static final String PLACEMENT = "dev.weft.scheduler.Placement";
    private static final String THROTTLE = "dev.weft.scheduler.Throttle";
    private static final String COMPENSATION = "dev.weft.scheduler.Compensation";
    private static final List<String> SCHEDULER_EVENTS = List.of(PLACEMENT, THROTTLE, COMPENSATION);

    // ------------------------------------------------------------------ scenarios

    /**
     * Task A holds the cell's commit lock (in an external decider) until B, which needs the cell,
     * has been moved: B's worker loses its first attempt to A's and moves B there (as in
     * {@link PlacementTest}). Returns the index of A's worker, where B must have gone.
     */
    private static int loserIsMovedToTheWinnersWorker(String prefix) {
        Cell cell = new Cell(0);
        CountDownLatch aHoldsTheLock = new CountDownLatch(1);
        AtomicReference<String> aThread = new AtomicReference<>();
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).threadNamePrefix(prefix)
                .throttling(false).escalateAfter(100).maxCompensationThreads(0)
                .contentionPolicy(conflict -> 0).build()) {
            CompletableFuture<Void> a = scheduler.submitAtomic("winner", () -> {
                aThread.set(Thread.currentThread().getName());
                cell.add(1);
                Stm.setExternalDecider(() -> {
                    aHoldsTheLock.countDown();
                    while (scheduler.statistics().placements() == 0 && scheduler.statistics().aborts() < 5) {
                        Thread.onSpinWait(); // spinning, not parked: the worker is not "blocked"
                    }
                    return true;
                });
            });
            Await.latch(aHoldsTheLock, "A to hold the cell's commit lock");
            Cell other = new Cell(0);
            CompletableFuture<Void> b = scheduler.submitAtomic("loser", () -> {
                other.set(1); // a writer: a lost attempt is retried optimistically, not as a snapshot reader
                cell.add(10);
            });
            a.join();
            b.join();
            assertEquals(1, scheduler.statistics().placements(), scheduler.statistics().toString());
        }
        return Integer.parseInt(aThread.get().substring(prefix.length()));
    }

    /**
     * Two workers run tasks that each lose exactly their first attempt (an outside thread commits
     * to the task's own cell in between) and then commit: every window of the throttle holds as
     * many aborts as commits (workers hand over 16 samples at a time, always after a commit), so
     * the first window lowers the limit from 2 to 1 at an abort share of exactly one half. Once the
     * tasks are done and no samples arrive, quiet supervisor ticks raise it back to 2.
     */
    private static void halfTheAttemptsAbortThenQuiet(String prefix) {
        int tasks = 64; // 128 samples: whatever the two workers keep unflushed (<= 14 each), one window closes
        Cell[] cells = Cell.array(tasks, 0);
        AtomicIntegerArray attempts = new AtomicIntegerArray(tasks);
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).threadNamePrefix(prefix)
                .placement(false).maxCompensationThreads(0).contentionPolicy(conflict -> 0).build();
             Interferer interferer = new Interferer()) {
            CompletableFuture<?>[] all = new CompletableFuture<?>[tasks];
            for (int i = 0; i < tasks; i++) {
                int id = i;
                all[i] = scheduler.submitAtomic(() -> {
                    long seen = cells[id].get();
                    if (attempts.incrementAndGet(id) == 1) {
                        interferer.bump(cells[id]); // one cell per task: tasks never conflict with each other
                    }
                    cells[id].set(seen + 1);
                });
            }
            CompletableFuture.allOf(all).join();
            SchedulerStatistics stats = scheduler.statistics();
            assertEquals(tasks, stats.aborts(), stats.toString());
            assertTrue(stats.throttleDecreases() >= 1, stats.toString());
            Await.until(() -> scheduler.statistics().concurrencyLimit() == 2,
                    "quiet ticks to restore the limit");
        }
    }

    /**
     * The only worker blocks in retry() on a flag; the producer submitted next finds no worker to
     * run it, so the pool starts a spare at once (one blocked worker, parked in retry()). The spare
     * runs the producer, the consumer wakes, and the spare retires after its idle period with
     * nobody blocked.
     */
    private static void spareStartsForABlockedWorkerAndRetires(String prefix) throws Exception {
        Cell flag = new Cell(0);
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).threadNamePrefix(prefix)
                .observeBlocking(false).maxCompensationThreads(1).build()) {
            CompletableFuture<Long> consumer = scheduler.submitAtomic(() -> {
                if (flag.get() == 0) {
                    Stm.retry();
                }
                return flag.get();
            });
            Await.until(() -> scheduler.statistics().retryWaits() >= 1, "the worker to block in retry()");
            CompletableFuture<Void> producer = scheduler.submitAtomic(() -> flag.set(1));
            try {
                producer.get(Await.BOUND_SECONDS, TimeUnit.SECONDS);
                assertEquals(1, consumer.get(Await.BOUND_SECONDS, TimeUnit.SECONDS));
            } finally {
                flag.setFromOutside(1); // release the consumer of a broken scheduler so close() returns
            }
            assertEquals(1, scheduler.statistics().compensationThreads());
            Await.until(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith(prefix + "spare-")), "the spare to retire");
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    void placementIsRecordedWithBothWorkersTheTypeAndTheLostAttempts() throws Exception {
        String prefix = "jfr-placement-";
        int[] winner = new int[1];
        List<RecordedEvent> events = record(true, () -> winner[0] = loserIsMovedToTheWinnersWorker(prefix));
        List<RecordedEvent> placements = of(events, PLACEMENT, prefix);
        assertEquals(1, placements.size(), describe(events));
        RecordedEvent placement = placements.get(0);
        assertEquals(winner[0], placement.getInt("toWorker"), placement.toString());
        assertEquals(1 - winner[0], placement.getInt("fromWorker"), placement.toString());
        assertEquals("loser", placement.getString("taskType"));
        assertEquals(1, placement.getInt("attempts"));
        assertEquals(prefix + (1 - winner[0]), placement.getThread().getJavaName(), "emitted by the loser's worker");
    }

    @Test
    void throttleMovesAreRecordedWithTheLimitsAndTheAbortShare() throws Exception {
        String prefix = "jfr-throttle-";
        List<RecordedEvent> events = record(true, () -> halfTheAttemptsAbortThenQuiet(prefix));
        List<RecordedEvent> moves = of(events, THROTTLE, prefix);
        assertTrue(moves.size() >= 2, describe(events));
        RecordedEvent first = moves.get(0);
        assertEquals(2, first.getInt("oldLimit"), first.toString());
        assertEquals(1, first.getInt("newLimit"), first.toString());
        assertEquals(0.5, first.getDouble("abortShare"), first.toString());
        RecordedEvent last = moves.get(moves.size() - 1);
        assertEquals(1, last.getInt("oldLimit"), last.toString());
        assertEquals(2, last.getInt("newLimit"), last.toString());
        assertEquals(-1.0, last.getDouble("abortShare"), "a raise by quiet ticks has no window: " + last);
    }

    @Test
    void compensationIsRecordedWhenASpareStartsForABlockedWorkerAndWhenItRetires() throws Exception {
        String prefix = "jfr-compensation-";
        List<RecordedEvent> events = record(true, () -> spareStartsForABlockedWorkerAndRetires(prefix));
        List<RecordedEvent> compensations = of(events, COMPENSATION, prefix);
        assertEquals(2, compensations.size(), describe(events));
        RecordedEvent started = compensations.get(0);
        assertEquals("started", started.getString("action"), started.toString());
        assertEquals(1, started.getInt("worker"), "the first spare follows the one base worker");
        assertEquals(1, started.getInt("blocked"), started.toString());
        assertEquals(1, started.getInt("blockedInRetry"), started.toString());
        assertEquals(1, started.getInt("spares"), started.toString());
        RecordedEvent retired = compensations.get(1);
        assertEquals("retired", retired.getString("action"), retired.toString());
        assertEquals(1, retired.getInt("worker"), retired.toString());
        assertEquals(0, retired.getInt("spares"), retired.toString());
        // not its blocked counts: they are read when the spare retires, and a stalled consumer
        // thread may not yet have left retry() then
    }

    @Test
    void disabledEventsAreNotRecordedWhileTheSameDecisionsAreMade() throws Exception {
        // the three scenarios above (each asserts that its decision was made) with the events
        // disabled in the recording; the engine's abort event stays on to show that it recorded
        String prefix = "jfr-disabled-";
        List<RecordedEvent> events = record(false, () -> {
            loserIsMovedToTheWinnersWorker(prefix + "p-");
            halfTheAttemptsAbortThenQuiet(prefix + "t-");
            spareStartsForABlockedWorkerAndRetires(prefix + "c-");
        });
        for (String name : SCHEDULER_EVENTS) {
            assertEquals(List.of(), of(events, name, ""), name + " was recorded while disabled");
        }
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("dev.weft.Abort")),
                describe(events));
    }

    @Test
    void withTheDiagnosticsPropertyFalseNothingIsRecordedEvenWhileEnabled() throws Exception {
        // the property is read once, when the events' class initializes: it takes a JVM of its own
        String modulePath = System.getProperty("jdk.module.path");
        assumeTrue(modulePath != null && SchedulerEventsTest.class.getModule().isNamed(),
                "runs only where the tests run in the scheduler's module, as surefire runs them");
        Path testClasses = Path.of(SchedulerEventsTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String classPath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty() && !Path.of(entry).toAbsolutePath().equals(testClasses.toAbsolutePath()))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Ddev.weft.scheduler.diagnostics=false", "-XX:TieredStopAtLevel=1",
                "--module-path", modulePath,
                "--patch-module", "dev.weft.scheduler=" + testClasses,
                "--add-reads", "dev.weft.scheduler=ALL-UNNAMED", // the scenarios assert with JUnit
                "-cp", classPath,
                "-m", "dev.weft.scheduler/" + WithDiagnosticsOff.class.getName());
        Path log = Files.createTempFile("weft-scheduler-child", ".txt");
        try {
            Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!child.waitFor(Await.BOUND_SECONDS, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                fail("the child JVM did not finish in " + Await.BOUND_SECONDS + " s: " + Files.readString(log));
            }
            String output = Files.readString(log);
            assertEquals(0, child.exitValue(), output);
            assertEquals("scheduler events: 0, aborts: recorded", output.strip(), String.join(" ", command));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The child JVM of the test above: all three decisions under a recording that enables their events. */
    static final class WithDiagnosticsOff {
        public static void main(String[] args) throws Exception {
            List<RecordedEvent> events = record(true, () -> {
                loserIsMovedToTheWinnersWorker("off-p-");
                halfTheAttemptsAbortThenQuiet("off-t-");
                spareStartsForABlockedWorkerAndRetires("off-c-");
            });
            long scheduler = events.stream().filter(e -> SCHEDULER_EVENTS.contains(e.getEventType().getName())).count();
            boolean aborts = events.stream().anyMatch(e -> e.getEventType().getName().equals("dev.weft.Abort"));
            System.out.println("scheduler events: " + scheduler + ", aborts: " + (aborts ? "recorded" : "none"));
        }
    }

    // ------------------------------------------------------------------ recording

    @FunctionalInterface
    private interface Scenario {
        void run() throws Exception;
    }

    /** Runs {@code scenario} under a recording with the scheduler's events on or off, plus dev.weft.Abort. */
    private static List<RecordedEvent> record(boolean schedulerEvents, Scenario scenario) throws Exception {
        Path file = Files.createTempFile("weft-scheduler", ".jfr");
        try {
            try (Recording recording = new Recording()) {
                for (String name : SCHEDULER_EVENTS) {
                    if (schedulerEvents) {
                        recording.enable(name);
                    } else {
                        recording.disable(name);
                    }
                }
                recording.enable("dev.weft.Abort").withoutStackTrace();
                recording.start();
                scenario.run();
                recording.stop();
                recording.dump(file);
            }
            return RecordingFile.readAllEvents(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The events named {@code name} of the scheduler whose prefix starts with {@code prefix}, oldest first. */
    private static List<RecordedEvent> of(List<RecordedEvent> events, String name, String prefix) {
        return events.stream()
                .filter(e -> e.getEventType().getName().equals(name) && e.getString("scheduler").startsWith(prefix))
                .sorted(Comparator.comparing(RecordedEvent::getStartTime))
                .collect(Collectors.toList());
    }

    private static String describe(List<RecordedEvent> events) {
        return events.stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.weft.scheduler."))
                .map(RecordedEvent::toString)
                .collect(Collectors.joining("\n", "scheduler events recorded:\n", ""));
    }
}
