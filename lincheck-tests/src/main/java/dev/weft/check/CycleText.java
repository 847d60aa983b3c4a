package dev.weft.check;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** How the cycle anomalies list their transactions and print their edges. */
final class CycleText {
    private CycleText() {}

    static List<Txn> transactions(List<Dependency> cycle) {
        Set<Txn> txns = new LinkedHashSet<>();
        for (Dependency dependency : cycle) {
            txns.add(dependency.from());
        }
        return new ArrayList<>(txns);
    }

    static String describe(List<Dependency> cycle) {
        StringBuilder out = new StringBuilder();
        for (Dependency dependency : cycle) {
            out.append("\n      ").append(dependency);
        }
        return out.toString();
    }
}
