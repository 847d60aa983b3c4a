package dev.weft.refs;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.ConflictReport;
import dev.weft.stm.Stm;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The conflict hot-spot profiler names the ref and the sites behind a conflict. */
class ConflictReportTest {

    /** Reads the balance, lets another site commit to it, then writes: a validation conflict. */
    private static void transferThatLosesOnce(LongRef balance) {
        AtomicInteger runs = new AtomicInteger();
        atomic(() -> {
            long b = balance.get();
            if (runs.incrementAndGet() == 1) {
                CompletableFuture.runAsync(() -> depositElsewhere(balance)).join();
            }
            balance.set(b - 1);
        });
    }

    private static void depositElsewhere(LongRef balance) {
        atomic(() -> balance.add(100));
    }

    @Test
    void reportNamesTheHotRefTheSufferingSiteAndTheCausingSite() {
        LongRef balance = new LongRef(1_000).named("balance");
        LongRef quiet = new LongRef(0).named("quiet");
        Stm.startConflictProfiling();
        try {
            atomic(() -> quiet.add(1));
            for (int i = 0; i < 3; i++) {
                transferThatLosesOnce(balance);
            }
        } finally {
            ConflictReport report = Stm.stopConflictProfiling();
            System.out.println(report.table(5));
            assertEquals("balance", report.refs().get(0).name());
            assertTrue(report.refs().get(0).suffered() >= 3, report.toString());
            assertTrue(report.refs().stream().noneMatch(e -> e.name().equals("quiet")), report.toString());
            ConflictReport.Entry loser = report.sites().stream()
                    .filter(e -> e.name().contains("transferThatLosesOnce")).findFirst().orElseThrow();
            assertTrue(loser.suffered() >= 3, report.toString());
            ConflictReport.Entry winner = report.sites().stream()
                    .filter(e -> e.name().contains("depositElsewhere")).findFirst().orElseThrow();
            assertTrue(winner.caused() >= 3, report.toString());
        }
        assertEquals(1_000 + 300 - 3, balance.atomic().get());
    }

    @Test
    void profilingOffCountsNothingAndNamedRefsShowTheirNameInToString() {
        LongRef balance = new LongRef(5).named("balance");
        assertEquals("LongRef[balance: 5]", balance.toString());
        assertEquals("Ref[null]", new Ref<String>(null).toString());
        Stm.startConflictProfiling();
        ConflictReport afterStart = Stm.stopConflictProfiling();
        transferThatLosesOnce(balance);
        assertTrue(afterStart.refs().isEmpty());
        Stm.startConflictProfiling();
        assertTrue(Stm.stopConflictProfiling().refs().isEmpty());
    }
}
