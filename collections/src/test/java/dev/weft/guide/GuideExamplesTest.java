package dev.weft.guide;

import static dev.weft.stm.Stm.afterCommit;
import static dev.weft.stm.Stm.afterRollback;
import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.atomicLong;
import static dev.weft.stm.Stm.beforeCommit;
import static dev.weft.stm.Stm.orElse;
import static dev.weft.stm.Stm.retry;
import static dev.weft.stm.Stm.retryFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.collections.TBoundedQueue;
import dev.weft.collections.TCounter;
import dev.weft.collections.TMap;
import dev.weft.refs.LongRef;
import dev.weft.refs.Ref;
import dev.weft.stm.Stm;
import dev.weft.stm.StmStatistics;
import dev.weft.stm.TransactionTimeoutException;
import dev.weft.stm.TxnLocal;
import dev.weft.stm.TxnOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every code example of docs/guide.md, docs/faq.md and the README, run. The regions between
 * {@code // snippet: name} and {@code // end} are what the documents show;
 * {@link DocSnippetsTest} fails when a document's block and its region differ. Only the public API
 * is used (this package is not one of Weft's), as a user's code would.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GuideExamplesTest {

    @Test
    void readmeExampleMovesMoneyAndReadsAConsistentTotal() {
        // snippet: readme
        LongRef checking = new LongRef(100), savings = new LongRef(0);

        atomic(() -> {                          // all or nothing, never seen half done
            if (checking.get() < 30) retry();   // blocks until a deposit changes checking, then re-runs
            checking.add(-30);
            savings.add(30);
        });
        long total = atomic(() -> checking.get() + savings.get());  // a consistent snapshot, always
        long hits = savings.atomic().incrementAndGet();  // a one-operation transaction, no block needed
        // end
        assertEquals(100, total);
        assertEquals(31, hits);
        assertEquals(70, checking.atomic().get());
    }

    @Test
    void readmeRetryWaitsForTheDeposit() throws Exception {
        LongRef checking = new LongRef(0), savings = new LongRef(0);
        Thread withdrawer = new Thread(() -> atomic(() -> {
            if (checking.get() < 30) retry();
            checking.add(-30);
            savings.add(30);
        }));
        withdrawer.start();
        checking.atomic().addAndGet(50);
        withdrawer.join();
        assertEquals(20, checking.atomic().get());
        assertEquals(30, savings.atomic().get());
    }

    // ------------------------------------------------------------------ 1. the first ref

    @Test
    void firstRefCountsLikeAnAtomicLongAndRefusesCallsOutsideATransaction() {
        // snippet: first-ref
        LongRef hits = new LongRef();             // a transactional long, starts at 0
        hits.atomic().incrementAndGet();          // one operation, one transaction: like AtomicLong
        long now = hits.atomic().get();           // 1
        // end
        assertEquals(1, now);

        String message = null;
        // snippet: outside-transaction
        try {
            hits.get();                           // no transaction runs on this thread
        } catch (IllegalStateException e) {
            message = e.getMessage();             // "... must run inside Stm.atomic(() -> ...) ... use the ref's atomic() view ..."
        }
        // end
        assertTrue(message.contains("Stm.atomic"), message);
        assertTrue(message.contains("atomic() view"), message);
    }

    // ------------------------------------------------------------------ 2. transactions

    @Test
    void transferKeepsTheTotalAndAFailedBodyWritesNothing() {
        // snippet: transfer
        LongRef checking = new LongRef(100), savings = new LongRef(0);
        atomic(() -> {
            checking.add(-30);
            savings.add(30);
        });
        long total = atomicLong(() -> checking.get() + savings.get());   // 100, whatever else runs
        // end
        assertEquals(100, total);

        boolean refused = false;
        // snippet: exception-rolls-back
        try {
            atomic(() -> {
                checking.add(-500);
                if (checking.get() < 0) throw new IllegalStateException("overdrawn");
            });
        } catch (IllegalStateException e) {
            refused = true;                       // and checking still holds 70: nothing was written
        }
        // end
        assertTrue(refused);
        assertEquals(70, checking.atomic().get());
    }

    // snippet: account-record
    record Account(String owner, long balance) {
        Account deposit(long amount) {
            return new Account(owner, balance + amount);
        }
    }
    // end

    @Test
    void refHoldsAnImmutableValueThatIsReplaced() {
        // snippet: ref-immutable
        Ref<Account> account = new Ref<>(new Account("ada", 10));
        atomic(() -> account.update(a -> a.deposit(5)));      // replace the value, never mutate it
        Account now = account.atomic().get();                 // Account[owner=ada, balance=15]
        // end
        assertEquals(new Account("ada", 15), now);
    }

    // snippet: transfer-method
    static void transfer(LongRef from, LongRef to, long amount) {
        atomic(() -> {
            if (from.get() < amount) throw new IllegalArgumentException("insufficient funds");
            from.add(-amount);
            to.add(amount);
        });
    }
    // end

    @Test
    void transactionsComposeIntoOneTransaction() {
        LongRef a = new LongRef(10), b = new LongRef(0), c = new LongRef(0);
        // snippet: compose
        atomic(() -> {                            // both transfers, or neither
            transfer(a, b, 10);
            transfer(b, c, 10);
        });
        // end
        assertEquals(List.of(0L, 0L, 10L), List.of(a.atomic().get(), b.atomic().get(), c.atomic().get()));
        assertThrows(IllegalArgumentException.class, () -> atomic(() -> {
            transfer(c, a, 10);
            transfer(c, b, 10);                   // c is empty now: the first transfer is undone too
        }));
        assertEquals(10, c.atomic().get());
    }

    @Test
    void sideEffectsAreCollectedInTheBodyAndPerformedAfterIt() {
        LongRef checking = new LongRef(50), savings = new LongRef(0);
        // snippet: side-effects-after
        List<String> lines = atomic(() -> {
            List<String> out = new ArrayList<>();     // made afresh by every attempt
            long moved = Math.min(checking.get(), 20);
            checking.add(-moved);
            savings.add(moved);
            out.add("moved " + moved);
            return out;
        });
        lines.forEach(System.out::println);            // the I/O: once, after the commit
        // end
        assertEquals(List.of("moved 20"), lines);
    }

    // ------------------------------------------------------------------ 3. blocking

    // snippet: take-helper
    static String take(Ref<String> slot) {
        String message = slot.get();
        if (message == null) retry();             // wait until the slot changes, then run again
        slot.set(null);
        return message;
    }
    // end

    @Test
    void retryBlocksUntilAnotherThreadFillsTheSlot() throws Exception {
        AtomicReference<String> received = new AtomicReference<>();
        // snippet: retry
        Ref<String> slot = new Ref<>();
        Thread consumer = new Thread(() -> {
            String message = atomic(() -> take(slot));    // parks while the slot is empty
            received.set(message);
        });
        consumer.start();
        slot.atomic().set("hello");                       // a commit to a ref it read: wakes it
        consumer.join();
        // end
        assertEquals("hello", received.get());
        assertNull(slot.atomic().get());
    }

    @Test
    void retryForGivesUpWaitingAndTheBodyGoesOn() {
        Ref<String> slot = new Ref<>();
        // snippet: retry-for
        String message = atomic(() -> {
            if (slot.get() == null) retryFor(Duration.ofMillis(50));   // wait at most 50 ms in total
            return slot.get();                                         // still null if nothing came
        });
        // end
        assertNull(message);
    }

    @Test
    void orElseTakesFromWhicheverSlotHasAMessage() {
        // snippet: or-else
        Ref<String> urgent = new Ref<>(), normal = new Ref<>("report");
        String next = atomic(() -> orElse(() -> take(urgent), () -> take(normal)));   // "report"
        // end
        assertEquals("report", next);
        assertNull(normal.atomic().get());
    }

    // ------------------------------------------------------------------ 4. nesting

    @Test
    void nestedAtomicThatThrowsRollsBackOnlyItself() {
        LongRef checking = new LongRef(0), savings = new LongRef(0);
        // snippet: nesting
        atomic(() -> {
            savings.add(1);                           // kept
            try {
                atomic(() -> {                        // a nested scope
                    checking.add(1_000);
                    throw new IllegalStateException("changed my mind");
                });
            } catch (IllegalStateException e) {
                // only the nested scope's writes are gone; savings.add(1) stays
            }
        });
        // end
        assertEquals(1, savings.atomic().get());
        assertEquals(0, checking.atomic().get());
    }

    // ------------------------------------------------------------------ 5. commute

    @Test
    void commuteAddCountsWithoutReading() throws Exception {
        // snippet: commute
        LongRef pageViews = new LongRef();
        Runnable view = () -> atomic(() -> {
            // ... the transaction's real work ...
            pageViews.commuteAdd(1);      // applied at commit to the latest value: never a conflict
        });
        // end
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 1_000; i++) {
                    view.run();
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(4_000, pageViews.atomic().get());
    }

    // ------------------------------------------------------------------ 6. hooks

    @Test
    void hooksRunAtTheRightMoments() {
        LongRef checking = new LongRef(100);
        // snippet: hooks
        List<String> outbox = new CopyOnWriteArrayList<>();     // stands in for a mail server
        atomic(() -> {
            checking.add(-10);
            beforeCommit(() -> {                                // inside the transaction, last
                if (checking.get() < 0) throw new IllegalStateException("overdrawn");
            });
            String notice = "debited 10, balance " + checking.get();
            afterCommit(() -> outbox.add(notice));              // once, after the commit
            afterRollback(() -> System.out.println("attempt rolled back, will run again or fail"));
        });
        // end
        assertEquals(List.of("debited 10, balance 90"), outbox);
        assertThrows(IllegalStateException.class, () -> atomic(() -> {
            checking.add(-1_000);
            beforeCommit(() -> {
                if (checking.get() < 0) throw new IllegalStateException("overdrawn");
            });
        }));
        assertEquals(90, checking.atomic().get());
    }

    // snippet: txn-local-declaration
    static final TxnLocal<List<String>> AUDIT = TxnLocal.withInitial(ArrayList::new);
    // end

    @Test
    void txnLocalCollectsPerAttemptAndAHookPublishesIt() {
        LongRef checking = new LongRef(100);
        List<String> journal = new CopyOnWriteArrayList<>();
        // snippet: txn-local
        atomic(() -> {
            checking.add(-10);
            AUDIT.get().add("debit 10");              // starts empty in every attempt
            List<String> entries = AUDIT.get();       // capture it: the hook runs after the transaction
            afterCommit(() -> journal.addAll(entries));
        });
        // end
        assertEquals(List.of("debit 10"), journal);
    }

    // ------------------------------------------------------------------ 7. options, timeouts, statistics

    @Test
    void optionsMakeAReadOnlyAuditWithATimeout() {
        LongRef checking = new LongRef(70), savings = new LongRef(30);
        // snippet: options
        TxnOptions audit = TxnOptions.DEFAULT.withReadOnly(true).withTimeout(Duration.ofSeconds(1));
        long total = atomic(audit, () -> checking.get() + savings.get());
        // end
        assertEquals(100, total);
        assertThrows(IllegalStateException.class, () -> atomic(audit, () -> checking.add(1)));
    }

    @Test
    void timeoutEndsAWaitThatNothingWillEnd() {
        Ref<String> slot = new Ref<>();
        boolean timedOut = false;
        // snippet: timeout
        TxnOptions patient = TxnOptions.DEFAULT.withTimeout(Duration.ofMillis(100));
        try {
            atomic(patient, () -> {
                if (slot.get() == null) retry();      // nobody fills the slot
            });
        } catch (TransactionTimeoutException e) {
            timedOut = true;                          // rolled back after about 100 ms
        }
        // end
        assertTrue(timedOut);
    }

    @Test
    void statisticsShowCommitsAndConflicts() {
        LongRef checking = new LongRef(0);
        // snippet: statistics
        StmStatistics before = Stm.statistics();
        // ... run the workload ...
        atomic(() -> checking.add(1));
        StmStatistics delta = Stm.statistics().minus(before);
        System.out.printf("%d commits, %.2f conflicts per commit%n", delta.commits(), delta.conflictsPerCommit());
        // end
        assertTrue(delta.commits() >= 1, String.valueOf(delta));
    }

    // ------------------------------------------------------------------ 8. collections

    @Test
    void mapsMoveEntriesAllOrNothing() {
        // snippet: collections-map
        TMap<String, Long> stock = new TMap<>(), reserved = new TMap<>();
        stock.asMap().put("apples", 10L);                    // a view call: its own transaction
        atomic(() -> {                                       // both maps change, or neither
            Long n = stock.remove("apples");
            if (n != null) reserved.merge("apples", n, Long::sum);
        });
        Long apples = reserved.asMap().get("apples");        // 10
        // end
        assertEquals(10L, apples);
        assertFalse(stock.asMap().containsKey("apples"));
    }

    @Test
    void blockingQueuesComposeWithOrElse() throws Exception {
        // snippet: collections-blocking
        TBoundedQueue<String> urgentJobs = new TBoundedQueue<>(16), normalJobs = new TBoundedQueue<>(16);
        normalJobs.asBlockingQueue().put("backup");          // a java.util.concurrent.BlockingQueue
        String job = atomic(() -> orElse(urgentJobs::take, normalJobs::take));   // "backup"
        // end
        assertEquals("backup", job);
    }

    @Test
    void counterAddsWithoutConflicts() {
        // snippet: collections-counter
        TCounter requests = new TCounter();
        requests.atomic().increment();                       // adders on different threads never conflict
        atomic(() -> requests.add(2));                       // or inside a transaction
        long seen = requests.atomic().get();                 // 3: reads every stripe
        // end
        assertEquals(3, seen);
    }

    // ------------------------------------------------------------------ faq

    @Test
    void faqRetryThatReadNoRefIsRefusedAndOneThatReadARefWaits() {
        boolean ready = false;
        assertThrows(IllegalStateException.class, () -> {
            // snippet: faq-retry-wrong
            atomic(() -> {
                if (!ready) retry();                 // a plain boolean: no ref read, nothing could wake it
            });
            // end
        });
        LongRef checking = new LongRef(10);
        // snippet: faq-retry-right
        atomic(() -> {
            if (checking.get() < 5) retry();       // reads checking: a commit to it ends the wait
            checking.add(-5);
        });
        // end
        assertEquals(5, checking.atomic().get());
    }
}
