"""Benchmark: dispatch recommendation on Porto's road graph (patrol-car profile).

500 units at random road nodes, 1,000 random incidents. Ours: bastion.algorithms.dispatch.recommend — ONE bounded
reverse Dijkstra from the incident on the transposed graph (15-minute bound) gives every unit's travel time, then
the ranking. Baseline (same run): one forward Dijkstra per unit (same bound) for the first --baseline-incidents
incidents (500 searches each: minutes for all 1,000). Identical: every unit's ETA equal for the checked incidents
(rounded to 1 ms, and the maximum absolute difference is printed; summation order differs between the two
directions, so last-bit differences are possible) and the same ranking. Graph build excluded.

Run: PYTHONPATH=src python bench/dispatch.py [--units 500] [--incidents 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from bastion.algorithms.dispatch.recommend import Candidate
from bastion.algorithms.dispatch.recommend import per_unit_travel_times
from bastion.algorithms.dispatch.recommend import rank
from bastion.algorithms.dispatch.recommend import travel_times_to
from bastion.algorithms.routing import build_graph
from bastion.regions.osm import read_extract

# the shared extract next to the checkout (../shared/data/osm), or a copy in data/osm
_HERE = Path(__file__).resolve()
PBF = next((p for p in (_HERE.parents[1] / "data" / "osm" / "porto-roads.osm.pbf",
                        *(d / "shared" / "data" / "osm" / "porto-roads.osm.pbf" for d in _HERE.parents[1:4]))
            if p.exists()), _HERE.parents[2] / "shared" / "data" / "osm" / "porto-roads.osm.pbf")
CAPS = ("armed", "eod", "fire", "medical")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=500)
    ap.add_argument("--incidents", type=int, default=1000)
    ap.add_argument("--baseline-incidents", type=int, default=20)
    ap.add_argument("--limit-s", type=float, default=900.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--pbf", type=Path, default=PBF)
    args = ap.parse_args()

    ext = read_extract(args.pbf)
    g = build_graph(ext.roads)
    rev = g.csr_reverse
    rng = np.random.default_rng(args.seed)
    unit_nodes = rng.choice(g.n_nodes, args.units, replace=False).astype(np.int64)
    cands = [Candidate(i, int(n), frozenset(c for c in CAPS if rng.random() < 0.3), float(rng.integers(0, 60)))
             for i, n in enumerate(unit_nodes)]
    incidents = rng.choice(g.n_nodes, args.incidents, replace=True).astype(np.int64)
    print(f"Porto road network: {ext.roads.n_nodes} nodes / {ext.roads.n_edges} edges; LSCC {g.n_nodes} nodes / "
          f"{g.csr.nnz} edges (patrol_car); {args.units} units, {args.incidents} incidents, bound {args.limit_s:.0f} s")

    ours_ms, travel = [], {}
    for k, inc in enumerate(incidents):
        required = frozenset({CAPS[k % 4]})
        t0 = time.perf_counter()
        tt = travel_times_to(rev, inc, unit_nodes, limit_s=args.limit_s)
        ranked = rank(tt, cands, required)
        ours_ms.append((time.perf_counter() - t0) * 1000)
        if k < args.baseline_incidents:
            travel[k] = (tt, ranked)
    base_ms, max_diff, identical = [], 0.0, True
    for k in range(min(args.baseline_incidents, len(incidents))):
        t0 = time.perf_counter()
        bt = per_unit_travel_times(g.csr, incidents[k], unit_nodes, limit_s=args.limit_s)
        branked = rank(bt, cands, frozenset({CAPS[k % 4]}))
        base_ms.append((time.perf_counter() - t0) * 1000)
        tt, ranked = travel[k]
        fin = np.isfinite(tt)
        identical &= bool(np.array_equal(fin, np.isfinite(bt)))
        identical &= bool(np.array_equal(np.round(tt[fin], 3), np.round(bt[fin], 3)))
        max_diff = max(max_diff, float(np.max(np.abs(tt[fin] - bt[fin]), initial=0.0)))
        identical &= [r.unit_id for r in ranked] == [r.unit_id for r in branked]
    ours_ms.sort()
    p50, p95, mx = statistics.median(ours_ms), ours_ms[int(0.95 * len(ours_ms)) - 1], ours_ms[-1]
    reached = float(np.mean([np.isfinite(travel[k][0]).mean() for k in travel]))
    print(f"ours (one reverse search + ranking): median {p50:.2f} ms, p95 {p95:.2f} ms, max {mx:.2f} ms per "
          f"recommendation over {len(ours_ms)} incidents; {100 * reached:.0f} % of units within the bound")
    print(f"baseline (one Dijkstra per unit, {args.units} searches): median {statistics.median(base_ms):.1f} ms per "
          f"recommendation over {len(base_ms)} incidents; max |ETA difference| {max_diff:.2e} s; identical {identical}")
    print(json.dumps({"baseline_s": round(statistics.median(base_ms) / 1000, 6),
                      "ours_s": round(p50 / 1000, 6), "ours_p95_s": round(p95 / 1000, 6),
                      "ratio": round(statistics.median(base_ms) / p50, 1), "identical": identical}))


if __name__ == "__main__":
    main()
