package dev.weft.stm;

import java.util.List;

/**
 * Which refs make transactions re-run, and which transaction sites suffer and cause those re-runs,
 * from {@link Stm#startConflictProfiling()} until the report was taken. Immutable.
 *
 * <p>A <em>site</em> is where a transaction body was written: the first stack frame outside Weft
 * when the body (a lambda or class) first ran, such as {@code com.example.Bank.transfer(Bank.java:42)}.
 * A ref is shown by its name ({@code LongRef.named("balance")}) or, unnamed, by its class and
 * identity hash. Counts include only conflicts (read, write, validation), not {@code retry()} or
 * exceptions. "Caused" is attributed to the site whose commit held the ref's lock, or else the site
 * that last committed a write to the ref the loser had read; conflicts whose winner is unknown count
 * only as suffered.
 *
 * @param refs  refs by conflicts suffered on them, most first
 * @param sites transaction sites by conflicts suffered plus caused, most first
 */
public record ConflictReport(List<Entry> refs, List<Entry> sites) {
    /**
     * One ref or site.
     *
     * @param name     the ref's name or the site
     * @param suffered aborted attempts that lost on this ref / of transactions at this site
     * @param caused   aborted attempts of other transactions attributed to this site (0 for refs)
     */
    public record Entry(String name, long suffered, long caused) { }

    /**
     * Creates a report holding unmodifiable copies of both lists; Weft builds it from the
     * profiler's counts, tests and tools may build their own.
     *
     * @param refs  refs by conflicts suffered on them, most first
     * @param sites transaction sites by conflicts suffered plus caused, most first
     * @throws NullPointerException if an argument or an element is null
     */
    public ConflictReport {
        refs = List.copyOf(refs);
        sites = List.copyOf(sites);
    }

    /**
     * Formats the report as two tables, refs first, then transaction sites.
     *
     * @param topN how many rows of each table to print
     * @return the two tables as aligned text
     */
    public String table(int topN) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%-60s %10s%n", "ref", "conflicts"));
        refs.stream().limit(topN).forEach(e -> out.append(String.format("%-60s %,10d%n", e.name(), e.suffered())));
        out.append(String.format("%n%-60s %10s %10s%n", "transaction site", "suffered", "caused"));
        sites.stream().limit(topN).forEach(e ->
                out.append(String.format("%-60s %,10d %,10d%n", e.name(), e.suffered(), e.caused())));
        return out.toString();
    }

    /**
     * The first ten rows of each table.
     *
     * @return {@code table(10)}
     */
    @Override
    public String toString() {
        return table(10);
    }
}
