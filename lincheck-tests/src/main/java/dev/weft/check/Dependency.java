package dev.weft.check;

import java.util.Objects;

/**
 * One edge of the dependency graph (Adya): {@code to} must follow {@code from} in every serial
 * order that explains the history.
 *
 * <p>Thread-safety: an immutable record.
 *
 * @param from the earlier attempt
 * @param to the later attempt
 * @param kind why
 * @param key the register or list that carries the dependency
 * @param value the version involved, named by the register's value or by the last element of
 *     the list ({@value History#INITIAL_VALUE} for the initial, empty version): for {@link Kind#WW}
 *     the version {@code to} replaced, for {@link Kind#WR} the version {@code to} read, for
 *     {@link Kind#RW} the version {@code from} read and {@code to} replaced
 */
public record Dependency(Txn from, Txn to, Kind kind, long key, long value) {

    /** The three kinds of direct dependency. */
    public enum Kind {
        /** Write-write: {@code to} installed the next version of the key after {@code from}'s. */
        WW,
        /** Write-read: {@code to} read the version {@code from} wrote. */
        WR,
        /** Read-write (anti-dependency): {@code to} overwrote the version {@code from} read. */
        RW
    }

    /**
     * Rejects nulls.
     *
     * @param from the earlier attempt
     * @param to the later attempt
     * @param kind why
     * @param key the register or list that carries the dependency
     * @param value the version involved, named by the register's value or by the last element of
     *     the list ({@value History#INITIAL_VALUE} for the initial, empty version): for {@link Kind#WW}
     *     the version {@code to} replaced, for {@link Kind#WR} the version {@code to} read, for
     *     {@link Kind#RW} the version {@code from} read and {@code to} replaced
     * @throws NullPointerException if {@code from}, {@code to} or {@code kind} is null
     */
    public Dependency {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(kind, "kind");
    }

    @Override
    public String toString() {
        String why = switch (kind) {
            case WW -> "ww: key " + key + ", T" + to.id() + " wrote the version after " + value;
            case WR -> "wr: key " + key + ", T" + to.id() + " read version " + value;
            case RW -> "rw: key " + key + ", T" + from.id() + " read version " + value + ", T" + to.id()
                    + " wrote the next";
        };
        return "T" + from.id() + " -> T" + to.id() + " (" + why + ")";
    }
}
