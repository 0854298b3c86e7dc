#!/usr/bin/env python3
"""Ratio and detail tables (Markdown) from a bench/compare.sh results file (one JSON line per run).

Targets are node (and node-native), baseline (and baseline-paced) and nchan, or several nchan targets
(nchan-w1, nchan-w2, ...: one per nginx worker count); the node is compared with the best nchan target of each row (highest rate, lowest latency
or memory), whichever worker count that is."""
import json
import statistics
import sys
from collections import OrderedDict


NODES = ("node", "node-native")
# Baseline as it is (answers a POST at once) and paced as the node is (bench/Baseline --publish-backlog).
BASELINES = ("baseline", "baseline-paced")


def targets_of(runs):
    """node (and node-native) first, then the nchan targets in order, then baseline, then anything else."""
    seen = list(OrderedDict.fromkeys(r.get("target") for r in runs))
    nchans = sorted(t for t in seen if t and t.startswith("nchan"))
    rest = [t for t in seen if t not in nchans and t not in NODES + BASELINES]
    return [t for t in NODES if t in seen] + nchans + [t for t in BASELINES if t in seen] + rest


def load(path):
    runs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                runs.append(json.loads(line))
    return runs


def fmt(v, digits=None):
    if v is None:
        return "–"
    if isinstance(v, float):
        if digits is not None:
            return f"{v:,.{digits}f}"
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def median(rows, key):
    vals = [r[key] for r in rows if isinstance(r.get(key), (int, float))]
    return statistics.median(vals) if vals else None


def ratio(a, b):
    return None if a is None or b in (None, 0) else a / b


def main(path):
    runs = load(path)
    by = OrderedDict()
    for r in runs:
        by.setdefault(r.get("variant", r["scenario"]), {}).setdefault(r.get("target"), []).append(r)

    targets_all = targets_of(runs)
    nchans = [t for t in targets_all if t.startswith("nchan")]
    best_label = "best nchan" if len(nchans) > 1 else "nchan"
    out = []
    nodes = [t for t in NODES if t in targets_all]
    baselines = [t for t in BASELINES if t in targets_all]
    ratio_heads = [h for n in nodes for h in [f"{n} / {best_label}"] + [f"{n} / {b}" for b in baselines]]
    out.append("| scenario | metric | " + " | ".join(targets_all + ratio_heads) + " |")
    out.append("| --- | --- |" + " ---: |" * (len(targets_all) + len(ratio_heads)))
    for variant, targets in by.items():
        scenario = next(iter(targets.values()))[0]["scenario"]
        if scenario == "idle":
            metrics = [("rss_per_connection_kib", "RSS / connection (KiB, lower is better)", 1, False),
                       ("connects_per_sec", "connects/s", None, True)]
        elif "half rate" in variant:
            metrics = [("latency_p99_ms", "p99 latency (ms, lower is better)", 1, False),
                       ("delivered_per_sec", "delivered msgs/s", None, True)]
        else:
            metrics = [("delivered_per_sec", "delivered msgs/s", None, True),
                       ("latency_p99_ms", "p99 latency (ms, lower is better)", 1, False)]
        for key, label, digits, higher_better in metrics:
            vals = {t: median(targets.get(t, []), key) for t in targets_all}
            nchan_vals = [vals[t] for t in nchans if vals[t] is not None]
            best = (max if higher_better else min)(nchan_vals) if nchan_vals else None
            ratios = [r for n in nodes for r in [ratio(vals.get(n), best)] + [ratio(vals.get(n), vals.get(b)) for b in baselines]]
            out.append(f"| {variant} | {label} | " + " | ".join(fmt(vals[t], digits) for t in targets_all)
                       + "".join(f" | {fmt(r, 2) if r is not None else '–'}" for r in ratios) + " |")

    out.append("")
    out.append("| scenario | target | round | delivered msgs/s | publishes/s | p50 ms | p99 ms | max ms | lost / dup / ooo | tool CPU | server CPU | load 1 min |")
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    for variant, targets in by.items():
        for t in targets_all:
            for r in targets.get(t, []):
                load1 = r.get("load_average", "?").split(" ")[0]
                if r["scenario"] == "idle":
                    out.append(f"| {variant} | {t} | {r.get('round', 1)} | RSS/conn {fmt(r.get('rss_per_connection_kib'), 1)} KiB | "
                               f"{fmt(r.get('connects_per_sec'))} conn/s | – | – | – | opened {fmt(r.get('opened'))}, failed {fmt(r.get('failures'))} | "
                               f"{fmt(r.get('tool_cpu_pct_core_while_opening'))} % | {fmt(r.get('server_cpu_pct_core_while_opening'))} % | {load1} |")
                    continue
                pubs = r.get("posts_per_sec", r.get("sends_per_sec"))
                out.append(f"| {variant} | {t} | {r.get('round', 1)} | {fmt(r.get('delivered_per_sec'))} | {fmt(pubs)} | "
                           f"{fmt(r.get('latency_p50_ms'), 1)} | {fmt(r.get('latency_p99_ms'), 1)} | {fmt(r.get('latency_max_ms'))} | "
                           f"{r.get('lost')} / {r.get('duplicates')} / {r.get('out_of_order')} | "
                           f"{fmt(r.get('tool_cpu_pct_core'))} % | {fmt(r.get('server_cpu_pct_core'))} % | {load1} |")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
