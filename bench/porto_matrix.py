"""Benchmark: travel-time matrix of 1,000 units x 10,000 points on the Porto metropolitan network (patrol car).

Units and points are distinct random road nodes of the graph's LSCC (seeded). Ours: travel_time_matrix (exact
node-elimination hierarchy + SciPy Dijkstra on its core, bastion.algorithms.routing); the hierarchy is built once
per graph and kept on disk by the routing cache, its build time is printed apart and not in ours_s. Baseline:
networkx single_source_dijkstra_path_length, run from a random sample of --sample units only (a full networkx run
would take about an hour here): the rows of the sample must equal ours, and the baseline time for all 1,000
units is extrapolated linearly from the sample (each source is an independent full Dijkstra): stated in the JSON
as baseline_extrapolated = true.

Run: PYTHONPATH=src python bench/porto_matrix.py [--units 1000] [--points 10000] [--sample 20]
"""

from __future__ import annotations

import argparse
import json
import os
import time

import networkx as nx
import numpy as np
from porto import porto_pbf

from bastion.algorithms.routing import build_graph
from bastion.algorithms.routing import travel_time_matrix
from bastion.regions.osm import read_extract


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--sample", type=int, default=20)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--quick", action="store_true", help="200 units x 2,000 points, 5 sampled sources")
    args = ap.parse_args()
    if args.quick:
        args.units, args.points, args.sample = 200, 2000, 5
    ext = read_extract(porto_pbf())
    g = build_graph(ext.roads)
    rng = np.random.default_rng(args.seed)
    nodes = rng.choice(g.n_nodes, args.units + args.points, replace=False)
    units, points = nodes[: args.units], nodes[args.units :]
    print(f"Porto: {ext.roads.n_nodes} nodes / {ext.roads.n_edges} edges; LSCC {g.n_nodes} nodes / {g.csr.nnz} "
          f"edges (patrol_car); matrix {len(units)} units x {len(points)} points, seed {args.seed}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    t0 = time.perf_counter()
    h = g.hierarchy
    pre_s = time.perf_counter() - t0
    print(f"hierarchy built in {pre_s:.2f} s (once per road network, then read from the routing cache): core "
          f"{len(h.core)} nodes / {h.core_csr.nnz} edges")

    t0 = time.perf_counter()
    ours = travel_time_matrix(g, units, points)
    ours_s = time.perf_counter() - t0

    coo = g.csr.tocoo()
    G = nx.DiGraph()
    G.add_nodes_from(range(g.n_nodes))
    G.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True))
    sample = np.sort(rng.choice(len(units), args.sample, replace=False))
    ref = np.empty((len(sample), len(points)))
    t0 = time.perf_counter()
    for i, k in enumerate(sample):
        d = nx.single_source_dijkstra_path_length(G, int(units[k]), weight="weight")
        ref[i] = [d.get(int(p), np.inf) for p in points]
    sample_s = time.perf_counter() - t0
    baseline_s = sample_s / len(sample) * len(units)
    diff = float(np.max(np.abs(ours[sample] - ref)))
    identical = bool(np.all(np.isfinite(ref)) and diff <= 1e-6)
    print(f"ours (hierarchy)      : {ours_s:8.2f} s for {len(units)} x {len(points)} = "
          f"{ours.size / 1e6:.0f} M travel times")
    print(f"networkx, {len(sample)} sources : {sample_s:8.2f} s -> {sample_s / len(sample):.3f} s per source; "
          f"extrapolated to {len(units)} sources: {baseline_s:.0f} s")
    print(f"max |ours - networkx| on the sample = {diff:.2e} s; identical: {identical}; "
          f"ratio (extrapolated networkx / ours) = {baseline_s / ours_s:.0f}x")
    print(json.dumps({
        "bench": "porto_matrix", "network": "porto-roads", "units": len(units), "points": len(points),
        "baseline": "networkx single_source_dijkstra_path_length per unit", "baseline_s": round(baseline_s, 2),
        "baseline_extrapolated": True, "baseline_sample_sources": len(sample), "baseline_sample_s": round(sample_s, 3),
        "ours_s": round(ours_s, 3), "ratio": round(baseline_s / ours_s, 1), "preprocessing_s": round(pre_s, 2),
        "identical": identical, "max_abs_diff_s": diff,
    }))


if __name__ == "__main__":
    main()
