#!/usr/bin/env python3
"""Turns JMH JSON results of the Weft benchmarks into the Markdown tables of docs/performance.md.

usage: python3 bench/perf_report.py T1.json T2.json GC.json > tables.md

Prints a summary of ratios, then one section per benchmark class: ops/us +- 99.9% error at t=1 and
t=2, the range of the per-fork means at t=2, B/op from the -prof gc pass, the ratios, and text bar charts of the STMs (AtomicLong and the
lock are an order of magnitude faster and would flatten the bars).
"""
import json
import sys

ORDER = ["weft", "weftInlineLambda", "multiverse", "scalaStm", "clojure", "atomicLong", "lock"]
LABEL = {
    "weft": "Weft", "weftInlineLambda": "Weft, inline capturing lambda", "multiverse": "Multiverse",
    "scalaStm": "ScalaSTM", "clojure": "Clojure refs", "atomicLong": "AtomicLong",
    "lock": "ReentrantLock",
}
STM_PEERS = ["multiverse", "scalaStm", "clojure"]
CLASSES = ["ReadOneBenchmark", "ReadTwoBenchmark", "IncrementOneBenchmark", "TransferBenchmark",
           "SingleOpIncrementBenchmark"]


def load(path):
    """{(class, method): (score, error, bytes_per_op or None, [mean of each fork])}"""
    results = {}
    with open(path) as f:
        for entry in json.load(f):
            cls, method = entry["benchmark"].rsplit(".", 2)[-2:]
            primary = entry["primaryMetric"]
            norm = entry.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
            error = primary["scoreError"]
            forks = [sum(fork) / len(fork) for fork in primary.get("rawData", []) if fork]
            results[(cls, method)] = (primary["score"], float("nan") if error == "NaN" else error,
                                      norm["score"] if norm else None, forks)
    return results


def fmt(result):
    if result is None:
        return "-"
    score, error = result[0], result[1]
    return f"{score:,.2f} ± {error:,.2f}" if score < 100 else f"{score:,.0f} ± {error:,.0f}"


def fork_range(result):
    """min-max of the per-fork means: a wide range means the run was bimodal across JVMs."""
    if result is None or len(result[3]) < 2:
        return "-"
    low, high = min(result[3]), max(result[3])
    return f"{low:,.1f}–{high:,.1f}" if high < 100 else f"{low:,.0f}–{high:,.0f}"


def ratio(numerator, denominator):
    """numerator / denominator, marked ~ when the 99.9% intervals overlap (order not established)."""
    if numerator is None or denominator is None:
        return "-"
    (n, ne), (d, de) = numerator[:2], denominator[:2]
    overlap = abs(n - d) <= ne + de
    return ("~" if overlap else "") + f"{n / d:.2f}"


def best_peer(results, cls):
    peers = [(results[(cls, m)][0], m) for m in STM_PEERS if (cls, m) in results]
    return max(peers)[1]


def baseline(cls):
    return "atomicLong" if cls in ("ReadOneBenchmark", "IncrementOneBenchmark",
                                   "SingleOpIncrementBenchmark") else "lock"


def chart(results, cls, width=40):
    rows = [(m, results[(cls, m)][0]) for m in ORDER if (cls, m) in results
            and m not in ("atomicLong", "lock")]
    top = max(score for _, score in rows)
    lines = []
    for method, score in rows:
        bar = "#" * max(1, round(width * score / top))
        lines.append(f"{LABEL[method]:<30} {bar:<{width}} {score:7.2f}")
    return "\n".join(lines)


def summary(t1, t2):
    print("| benchmark | Weft ÷ best STM peer, t=1 | t=2 | Weft ÷ AtomicLong or lock, t=1 | t=2 |")
    print("|---|--:|--:|--:|--:|")
    for cls in CLASSES:
        w1, w2 = t1[(cls, "weft")], t2[(cls, "weft")]
        p1, p2 = best_peer(t1, cls), best_peer(t2, cls)
        base = baseline(cls)
        print(f"| {cls.removesuffix('Benchmark')} | {ratio(w1, t1[(cls, p1)])} ({LABEL[p1]}) "
              f"| {ratio(w2, t2[(cls, p2)])} ({LABEL[p2]}) "
              f"| {ratio(w1, t1[(cls, base)])} ({LABEL[base]}) | {ratio(w2, t2[(cls, base)])} |")
    print()


def section(cls, t1, t2, gc):
    methods = [m for m in ORDER if (cls, m) in t1 or (cls, m) in t2]
    print(f"### {cls}\n")
    print("| implementation | t=1 ops/µs | t=2 ops/µs | t=2 fork means | B/op (t=1) |")
    print("|---|--:|--:|--:|--:|")
    for m in methods:
        alloc = gc.get((cls, m))
        bytes_per_op = "-" if alloc is None or alloc[2] is None else f"{alloc[2]:,.0f}"
        name = f"**{LABEL[m]}**" if m == "weft" else LABEL[m]
        print(f"| {name} | {fmt(t1.get((cls, m)))} | {fmt(t2.get((cls, m)))} "
              f"| {fork_range(t2.get((cls, m)))} | {bytes_per_op} |")
    print()
    p1, p2 = best_peer(t1, cls), best_peer(t2, cls)
    weft1, weft2 = t1.get((cls, "weft")), t2.get((cls, "weft"))
    print("| ratio | t=1 | t=2 |")
    print("|---|--:|--:|")
    print(f"| Weft ÷ best STM peer ({LABEL[p1]} at t=1, {LABEL[p2]} at t=2) "
          f"| {ratio(weft1, t1.get((cls, p1)))} | {ratio(weft2, t2.get((cls, p2)))} |")
    for base in ("atomicLong", "lock"):
        if (cls, base) in t1:
            print(f"| Weft ÷ {LABEL[base]} | {ratio(weft1, t1.get((cls, base)))} "
                  f"| {ratio(weft2, t2.get((cls, base)))} |")
    if (cls, "weftInlineLambda") in t1:
        print(f"| Weft inline lambda ÷ Weft prebuilt body "
              f"| {ratio(t1.get((cls, 'weftInlineLambda')), weft1)} "
              f"| {ratio(t2.get((cls, 'weftInlineLambda')), weft2)} |")
    print()
    print("STMs, ops/µs (longer is better), t=1 then t=2:\n")
    print("```\n" + chart(t1, cls) + "\n\n" + chart(t2, cls) + "\n```\n")


def main(t1_path, t2_path, gc_path):
    t1, t2, gc = load(t1_path), load(t2_path), load(gc_path)
    summary(t1, t2)
    for cls in CLASSES:
        section(cls, t1, t2, gc)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
