package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Stm#watchIo}: file I/O inside a body, an {@code orElse} alternative, a nested scope or a
 * before-commit hook is reported with the site that did it; I/O outside transactions and in
 * after-commit / after-rollback hooks (where it belongs) is not.
 *
 * <p>Reports arrive on JFR's stream in the order the I/O happened; each test ends with a marker
 * write inside a transaction and waits for its report, so every earlier write has been judged by
 * then, with no sleeping.
 */
class IoWatchTest {
    @TempDir
    Path dir;

    @Test
    void ioInsideTransactionsIsReportedAndIoWhereItBelongsIsNot() throws Exception {
        Box<String> cell = new Box<>("a");
        List<IoInTransaction> reports = new CopyOnWriteArrayList<>();
        Path marker = dir.resolve("marker");
        CompletableFuture<Void> markerSeen = new CompletableFuture<>();
        try (IoWatch watch = Stm.watchIo(report -> {
            reports.add(report);
            if (report.target().equals(marker.toString())) {
                markerSeen.complete(null);
            }
        })) {
            write("outside");
            atomic(() -> {
                cell.set("b");
                write("body");
                Stm.afterCommit(() -> write("afterCommit"));
                Stm.beforeCommit(() -> write("beforeCommit"));
            });
            atomic(() -> Stm.orElse(() -> {
                cell.get();
                write("firstAlternative");
                Stm.retry();
            }, () -> write("secondAlternative")));
            try {
                atomic(() -> {
                    cell.set("c");
                    Stm.afterRollback(() -> write("afterRollback"));
                    throw new IllegalArgumentException("roll back");
                });
            } catch (IllegalArgumentException expected) {
                // the rollback hook ran
            }
            atomic(() -> atomic(() -> write("nested")));
            atomic(() -> writeTo(marker));
            markerSeen.get(60, TimeUnit.SECONDS);
        }
        List<String> reported = reports.stream().map(r -> Path.of(r.target()).getFileName().toString())
                .collect(Collectors.toList());
        assertEquals(List.of("body", "beforeCommit", "firstAlternative", "secondAlternative", "nested", "marker"),
                reported, reports.toString());
        IoInTransaction body = reports.get(0);
        assertEquals("file write", body.operation());
        assertEquals(Thread.currentThread().getName(), body.thread());
        assertTrue(body.site().startsWith(IoWatchTest.class.getName() + "."), body.site());
        assertTrue(body.bytes() > 0, body.toString());
        assertTrue(body.stackTrace().stream().anyMatch(f -> f.getClassName().endsWith("internal.Transaction")),
                body.stackTrace().toString());
    }

    @Test
    void aFailingHookIsReportedAndTheWatchGoesOn() throws Exception {
        Path marker = dir.resolve("marker");
        CompletableFuture<Void> markerSeen = new CompletableFuture<>();
        try (IoWatch watch = Stm.watchIo(report -> {
            if (report.target().equals(marker.toString())) {
                markerSeen.complete(null);
            } else {
                throw new IllegalStateException("hook failure on purpose");
            }
        })) {
            atomic(() -> write("first"));
            atomic(() -> writeTo(marker));
            markerSeen.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void nullHookIsRejected() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> Stm.watchIo(null));
        assertEquals("hook", e.getMessage());
    }

    private void write(String name) {
        writeTo(dir.resolve(name));
    }

    private static void writeTo(Path file) {
        try {
            Files.writeString(file, "x");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
