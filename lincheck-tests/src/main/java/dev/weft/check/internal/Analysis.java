package dev.weft.check.internal;

import static dev.weft.check.internal.HistoryColumns.APPEND;
import static dev.weft.check.internal.HistoryColumns.READ;
import static dev.weft.check.internal.HistoryColumns.READ_LIST;
import static dev.weft.check.internal.HistoryColumns.WRITE;

import dev.weft.check.Anomaly;
import dev.weft.check.Dependency;
import dev.weft.check.Txn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The serializability and opacity analysis of one history.
 *
 * <h2>Overview</h2>
 *
 * <p>The analysis follows Adya's dependency graphs as Elle infers them from observations, and
 * every step is linear in the size of the history (attempts + ops + elements of list reads),
 * apart from the cycle classification, which runs only on cyclic components (none in a correct
 * history) and is bounded by a work budget.
 *
 * <ol>
 *   <li><b>Scan</b> each attempt in program order with per-key state for that attempt only.
 *       A read of a key the attempt already wrote must return its own latest write (else an
 *       internal inconsistency); other reads are <em>external</em>: they observed shared state.
 *       A list read must end with the attempt's own appends to that list; the rest is its
 *       external prefix. Every write and append is indexed by (key, value); values are unique per
 *       key, so the index names the writer of any value read. A write overwritten later in the
 *       same attempt is <em>intermediate</em>.</li>
 *   <li><b>Version order of registers.</b> A committed transaction that read version v of key k
 *       and then wrote k installed the version right after v: between its read and its commit no
 *       other version can come in any serial order. So succ(k, v) = its final write. Two
 *       committed transactions claiming the same successor are a lost update. Blind writes
 *       (without a read of the key first) stay unordered: the checker infers less, never
 *       wrongly.</li>
 *   <li><b>Version order of lists.</b> The longest committed external read of each list is its
 *       order; every other read must be a prefix of it (else incompatible order).</li>
 *   <li><b>Edges.</b> ww between consecutive versions (writers of v and succ(v); appenders of
 *       consecutive elements); wr from the writer of each externally read value to the reader
 *       (reading an aborted or intermediate value is G1a / G1b instead); rw from each reader of v
 *       to the writer of succ(v). Committed readers and writers only, except that attempts that
 *       did not commit get their wr (in) and rw (out) edges too, for the opacity step.</li>
 *   <li><b>Serializability.</b> Tarjan's components on the committed-only graph; a component
 *       with two or more transactions contains a cycle. It is classified by looking for the most
 *       severe cycle first: ww only (G0), ww+wr (G1c), exactly one rw (G-single), any (G2),
 *       each found as a shortest path with breadth-first search.</li>
 *   <li><b>Opacity.</b> Components of the graph with every attempt; an aborted or unfinished
 *       attempt inside a cyclic component read from no snapshot consistent with the committed
 *       transactions (a zombie read): it is reported with a shortest cycle through it.</li>
 * </ol>
 *
 * <p>Thread-safety: not thread-safe; one instance checks one history on one thread.
 */
public final class Analysis {
    private static final byte EXTERNAL = 1;
    private static final byte INTERMEDIATE = 2;
    private static final byte HAS_LATER_APPEND = 4;
    private static final long CYCLE_SEARCH_BUDGET = 5_000_000;
    private static final int NON_OPAQUE_PER_COMPONENT = 3;

    private final HistoryColumns h;
    private final IntFunction<Txn> txnView;
    private final Findings findings;
    private final int[] opTxn;
    private final byte[] flags;
    /**
     * Per op: for a WRITE, the external read of the same key before the attempt's first write
     * to it (or -1); for an APPEND, the attempt's previous append to the same key (or -1); for a
     * READ_LIST, the length of its external prefix (or -1 when the read is internally
     * inconsistent).
     */
    private final int[] aux;
    private final PairIndex writes;
    private final PairIndex appends;
    private final PairIndex successors;
    /** (list key, last element of a committed read of it, 0 for empty) -> the first append after that read. */
    private final PairIndex listSuccessors = new PairIndex(16);
    private final DependencyGraph graph;
    private boolean nonCommittedEdges;
    // lost updates: (key, version read) -> index of the group of transactions that all overwrote it
    private PairIndex lostUpdateIndex;
    private List<Writers> lostUpdateGroups;

    public Analysis(HistoryColumns history, IntFunction<Txn> txnView, Findings findings) {
        this.h = history;
        this.txnView = txnView;
        this.findings = findings;
        int ops = history.opCount();
        this.opTxn = new int[ops];
        this.flags = new byte[ops];
        this.aux = new int[ops];
        this.writes = new PairIndex(ops / 2);
        this.appends = new PairIndex(ops / 2);
        this.successors = new PairIndex(ops / 4);
        this.graph = new DependencyGraph(history.txnCount);
    }

    /** Runs every step; anomalies go to the findings. */
    public void run() {
        scan();
        registerEdges();
        listEdges();
        serializability();
        opacity();
    }

    public int edgeCount() {
        return graph.edgeCount();
    }

    // ---- step 1: scan each attempt ----

    private void scan() {
        KeySlots slots = new KeySlots();
        int[] lastWrite = new int[64];
        int[] lastExternalRead = new int[64];
        int[] lastAppend = new int[64];
        int[] lastListRead = new int[64]; // the attempt's latest consistent list read before its first append
        for (int t = 0; t < h.txnCount; t++) {
            slots.clear();
            for (int i = h.opStart[t]; i < h.opStart[t + 1]; i++) {
                opTxn[i] = t;
                long k = h.opKey[i];
                int slot = slots.slotOf(k);
                if (slot < 0) {
                    slot = -1 - slot;
                    if (slot == lastWrite.length) {
                        lastWrite = Arrays.copyOf(lastWrite, slot * 2);
                        lastExternalRead = Arrays.copyOf(lastExternalRead, slot * 2);
                        lastAppend = Arrays.copyOf(lastAppend, slot * 2);
                        lastListRead = Arrays.copyOf(lastListRead, slot * 2);
                    }
                    lastWrite[slot] = -1;
                    lastExternalRead[slot] = -1;
                    lastAppend[slot] = -1;
                    lastListRead[slot] = -1;
                }
                switch (h.opKind[i]) {
                    case READ -> {
                        int own = lastWrite[slot];
                        if (own < 0) {
                            flags[i] |= EXTERNAL;
                            lastExternalRead[slot] = i;
                        } else if (h.opValue[i] != h.opValue[own]) {
                            reportInternal(t, k, "read " + h.opValue[i] + " after writing " + h.opValue[own]);
                        }
                    }
                    case WRITE -> {
                        indexWrite(writes, i, "written");
                        int previous = lastWrite[slot];
                        if (previous >= 0) {
                            flags[previous] |= INTERMEDIATE;
                            aux[i] = aux[previous];
                        } else {
                            aux[i] = lastExternalRead[slot];
                        }
                        lastWrite[slot] = i;
                    }
                    case APPEND -> {
                        indexWrite(appends, i, "appended");
                        int previous = lastAppend[slot];
                        if (previous >= 0) {
                            flags[previous] |= HAS_LATER_APPEND;
                        }
                        aux[i] = previous;
                        lastAppend[slot] = i;
                        if (previous < 0 && lastListRead[slot] >= 0 && h.committed(t)) {
                            noteListSuccessor(k, lastListRead[slot], i);
                        }
                    }
                    case READ_LIST -> {
                        scanListRead(t, i, k, lastAppend[slot]);
                        if (aux[i] >= 0 && lastAppend[slot] < 0) {
                            lastListRead[slot] = i;
                        }
                    }
                    default -> throw new IllegalStateException("unknown op kind " + h.opKind[i]);
                }
            }
            if (h.committed(t)) {
                recordSuccessors(t);
            }
        }
    }

    private void indexWrite(PairIndex index, int op, String verb) {
        int present = index.putIfAbsent(h.opKey[op], h.opValue[op], op);
        if (present >= 0) {
            throw new IllegalArgumentException("value " + h.opValue[op] + " was " + verb + " twice to key " + h.opKey[op]
                    + " (by T" + opTxn[present] + " and T" + opTxn[op] + "); the checker needs values unique per key: "
                    + "take them from ThreadRecorder.uniqueValue()");
        }
    }

    private void scanListRead(int t, int i, long k, int lastOwnAppend) {
        int length = h.listLength(i);
        int own = 0;
        for (int a = lastOwnAppend; a >= 0; a = aux[a]) {
            int position = length - 1 - own;
            if (position < 0 || h.listElement(i, position) != h.opValue[a]) {
                reportInternal(t, k, "list read does not end with the transaction's own appends");
                aux[i] = -1;
                return;
            }
            own++;
        }
        aux[i] = length - own;
        flags[i] |= EXTERNAL;
    }

    /**
     * Step 2 for lists: a committed transaction that read list {@code k} (the whole list then: it
     * had not appended to it yet) and then appended to it put its first element right after the
     * last element it read, in every serial order. Two committed transactions claiming the same
     * place lost one another's append (two that both read the list empty and appended are the
     * commonest case: an engine that drops commits produces them).
     */
    private void noteListSuccessor(long k, int read, int append) {
        int length = aux[read];
        long last = length > 0 ? h.listElement(read, length - 1) : 0;
        int present = listSuccessors.putIfAbsent(k, last, append);
        if (present >= 0) {
            int first = opTxn[present];
            int second = opTxn[append];
            findings.report("lost update", () -> new Anomaly.LostUpdate(k, last,
                    List.of(txnView.apply(first), txnView.apply(second))));
        }
    }

    /** Step 2: each final write that follows a read of its key is the successor of the version read. */
    private void recordSuccessors(int t) {
        for (int i = h.opStart[t]; i < h.opStart[t + 1]; i++) {
            if (h.opKind[i] != WRITE || (flags[i] & INTERMEDIATE) != 0 || aux[i] < 0) {
                continue;
            }
            long k = h.opKey[i];
            long readValue = h.opValue[aux[i]];
            int present = successors.putIfAbsent(k, readValue, i);
            if (present >= 0) {
                noteLostUpdate(k, readValue, opTxn[present], t);
            }
        }
    }

    private void noteLostUpdate(long k, long readValue, int first, int other) {
        if (lostUpdateIndex == null) {
            lostUpdateIndex = new PairIndex(16);
            lostUpdateGroups = new ArrayList<>();
        }
        int group = lostUpdateIndex.putIfAbsent(k, readValue, lostUpdateGroups.size());
        if (group < 0) {
            Writers writers = new Writers();
            writers.add(first);
            writers.add(other);
            lostUpdateGroups.add(writers);
        } else {
            lostUpdateGroups.get(group).add(other);
        }
    }

    /** The committed writers of one read version, grown by doubling: n writers cost O(n). */
    private static final class Writers {
        int[] txns = new int[4];
        int size;

        void add(int txn) {
            if (size == txns.length) {
                txns = Arrays.copyOf(txns, 2 * size);
            }
            txns[size++] = txn;
        }
    }

    // ---- steps 2 and 4 for registers ----

    private void registerEdges() {
        if (lostUpdateIndex != null) {
            lostUpdateIndex.forEach((k, readValue, groupIndex) -> {
                Writers group = lostUpdateGroups.get(groupIndex);
                int[] txns = Arrays.copyOf(group.txns, group.size);
                findings.report("lost update", () -> {
                    List<Txn> writers = new ArrayList<>();
                    for (int txn : txns) {
                        writers.add(txnView.apply(txn));
                    }
                    return new Anomaly.LostUpdate(k, readValue, writers);
                });
            });
        }
        for (int i = 0; i < flags.length; i++) {
            byte kind = h.opKind[i];
            if (kind == READ && (flags[i] & EXTERNAL) != 0) {
                registerReadEdges(i);
            } else if (kind == WRITE && (flags[i] & INTERMEDIATE) == 0 && aux[i] >= 0 && h.committed(opTxn[i])) {
                long k = h.opKey[i];
                long previous = h.opValue[aux[i]];
                int w = previous == 0 ? -1 : writes.get(k, previous);
                if (w >= 0 && opTxn[w] != opTxn[i] && h.committed(opTxn[w]) && (flags[w] & INTERMEDIATE) == 0) {
                    graph.add(opTxn[w], opTxn[i], DependencyGraph.WW, k, previous);
                }
            }
        }
    }

    private void registerReadEdges(int i) {
        int reader = opTxn[i];
        long k = h.opKey[i];
        long v = h.opValue[i];
        if (v != 0) {
            int w = writes.get(k, v);
            if (w < 0) {
                reportGarbage(reader, k, v, "no attempt wrote this value");
            } else {
                int writer = opTxn[w];
                if (writer == reader) {
                    reportGarbage(reader, k, v, "read a value its own transaction writes only later");
                } else if (!h.committed(writer)) {
                    findings.report("G1a", () -> new Anomaly.G1a(txnView.apply(reader), txnView.apply(writer), k, v));
                } else if ((flags[w] & INTERMEDIATE) != 0) {
                    findings.report("G1b", () -> new Anomaly.G1b(txnView.apply(reader), txnView.apply(writer), k, v));
                } else {
                    addEdge(writer, reader, DependencyGraph.WR, k, v);
                }
            }
        }
        int next = successors.get(k, v);
        if (next >= 0 && opTxn[next] != reader) {
            addEdge(reader, opTxn[next], DependencyGraph.RW, k, v);
        }
    }

    // ---- steps 3 and 4 for lists ----

    private void listEdges() {
        PairIndex longest = new PairIndex(16); // (key, 0) -> the op of the longest external read
        for (int pass = 0; pass < 2; pass++) {
            boolean committedPass = pass == 0;
            for (int i = 0; i < flags.length; i++) {
                if (h.opKind[i] != READ_LIST || (flags[i] & EXTERNAL) == 0 || h.committed(opTxn[i]) != committedPass) {
                    continue;
                }
                int best = longest.get(h.opKey[i], 0);
                if (best < 0) {
                    longest.putIfAbsent(h.opKey[i], 0, i);
                } else if (aux[i] > aux[best] && (committedPass || !h.committed(opTxn[best]))) {
                    longest.overwrite(h.opKey[i], 0, i);
                }
            }
        }
        if (longest.size() == 0) {
            return;
        }
        PairIndex firstUncommitted = new PairIndex(16); // (key, 0) -> position of the first element not committed
        longest.forEach((k, zero, best) -> orderEdges(k, best, firstUncommitted));
        for (int i = 0; i < flags.length; i++) {
            if (h.opKind[i] == READ_LIST && (flags[i] & EXTERNAL) != 0) {
                listReadEdges(i, longest.get(h.opKey[i], 0), firstUncommitted);
            }
        }
    }

    /** ww edges between consecutive elements of the longest read of list {@code k}. */
    private void orderEdges(long k, int best, PairIndex firstUncommitted) {
        int length = aux[best];
        int reader = opTxn[best];
        PairIndex seen = new PairIndex(length);
        int previousAppender = -1;
        long previousElement = 0;
        int uncommittedAt = Integer.MAX_VALUE;
        for (int j = 0; j < length; j++) {
            long e = h.listElement(best, j);
            if (seen.putIfAbsent(e, 0, j) >= 0) {
                reportGarbage(reader, k, e, "element appears twice in the list");
                continue;
            }
            int a = appends.get(k, e);
            if (a < 0) {
                reportGarbage(reader, k, e, "no attempt appended this element");
                previousAppender = -1;
                continue;
            }
            int appender = opTxn[a];
            int earlier = aux[a]; // the appender's previous append to this list, or -1
            if (earlier >= 0 && (j == 0 || h.listElement(best, j - 1) != h.opValue[earlier])) {
                long expected = h.opValue[earlier];
                reportGarbage(reader, k, e, "its transaction appended it right after " + expected
                        + ", which does not come just before it (a transaction's appends are contiguous and in order)");
            }
            if (!h.committed(appender) && uncommittedAt == Integer.MAX_VALUE) {
                uncommittedAt = j;
            }
            if (previousAppender >= 0 && previousAppender != appender && h.committed(appender)
                    && h.committed(previousAppender)) {
                graph.add(previousAppender, appender, DependencyGraph.WW, k, previousElement);
            }
            previousAppender = appender;
            previousElement = e;
        }
        firstUncommitted.putIfAbsent(k, 0, uncommittedAt);
    }

    private void listReadEdges(int i, int best, PairIndex firstUncommitted) {
        int reader = opTxn[i];
        long k = h.opKey[i];
        int length = aux[i];
        int bestLength = aux[best];
        int common = Math.min(length, bestLength);
        // the external prefix holds no element of the reader's own appends: those come after
        // it, so one in the prefix is an append the transaction made only after this read
        for (int j = 0; j < length; j++) {
            long e = h.listElement(i, j);
            int a = appends.get(k, e);
            if (a >= 0 && opTxn[a] == reader) {
                reportGarbage(reader, k, e, "read an element its own transaction appends only later");
                return;
            }
        }
        if (length > bestLength) { // past the longest committed read (a zombie): no element twice
            PairIndex seen = new PairIndex(length);
            for (int j = 0; j < length; j++) {
                long e = h.listElement(i, j);
                if (seen.putIfAbsent(e, 0, j) >= 0) {
                    reportGarbage(reader, k, e, "element appears twice in the list");
                    return;
                }
            }
        }
        for (int j = 0; j < common; j++) {
            if (h.listElement(i, j) != h.listElement(best, j)) {
                int other = opTxn[best];
                findings.report("incompatible order",
                        () -> new Anomaly.IncompatibleOrder(k, txnView.apply(reader), txnView.apply(other)));
                return;
            }
        }
        // only an attempt that did not commit can read past the longest committed read
        int uncommitted = firstUncommitted.get(k, 0);
        for (int j = uncommitted < common ? uncommitted : bestLength; j < length; j++) {
            long e = h.listElement(i, j);
            int a = appends.get(k, e);
            if (a < 0) {
                reportGarbage(reader, k, e, "no attempt appended this element");
                return;
            }
            int writer = opTxn[a];
            if (writer != reader && !h.committed(writer)) {
                findings.report("G1a", () -> new Anomaly.G1a(txnView.apply(reader), txnView.apply(writer), k, e));
                return;
            }
        }
        if (length > 0) {
            long last = h.listElement(i, length - 1);
            int a = appends.get(k, last);
            if (a >= 0 && opTxn[a] != reader && h.committed(opTxn[a])) {
                int writer = opTxn[a];
                if ((flags[a] & HAS_LATER_APPEND) != 0) {
                    findings.report("G1b", () -> new Anomaly.G1b(txnView.apply(reader), txnView.apply(writer), k, last));
                } else {
                    addEdge(writer, reader, DependencyGraph.WR, k, last);
                }
            }
        }
        if (length < bestLength) {
            long next = h.listElement(best, length);
            int a = appends.get(k, next);
            if (a >= 0 && opTxn[a] != reader && h.committed(opTxn[a])) {
                addEdge(reader, opTxn[a], DependencyGraph.RW, k, length > 0 ? h.listElement(i, length - 1) : 0);
            }
        }
    }

    private void addEdge(int fromTxn, int toTxn, byte kind, long k, long v) {
        if (!h.committed(fromTxn) || !h.committed(toTxn)) {
            nonCommittedEdges = true;
        }
        graph.add(fromTxn, toTxn, kind, k, v);
    }

    // ---- step 5: serializability ----

    private void serializability() {
        boolean[] committed = new boolean[h.txnCount];
        int[] roots = new int[h.txnCount];
        int rootCount = 0;
        for (int t = 0; t < h.txnCount; t++) {
            committed[t] = h.committed(t);
            if (committed[t]) {
                roots[rootCount++] = t;
            }
        }
        graph.index(committed);
        List<int[]> components = graph.cyclicComponents(roots, rootCount, DependencyGraph.ALL_KINDS, null, 0);
        if (components.isEmpty()) {
            return;
        }
        int[] member = new int[h.txnCount];
        int stamp = 0;
        for (int[] component : components) {
            stamp++;
            for (int v : component) {
                member[v] = stamp;
            }
            classify(component, member, stamp);
        }
    }

    private void classify(int[] component, int[] member, int stamp) {
        long[] budget = {CYCLE_SEARCH_BUDGET};
        int[] cycle = cycleWithin(component, 1 << DependencyGraph.WW, member, stamp, budget);
        if (cycle != null) {
            reportCycle("G0", cycle);
            return;
        }
        cycle = cycleWithin(component, (1 << DependencyGraph.WW) | (1 << DependencyGraph.WR), member, stamp, budget);
        if (cycle != null) {
            reportCycle("G1c", cycle);
            return;
        }
        cycle = singleAntiDependencyCycle(component, member, stamp, budget);
        if (cycle != null) {
            reportCycle("G-single", cycle);
            return;
        }
        long[] unlimited = {Long.MAX_VALUE};
        cycle = graph.shortestPath(component[0], component[0], DependencyGraph.ALL_KINDS, member, stamp, unlimited);
        reportCycle(antiDependencies(cycle) == 1 ? "G-single" : "G2", cycle);
    }

    /** A shortest cycle using only {@code kindMask} edges inside the component, or null. */
    private int[] cycleWithin(int[] component, int kindMask, int[] member, int stamp, long[] budget) {
        List<int[]> inner = graph.cyclicComponents(component, component.length, kindMask, member, stamp);
        if (inner.isEmpty()) {
            return null;
        }
        int start = inner.get(0)[0];
        return graph.shortestPath(start, start, kindMask, member, stamp, budget);
    }

    /** A cycle of one rw edge closed by ww/wr edges, or null if none was found within the budget. */
    private int[] singleAntiDependencyCycle(int[] component, int[] member, int stamp, long[] budget) {
        int closing = (1 << DependencyGraph.WW) | (1 << DependencyGraph.WR);
        for (int v : component) {
            for (int p = graph.outStart(v); p < graph.outEnd(v) && budget[0] > 0; p++) {
                int e = graph.adjacentEdge(p);
                if (graph.kind(e) != DependencyGraph.RW || member[graph.to(e)] != stamp) {
                    continue;
                }
                budget[0]--;
                int[] back = graph.shortestPath(graph.to(e), v, closing, member, stamp, budget);
                if (back != null) {
                    int[] cycle = new int[back.length + 1];
                    cycle[0] = e;
                    System.arraycopy(back, 0, cycle, 1, back.length);
                    return cycle;
                }
            }
        }
        return null;
    }

    private int antiDependencies(int[] cycle) {
        int count = 0;
        for (int e : cycle) {
            if (graph.kind(e) == DependencyGraph.RW) {
                count++;
            }
        }
        return count;
    }

    private void reportCycle(String kind, int[] cycle) {
        findings.report(kind, () -> {
            List<Dependency> dependencies = dependencies(cycle);
            return switch (kind) {
                case "G0" -> new Anomaly.G0(dependencies);
                case "G1c" -> new Anomaly.G1c(dependencies);
                case "G-single" -> new Anomaly.GSingle(dependencies);
                default -> new Anomaly.G2(dependencies);
            };
        });
    }

    private List<Dependency> dependencies(int[] cycle) {
        List<Dependency> dependencies = new ArrayList<>(cycle.length);
        Txn[] views = new Txn[cycle.length];
        for (int i = 0; i < cycle.length; i++) {
            views[i] = txnView.apply(graph.from(cycle[i]));
        }
        for (int i = 0; i < cycle.length; i++) {
            int e = cycle[i];
            Dependency.Kind kind = switch (graph.kind(e)) {
                case DependencyGraph.WW -> Dependency.Kind.WW;
                case DependencyGraph.WR -> Dependency.Kind.WR;
                default -> Dependency.Kind.RW;
            };
            dependencies.add(new Dependency(views[i], views[(i + 1) % cycle.length], kind, graph.key(e), graph.value(e)));
        }
        return dependencies;
    }

    // ---- step 6: opacity ----

    private void opacity() {
        if (!nonCommittedEdges) {
            return;
        }
        graph.index(null);
        int[] all = new int[h.txnCount];
        for (int t = 0; t < h.txnCount; t++) {
            all[t] = t;
        }
        List<int[]> components = graph.cyclicComponents(all, all.length, DependencyGraph.ALL_KINDS, null, 0);
        int[] member = new int[h.txnCount];
        int stamp = 0;
        for (int[] component : components) {
            stamp++;
            for (int v : component) {
                member[v] = stamp;
            }
            int reported = 0;
            for (int v : component) {
                if (h.committed(v) || reported == NON_OPAQUE_PER_COMPONENT) {
                    continue;
                }
                long[] unlimited = {Long.MAX_VALUE};
                int[] cycle = graph.shortestPath(v, v, DependencyGraph.ALL_KINDS, member, stamp, unlimited);
                if (cycle != null) {
                    reported++;
                    findings.report("non-opaque read",
                            () -> new Anomaly.NonOpaqueRead(txnView.apply(v), dependencies(cycle)));
                }
            }
        }
    }

    // ---- reports without a cycle ----

    private void reportInternal(int t, long k, String detail) {
        findings.report("internal inconsistency", () -> new Anomaly.InternalRead(txnView.apply(t), k, detail));
    }

    private void reportGarbage(int reader, long k, long v, String detail) {
        findings.report("garbage read", () -> new Anomaly.GarbageRead(txnView.apply(reader), k, v, detail));
    }
}
