"""Benchmark: 300 x 2,000 travel-time matrix on Andorra's real road network (patrol-car profile).

Ours: bastion.algorithms.routing.travel_time_matrix (exact node-elimination hierarchy + SciPy csgraph Dijkstra
on its core). The hierarchy is preprocessing, built once per graph and cached: its build time is printed
separately and is not part of ours_s (as for the CH engines in the anchors). Baseline: networkx
single_source_dijkstra_path_length from every source on the same directed graph (same edge weights), in the same
run. The networkx graph build and our graph build are both excluded. The machine is shared, so both sides are timed
--repeats times, interleaved, and the ratio uses the fastest run of each (the least-disturbed measurement); medians are
printed too.

Run: PYTHONPATH=src python bench/travel_matrix.py [--sources 300] [--targets 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import networkx as nx
import numpy as np

from bastion.algorithms.routing import build_graph
from bastion.algorithms.routing import travel_time_matrix
from bastion.regions.osm import read_extract

PBF = Path(__file__).resolve().parents[1] / "data" / "osm" / "andorra-2023-05.osm.pbf"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sources", type=int, default=300)
    ap.add_argument("--targets", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--baseline-repeats", type=int, default=3)
    ap.add_argument("--pbf", type=Path, default=PBF)
    args = ap.parse_args()

    ext = read_extract(args.pbf)
    g = build_graph(ext.roads)
    rng = np.random.default_rng(args.seed)
    src = rng.choice(g.n_nodes, args.sources, replace=False)
    tgt = rng.choice(g.n_nodes, args.targets, replace=False)
    print(f"Andorra road network: {ext.roads.n_nodes} nodes / {ext.roads.n_edges} edges; "
          f"LSCC {g.n_nodes} nodes / {g.csr.nnz} edges (patrol_car)")
    print(f"matrix {len(src)} sources x {len(tgt)} targets, seed {args.seed}")

    coo = g.csr.tocoo()
    G = nx.DiGraph()
    G.add_nodes_from(range(g.n_nodes))
    G.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True))

    def networkx_matrix() -> np.ndarray:
        out = np.empty((len(src), len(tgt)))
        for i, s in enumerate(src):
            d = nx.single_source_dijkstra_path_length(G, int(s), weight="weight")
            out[i] = [d.get(int(t), np.inf) for t in tgt]
        return out

    t0 = time.perf_counter()
    h = g.hierarchy
    pre_s = time.perf_counter() - t0
    print(f"hierarchy preprocessing {pre_s:.3f} s (once per graph): core {len(h.core)} nodes / "
          f"{h.core_csr.nnz} edges, {len(h.levels)} downward levels")
    times, base_times = [], []
    for k in range(args.repeats):
        t0 = time.perf_counter()
        ours = travel_time_matrix(g, src, tgt)
        times.append(time.perf_counter() - t0)
        if k < args.baseline_repeats:
            t0 = time.perf_counter()
            ref = networkx_matrix()
            base_times.append(time.perf_counter() - t0)
    ours_s, baseline_s = min(times), min(base_times)
    t0 = time.perf_counter()
    plain = travel_time_matrix(g, src, tgt, use_hierarchy=False)
    plain_s = time.perf_counter() - t0

    diff = float(np.max(np.abs(ours - ref)))
    diff_plain = float(np.max(np.abs(plain - ref)))
    identical = bool(np.all(np.isfinite(ours)) and diff <= 1e-6 and diff_plain <= 1e-6)
    print(f"networkx single-source loop : {baseline_s:8.3f} s best of {len(base_times)} "
          f"(median {statistics.median(base_times):.3f} s)")
    print(
        f"ours (hierarchy)            : {ours_s:8.3f} s best of {len(times)} (median {statistics.median(times):.3f} s)"
    )
    print(f"ours (plain scipy dijkstra) : {plain_s:8.3f} s")
    print(f"max |ours - networkx| = {diff:.2e} s (plain {diff_plain:.2e} s); identical to the second: {identical}")
    print(f"ratio networkx / ours = {baseline_s / ours_s:.1f}x (goal >= 50x); plain scipy {baseline_s / plain_s:.1f}x")
    print(json.dumps({
        "bench": "travel_matrix", "network": "andorra-2023-05", "sources": len(src), "targets": len(tgt),
        "baseline": "networkx single_source_dijkstra_path_length loop", "baseline_s": round(baseline_s, 4),
        "ours_s": round(ours_s, 4), "baseline_median_s": round(statistics.median(base_times), 4),
        "ours_median_s": round(statistics.median(times), 4), "ratio": round(baseline_s / ours_s, 2),
        "plain_scipy_s": round(plain_s, 4), "preprocessing_s": round(pre_s, 4),
        "identical": identical, "max_abs_diff_s": diff,
    }))


if __name__ == "__main__":
    main()
