package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Multithreaded invariant tests: opacity, serializability (no write skew), atomic commits. */
class IsolationTest {

    /**
     * Invariant x + y == 0 holds between transactions. Every read inside every attempt (including
     * attempts that will abort) must see it: a torn snapshot would show up as a non-zero sum, and
     * the division would throw ArithmeticException.
     */
    @Test
    void zombieNeverSeesBrokenInvariant() throws Exception {
        Counter x = new Counter(0);
        Counter y = new Counter(0);
        AtomicLong violations = new AtomicLong();
        int iterations = Scale.of(100_000);
        Workers workers = new Workers();
        workers.add(2, w -> {
            SplittableRandom random = new SplittableRandom(w);
            for (int i = 0; i < iterations && !workers.stop.get(); i++) {
                long delta = random.nextLong(1, 100);
                atomic(() -> {
                    x.add(delta);
                    y.add(-delta);
                });
            }
        });
        workers.add(2, w -> {
            for (int i = 0; i < iterations && !workers.stop.get(); i++) {
                atomic(() -> {
                    long a = x.get();
                    long b = y.get();
                    if (a + b != 0) {
                        violations.incrementAndGet();
                    }
                    long guard = 1 / (a + b == 0 ? 1 : 0); // divides by zero on a torn read
                    x.set(a + guard - 1); // a write, so readers are also validated at commit
                });
            }
        });
        workers.runAll(120);
        assertEquals(0, violations.get(), "a transaction observed x + y != 0");
        assertEquals(0, Stm.atomicLong(() -> x.get() + y.get()));
    }

    /**
     * Two doctors: each goes off call only if both are on call. Serializable execution never
     * leaves both off call; snapshot isolation does (Multiverse's default, Clojure without ensure).
     */
    @Test
    void writeSkewIsImpossible() throws Exception {
        Counter alice = new Counter(0);
        Counter bob = new Counter(0);
        Counter[] doctors = {alice, bob};
        AtomicLong bothOffCall = new AtomicLong();
        int rounds = Scale.of(100_000);
        Workers workers = new Workers();
        workers.add(2, w -> {
            Counter me = doctors[w];
            for (int i = 0; i < rounds && !workers.stop.get(); i++) {
                atomic(() -> {
                    if (alice.get() == 0 && bob.get() == 0) {
                        me.set(1);
                    }
                });
                atomic(() -> {
                    if (alice.get() == 1 && bob.get() == 1) {
                        bothOffCall.incrementAndGet();
                    }
                    me.set(0);
                });
            }
        });
        workers.runAll(120);
        assertEquals(0, bothOffCall.get(), "write skew: both doctors went off call");
    }

    /** Bank: transfers never create or destroy money, as seen by concurrent audit transactions. */
    @Test
    void auditorsAlwaysSeeTheTotal() throws Exception {
        int accounts = 64;
        long initial = 1_000;
        Counter[] bank = Counter.array(accounts, initial);
        long expected = accounts * initial;
        AtomicLong badAudits = new AtomicLong();
        AtomicLong audits = new AtomicLong();
        int transfers = Scale.of(50_000);
        Workers workers = new Workers();
        workers.add(2, w -> {
            SplittableRandom random = new SplittableRandom(31 * w);
            for (int i = 0; i < transfers && !workers.stop.get(); i++) {
                int from = random.nextInt(accounts);
                int to = (from + 1 + random.nextInt(accounts - 1)) % accounts;
                long amount = random.nextLong(1, 50);
                atomic(() -> {
                    if (bank[from].get() >= amount) {
                        bank[from].add(-amount);
                        bank[to].add(amount);
                    }
                });
            }
        });
        workers.add(1, w -> {
            for (int i = 0; i < transfers / 20 && !workers.stop.get(); i++) {
                long total = Stm.atomicLong(() -> {
                    long sum = 0;
                    for (Counter account : bank) {
                        sum += account.get();
                    }
                    return sum;
                });
                audits.incrementAndGet();
                if (total != expected) {
                    badAudits.incrementAndGet();
                }
            }
        });
        workers.runAll(120);
        assertEquals(0, badAudits.get(), "an audit saw money created or destroyed");
        long total = 0;
        for (Counter account : bank) {
            total += account.committed();
            assertEquals(true, account.committed() >= 0, "overdrawn account");
        }
        assertEquals(expected, total);
    }

    /** Conflicting increments are all retried to completion: none is lost. */
    @Test
    void contendedIncrementsAreNeverLost() throws Exception {
        Counter hot = new Counter(0);
        int perThread = Scale.of(50_000);
        new Workers().add(3, w -> {
            for (int i = 0; i < perThread; i++) {
                atomic(() -> hot.add(1));
            }
        }).runAll(120);
        assertEquals(3L * perThread, hot.committed());
    }

    /** A body that swallows the engine's conflict signal still never commits a doomed attempt. */
    @Test
    void bodyCatchingThrowableCannotCommitADoomedAttempt() throws Exception {
        Counter x = new Counter(0);
        Counter y = new Counter(0);
        int iterations = Scale.of(30_000);
        Workers workers = new Workers();
        workers.add(2, w -> {
            for (int i = 0; i < iterations; i++) {
                atomic(() -> {
                    long a;
                    try {
                        a = x.get();
                    } catch (Throwable swallowed) { // misuse: hides the conflict signal
                        a = 0;
                    }
                    x.set(a + 1);
                    y.set(y.get() + 1);
                });
            }
        });
        workers.runAll(120);
        assertEquals(2L * iterations, x.committed());
        assertEquals(2L * iterations, y.committed());
    }
}
