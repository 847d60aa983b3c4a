package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The policy sees the read and write set sizes the engine reports for lost attempts. */
class SizeReportTest {

    @Test
    void aLostAttemptsReadsAndWritesAddUpToTheTasksSize() {
        Cell[] read = Cell.array(10, 1);
        Cell written = new Cell(0);
        List<Long> sizesSeen = new ArrayList<>();
        AtomicInteger attempt = new AtomicInteger();
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).placement(false)
                .escalateAfter(100).contentionPolicy(conflict -> {
                    sizesSeen.add(conflict.taskSize()); // one worker: no concurrent adds
                    return 0;
                }).build(); Interferer interferer = new Interferer()) {
            scheduler.submitAtomic(() -> {
                long sum = 0;
                for (Cell cell : read) {
                    sum += cell.get();
                }
                written.set(sum);
                if (attempt.incrementAndGet() <= 2) {
                    interferer.bump(read[0]); // the attempt read it: it loses at commit
                }
            }).join();
        }
        // 10 refs read and 1 written per lost attempt, summed over the task's lost attempts
        assertEquals(List.of(11L, 22L), sizesSeen);
        assertEquals(12, written.committed());
    }
}
