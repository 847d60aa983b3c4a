package dev.weft.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressOutputTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ProgressOutput progress = new ProgressOutput(new PrintStream(bytes, true, StandardCharsets.UTF_8),
            "t=2", 40);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jmhsProgressLineBecomesOneLineWithThePhaseAndTheEstimate() {
        progress.println("# Run progress: 12.50% complete, ETA 00:03:10");

        assertTrue(printed().startsWith("[t=2  0/40]"), printed());
        assertTrue(printed().contains("12.50% complete, ETA 00:03:10 ... "), printed());
        assertFalse(printed().contains("\n"), "the score completes the line");
    }

    @Test
    void theEstimateJmhRepeatsBeforeEachForkIsShownOnce() {
        progress.println("# Run progress: 0.00% complete, ETA 00:01:00");
        progress.println("# Run progress: 16.67% complete, ETA 00:00:53");

        assertEquals(1, printed().split("Run|complete", -1).length - 1, printed());
    }

    @Test
    void forkChatterAndIterationLinesAreLeftOutButJmhNotesPass() {
        progress.println("# Fork: 1 of 1");
        progress.println("INFO: Initializing GlobalStmInstance");
        progress.print("Iteration   1: 12.3 ops/us");
        progress.println("# WARNING: the benchmark list is stale");

        assertEquals("# WARNING: the benchmark list is stale" + System.lineSeparator(), printed());
    }

    @Test
    void aFailureIsShownInFullOnItsOwnLine() {
        progress.println("# Run progress: 50.00% complete, ETA 00:00:10");
        progress.println("<failure>");
        progress.println("java.lang.IllegalStateException: Multiverse: an audit saw a total of 64108");
        progress.println("\tat dev.weft.bench.BankBenchmark$Clerk.operate(BankBenchmark.java:131)");
        progress.endBenchmark(null);

        String[] lines = printed().split(System.lineSeparator());
        assertTrue(lines[0].endsWith("... "), "the open progress line is closed first: " + lines[0]);
        assertEquals("<failure>", lines[1]);
        assertTrue(lines[2].contains("an audit saw a total of 64108"));
        assertTrue(lines[3].contains("BankBenchmark.java:131"));
        assertTrue(lines[4].endsWith("no result (see the failure above)"), lines[4]);
    }
}
