package dev.weft.check;

import java.util.List;
import java.util.Objects;

/**
 * A violation found by {@link SerializabilityChecker}, in Adya's and Elle's vocabulary.
 *
 * <p>Cycle anomalies ({@link G0}, {@link G1c}, {@link GSingle}, {@link G2}) are cycles among
 * committed transactions in the dependency graph: no serial order can explain them. Each is
 * reported once per strongly connected component, as the most severe kind found there (G0 before
 * G1c before G-single before G2), with a shortest cycle through one of its transactions.
 * {@link NonOpaqueRead} is such a cycle that passes through an aborted or unfinished attempt: that
 * attempt read from no single snapshot. The other kinds are found without a cycle.
 *
 * <p>Thread-safety: all implementations are immutable records.
 */
public sealed interface Anomaly permits Anomaly.G0, Anomaly.G1c, Anomaly.GSingle, Anomaly.G2,
        Anomaly.NonOpaqueRead, Anomaly.G1a, Anomaly.G1b, Anomaly.LostUpdate, Anomaly.InternalRead,
        Anomaly.GarbageRead, Anomaly.IncompatibleOrder {

    /**
     * A short name: "G0", "G1a", "G-single", "lost update", ...
     *
     * @return the kind of anomaly, as counted in {@link CheckResult#anomalyCounts()}
     */
    String name();

    /**
     * The attempts involved, in the order the explanation mentions them.
     *
     * @return the attempts involved
     */
    List<Txn> transactions();

    /**
     * A multi-line human-readable explanation naming each attempt and each key.
     *
     * @return the name, the summary, then one line per attempt involved
     */
    default String explain() {
        StringBuilder out = new StringBuilder(name()).append(": ").append(summary());
        for (Txn txn : transactions()) {
            out.append("\n    ").append(txn);
        }
        return out.toString();
    }

    /**
     * One line that says what went wrong.
     *
     * @return a one-line description naming the attempts and keys involved
     */
    String summary();

    /**
     * A cycle of write-write dependencies only: two transactions' writes interleaved (dirty write).
     *
     * @param cycle the dependency edges around the cycle, in order: each edge's {@code to} is the
     * next edge's {@code from}
     */
    record G0(List<Dependency> cycle) implements Anomaly {
        /**
         * Copies the cycle.
         *
         * @param cycle the dependency edges around the cycle, in order: each edge's {@code to} is
         * the next edge's {@code from}
         */
        public G0 {
            cycle = List.copyOf(cycle);
        }

        @Override
        public String name() {
            return "G0";
        }

        @Override
        public List<Txn> transactions() {
            return CycleText.transactions(cycle);
        }

        @Override
        public String summary() {
            return "write cycle (dirty write): " + CycleText.describe(cycle);
        }
    }

    /**
     * A cycle of write-write and write-read dependencies with at least one write-read (circular
     * information flow).
     *
     * @param cycle the dependency edges around the cycle, in order: each edge's {@code to} is the
     * next edge's {@code from}
     */
    record G1c(List<Dependency> cycle) implements Anomaly {
        /**
         * Copies the cycle.
         *
         * @param cycle the dependency edges around the cycle, in order: each edge's {@code to} is
         * the next edge's {@code from}
         */
        public G1c {
            cycle = List.copyOf(cycle);
        }

        @Override
        public String name() {
            return "G1c";
        }

        @Override
        public List<Txn> transactions() {
            return CycleText.transactions(cycle);
        }

        @Override
        public String summary() {
            return "circular information flow: " + CycleText.describe(cycle);
        }
    }

    /**
     * A cycle with exactly one anti-dependency (read-write) edge: read skew, a lost update seen
     * through a cycle.
     *
     * @param cycle the dependency edges around the cycle, in order: each edge's {@code to} is the
     * next edge's {@code from}
     */
    record GSingle(List<Dependency> cycle) implements Anomaly {
        /**
         * Copies the cycle.
         *
         * @param cycle the dependency edges around the cycle, in order: each edge's {@code to} is
         * the next edge's {@code from}
         */
        public GSingle {
            cycle = List.copyOf(cycle);
        }

        @Override
        public String name() {
            return "G-single";
        }

        @Override
        public List<Txn> transactions() {
            return CycleText.transactions(cycle);
        }

        @Override
        public String summary() {
            return "cycle with one anti-dependency (read skew): " + CycleText.describe(cycle);
        }
    }

    /**
     * A cycle with two or more anti-dependency edges; with two transactions and two read-write
     * edges it is write skew.
     *
     * @param cycle the dependency edges around the cycle, in order: each edge's {@code to} is the
     * next edge's {@code from}
     */
    record G2(List<Dependency> cycle) implements Anomaly {
        /**
         * Copies the cycle.
         *
         * @param cycle the dependency edges around the cycle, in order: each edge's {@code to} is
         * the next edge's {@code from}
         */
        public G2 {
            cycle = List.copyOf(cycle);
        }

        /**
         * Whether this is the classic write skew: two transactions, each overwriting what the other
         * read.
         *
         * @return true for a cycle of two anti-dependencies between two transactions
         */
        public boolean isWriteSkew() {
            return cycle.size() == 2 && cycle.stream().allMatch(d -> d.kind() == Dependency.Kind.RW);
        }

        @Override
        public String name() {
            return "G2";
        }

        @Override
        public List<Txn> transactions() {
            return CycleText.transactions(cycle);
        }

        @Override
        public String summary() {
            return (isWriteSkew() ? "write skew, " : "") + "cycle with "
                    + cycle.stream().filter(d -> d.kind() == Dependency.Kind.RW).count()
                    + " anti-dependencies: " + CycleText.describe(cycle);
        }
    }

    /**
     * An attempt that did not commit read values that no single order of all attempts explains
     * (opacity violation): the cycle passes through it. Usually it read from no single snapshot (a
     * "zombie" read); the cycle may also pass through another such attempt, when each read a
     * snapshot but the two snapshots order two commits opposite ways.
     *
     * @param attempt the attempt, aborted or unfinished, that read from no single snapshot
     * @param cycle the dependency edges around the cycle, in order: each edge's {@code to} is the
     * next edge's {@code from}
     */
    record NonOpaqueRead(Txn attempt, List<Dependency> cycle) implements Anomaly {
        /**
         * Copies the cycle.
         *
         * @param attempt the attempt, aborted or unfinished, that read from no single snapshot
         * @param cycle the dependency edges around the cycle, in order: each edge's {@code to} is
         * the next edge's {@code from}
         */
        public NonOpaqueRead {
            Objects.requireNonNull(attempt, "attempt");
            cycle = List.copyOf(cycle);
        }

        @Override
        public String name() {
            return "non-opaque read";
        }

        @Override
        public List<Txn> transactions() {
            return CycleText.transactions(cycle);
        }

        @Override
        public String summary() {
            return "T" + attempt.id() + " (" + attempt.outcome().name().toLowerCase()
                    + ") read from no single snapshot: " + CycleText.describe(cycle);
        }
    }

    /**
     * Aborted read: {@code reader} read a value written only by an attempt that did not commit.
     *
     * @param reader the attempt that read the aborted value
     * @param writer the attempt that wrote it and did not commit
     * @param key the register or list read
     * @param value the value (or list element) read
     */
    record G1a(Txn reader, Txn writer, long key, long value) implements Anomaly {
        @Override
        public String name() {
            return "G1a";
        }

        @Override
        public List<Txn> transactions() {
            return List.of(reader, writer);
        }

        @Override
        public String summary() {
            return "T" + reader.id() + " read key " + key + " = " + value + ", written by T" + writer.id()
                    + " which did not commit";
        }
    }

    /**
     * Intermediate read: {@code reader} read a version that {@code writer} later overwrote (or
     * appended after) within the same transaction.
     *
     * @param reader the attempt that read the intermediate version
     * @param writer the committed attempt that wrote it and then overwrote (or appended after) it
     * @param key the register or list read
     * @param value the value (or last list element) read
     */
    record G1b(Txn reader, Txn writer, long key, long value) implements Anomaly {
        @Override
        public String name() {
            return "G1b";
        }

        @Override
        public List<Txn> transactions() {
            return List.of(reader, writer);
        }

        @Override
        public String summary() {
            return "T" + reader.id() + " read key " + key + " = " + value + ", an intermediate state of T" + writer.id();
        }
    }

    /**
     * Lost update: two or more committed transactions read the same version of {@code key} and
     * each wrote a new version of it, so all but one of the updates were lost.
     *
     * @param key the register or list updated
     * @param readValue the version all the writers read ({@value History#INITIAL_VALUE} for the
     * initial one); for a list, its last element then ({@value History#INITIAL_VALUE}: empty)
     * @param writers the committed attempts that read it and wrote the key
     */
    record LostUpdate(long key, long readValue, List<Txn> writers) implements Anomaly {
        /**
         * Copies the writers.
         *
         * @param key the register or list updated
         * @param readValue the version all the writers read ({@value History#INITIAL_VALUE} for the
         * initial one); for a list, its last element then ({@value History#INITIAL_VALUE}: empty)
         * @param writers the committed attempts that read it and wrote the key
         */
        public LostUpdate {
            writers = List.copyOf(writers);
        }

        @Override
        public String name() {
            return "lost update";
        }

        @Override
        public List<Txn> transactions() {
            return writers;
        }

        @Override
        public String summary() {
            StringBuilder ids = new StringBuilder();
            for (Txn writer : writers) {
                ids.append(ids.length() == 0 ? "" : ", ").append('T').append(writer.id());
            }
            return ids + " all read key " + key + " = " + readValue + " and each wrote it";
        }
    }

    /**
     * A read inside {@code txn} that contradicts the transaction's own earlier writes.
     *
     * @param txn the attempt whose read contradicts its own writes
     * @param key the register or list read
     * @param detail what was read and what the attempt's own writes imply
     */
    record InternalRead(Txn txn, long key, String detail) implements Anomaly {
        @Override
        public String name() {
            return "internal inconsistency";
        }

        @Override
        public List<Txn> transactions() {
            return List.of(txn);
        }

        @Override
        public String summary() {
            return "T" + txn.id() + " key " + key + ": " + detail;
        }
    }

    /**
     * A read of a value (or list element) that no attempt ever wrote, or that appears twice in a
     * list.
     *
     * @param reader the attempt that read it
     * @param key the register or list read
     * @param value the value or element that no attempt wrote, or that appears twice
     * @param detail which of the two it is
     */
    record GarbageRead(Txn reader, long key, long value, String detail) implements Anomaly {
        @Override
        public String name() {
            return "garbage read";
        }

        @Override
        public List<Txn> transactions() {
            return List.of(reader);
        }

        @Override
        public String summary() {
            return "T" + reader.id() + " key " + key + " value " + value + ": " + detail;
        }
    }

    /**
     * Two reads of list {@code key} where neither is a prefix of the other: no single order of
     * appends explains both.
     *
     * @param key the list read
     * @param reader one of the two attempts that read the list
     * @param other the other one
     */
    record IncompatibleOrder(long key, Txn reader, Txn other) implements Anomaly {
        @Override
        public String name() {
            return "incompatible order";
        }

        @Override
        public List<Txn> transactions() {
            return List.of(reader, other);
        }

        @Override
        public String summary() {
            return "T" + reader.id() + " and T" + other.id() + " read list " + key + " in orders neither of which "
                    + "extends the other";
        }
    }
}
