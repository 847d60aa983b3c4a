package dev.weft.check.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The dependency graph of a history: one node per attempt, one edge per inferred dependency,
 * kept in growable parallel arrays and turned into compressed adjacency arrays for searching.
 *
 * <p>Searches are linear: Tarjan's strongly connected components (iterative, so a 10^6-node
 * chain does not overflow the stack) and breadth-first shortest paths. Both can be restricted to
 * a set of nodes (a stamp array) and a set of edge kinds (a bit mask), which is how the cycle
 * classifier looks for a write-only cycle inside a component before trying one with reads.
 *
 * <p>Thread-safety: not thread-safe; used by one checking thread.
 */
public final class DependencyGraph {
    public static final byte WW = 0;
    public static final byte WR = 1;
    public static final byte RW = 2;
    public static final int ALL_KINDS = 0b111;

    private final int nodeCount;
    private int edgeCount;
    private int[] from = new int[1024];
    private int[] to = new int[1024];
    private byte[] kind = new byte[1024];
    private long[] key = new long[1024];
    private long[] value = new long[1024];

    // adjacency of the edges selected by the last call of index(): edges of node v are
    // adjacency[start[v] .. start[v + 1] - 1]
    private int[] start;
    private int[] adjacency;

    // search scratch, sized nodeCount, reused by every search
    private final int[] visitStamp;
    private int visitGeneration;
    private final int[] parentEdge;
    private final int[] queue;
    private Tarjan tarjan;

    DependencyGraph(int nodeCount) {
        this.nodeCount = nodeCount;
        this.visitStamp = new int[nodeCount];
        this.parentEdge = new int[nodeCount];
        this.queue = new int[Math.max(1, nodeCount)];
    }

    void add(int fromNode, int toNode, byte edgeKind, long edgeKey, long edgeValue) {
        if (edgeCount == from.length) {
            int capacity = edgeCount * 2;
            from = Arrays.copyOf(from, capacity);
            to = Arrays.copyOf(to, capacity);
            kind = Arrays.copyOf(kind, capacity);
            key = Arrays.copyOf(key, capacity);
            value = Arrays.copyOf(value, capacity);
        }
        from[edgeCount] = fromNode;
        to[edgeCount] = toNode;
        kind[edgeCount] = edgeKind;
        key[edgeCount] = edgeKey;
        value[edgeCount] = edgeValue;
        edgeCount++;
    }

    public int edgeCount() {
        return edgeCount;
    }

    public int from(int edge) {
        return from[edge];
    }

    public int to(int edge) {
        return to[edge];
    }

    public byte kind(int edge) {
        return kind[edge];
    }

    public long key(int edge) {
        return key[edge];
    }

    public long value(int edge) {
        return value[edge];
    }

    /** The first adjacency position of {@code node}'s out-edges (see {@link #adjacentEdge(int)}). */
    int outStart(int node) {
        return start[node];
    }

    /** One past the last adjacency position of {@code node}'s out-edges. */
    int outEnd(int node) {
        return start[node + 1];
    }

    /** The edge at adjacency position {@code position}. */
    int adjacentEdge(int position) {
        return adjacency[position];
    }

    /** Builds the adjacency arrays over the edges whose both ends satisfy {@code nodeAllowed}. */
    void index(boolean[] nodeAllowed) {
        start = new int[nodeCount + 1];
        int selected = 0;
        for (int e = 0; e < edgeCount; e++) {
            if (nodeAllowed == null || (nodeAllowed[from[e]] && nodeAllowed[to[e]])) {
                start[from[e] + 1]++;
                selected++;
            }
        }
        for (int v = 0; v < nodeCount; v++) {
            start[v + 1] += start[v];
        }
        adjacency = new int[selected];
        int[] fill = Arrays.copyOf(start, nodeCount);
        for (int e = 0; e < edgeCount; e++) {
            if (nodeAllowed == null || (nodeAllowed[from[e]] && nodeAllowed[to[e]])) {
                adjacency[fill[from[e]]++] = e;
            }
        }
    }

    /**
     * The strongly connected components with at least two nodes, among {@code roots[0..count-1]}
     * and the nodes reachable from them through allowed nodes and edges of the kinds in
     * {@code kindMask}. A node is allowed when {@code member == null || member[v] == memberStamp}.
     */
    List<int[]> cyclicComponents(int[] roots, int count, int kindMask, int[] member, int memberStamp) {
        if (tarjan == null) {
            tarjan = new Tarjan();
        }
        List<int[]> components = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int root = roots[i];
            if (tarjan.order[root] == 0 && (member == null || member[root] == memberStamp)) {
                tarjan.run(root, kindMask, member, memberStamp, components);
            }
        }
        tarjan.reset();
        return components;
    }

    /**
     * A shortest path of allowed edges from {@code source} to {@code target} (a cycle when they
     * are equal), as edge ids in order; null if none, or if more than {@code budget[0]} edges
     * would have to be examined (the budget is decremented by the edges examined).
     */
    int[] shortestPath(int source, int target, int kindMask, int[] member, int memberStamp, long[] budget) {
        int generation = nextGeneration();
        int head = 0;
        int tail = 0;
        queue[tail++] = source;
        if (source != target) {
            visitStamp[source] = generation;
        }
        while (head < tail) {
            int v = queue[head++];
            for (int i = start[v]; i < start[v + 1]; i++) {
                if (--budget[0] < 0) {
                    return null;
                }
                int e = adjacency[i];
                int w = to[e];
                if (((1 << kind[e]) & kindMask) == 0 || (member != null && member[w] != memberStamp)
                        || visitStamp[w] == generation) {
                    continue;
                }
                visitStamp[w] = generation;
                parentEdge[w] = e;
                if (w == target) {
                    return pathTo(source, target);
                }
                queue[tail++] = w;
            }
        }
        return null;
    }

    private int[] pathTo(int source, int target) {
        int length = 0;
        int v = target;
        do {
            length++;
            v = from[parentEdge[v]];
        } while (v != source);
        int[] path = new int[length];
        v = target;
        for (int i = length - 1; i >= 0; i--) {
            path[i] = parentEdge[v];
            v = from[parentEdge[v]];
        }
        return path;
    }

    private int nextGeneration() {
        if (++visitGeneration == Integer.MAX_VALUE) {
            Arrays.fill(visitStamp, 0);
            visitGeneration = 1;
        }
        return visitGeneration;
    }

    /** Iterative Tarjan over the current adjacency; scratch arrays are reset only where used. */
    private final class Tarjan {
        final int[] order = new int[nodeCount]; // 0 = unvisited, else discovery number
        final int[] low = new int[nodeCount];
        final boolean[] onStack = new boolean[nodeCount];
        final int[] stack = new int[Math.max(1, nodeCount)];
        final int[] callNode = new int[Math.max(1, nodeCount)];
        final int[] callNext = new int[Math.max(1, nodeCount)];
        final int[] touched = new int[Math.max(1, nodeCount)];
        int touchedCount;
        int counter;

        void run(int root, int kindMask, int[] member, int memberStamp, List<int[]> components) {
            int stackSize = 0;
            int depth = 0;
            callNode[0] = root;
            callNext[0] = start[root];
            visit(root);
            stack[stackSize++] = root;
            onStack[root] = true;
            while (depth >= 0) {
                int v = callNode[depth];
                if (callNext[depth] < start[v + 1]) {
                    int e = adjacency[callNext[depth]++];
                    int w = to[e];
                    if (((1 << kind[e]) & kindMask) == 0 || (member != null && member[w] != memberStamp)) {
                        continue;
                    }
                    if (order[w] == 0) {
                        visit(w);
                        stack[stackSize++] = w;
                        onStack[w] = true;
                        depth++;
                        callNode[depth] = w;
                        callNext[depth] = start[w];
                    } else if (onStack[w]) {
                        low[v] = Math.min(low[v], order[w]);
                    }
                    continue;
                }
                if (low[v] == order[v]) {
                    int size = 0;
                    int w;
                    do {
                        w = stack[stackSize - 1 - size];
                        size++;
                    } while (w != v);
                    if (size >= 2) {
                        components.add(Arrays.copyOfRange(stack, stackSize - size, stackSize));
                    }
                    for (int i = 0; i < size; i++) {
                        onStack[stack[--stackSize]] = false;
                    }
                }
                depth--;
                if (depth >= 0) {
                    int parent = callNode[depth];
                    low[parent] = Math.min(low[parent], low[v]);
                }
            }
        }

        private void visit(int v) {
            order[v] = ++counter;
            low[v] = counter;
            touched[touchedCount++] = v;
        }

        void reset() {
            for (int i = 0; i < touchedCount; i++) {
                order[touched[i]] = 0;
            }
            touchedCount = 0;
        }
    }
}
