"""Benchmark: 3-minute coverage (LSCP) and MCLP placement on Porto, 10,000 demand points x 1,000 candidates.

Instance (seeded): the Porto extract has roads only (almost no POIs), so the demand is SYNTHETIC: 10,000 points
drawn uniformly in the road network's bounding box and snapped to the nearest road node of the patrol-car graph
(points farther than 250 m from any node, e.g. in the sea or the fields, are redrawn; the count is printed);
weight = integer 1..100. Candidates = 1,000 distinct random road nodes. Cost = network travel time candidate ->
demand node (travel_time_matrix, timed apart). Standard 180 s (the 3-minute ring).
- coverage: LSCP, the fewest candidates that put every coverable demand point within 3 minutes (points no
  candidate reaches in 3 minutes are left out of both models, as LSCP needs);
- placement: MCLP with p = 50 units, maximising the covered weight.
Ours: CoverageProblem.from_arrays + solve_lscp / solve_mclp (reductions, greedy warm start, HiGHS). Baseline:
PySAL spopt 0.7.0 (BSD-3) LSCP / MCLP .from_cost_matrix + PuLP CBC on the same matrix, in the same run.
Pass if the optimal objectives are identical.

Run: PYTHONPATH=src python bench/porto_coverage.py [--demand 10000] [--candidates 1000] [--p 50]
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
from porto import porto_pbf

from bastion.algorithms.coverage import CoverageProblem
from bastion.algorithms.coverage import analyze_coverage
from bastion.algorithms.coverage import solve_lscp
from bastion.algorithms.coverage import solve_mclp
from bastion.algorithms.routing import Snapper
from bastion.algorithms.routing import build_graph
from bastion.algorithms.routing import travel_time_matrix
from bastion.regions.osm import read_extract


def demand_nodes(snapper: Snapper, lon: np.ndarray, lat: np.ndarray, n: int,
                 rng: np.random.Generator) -> tuple[np.ndarray, int]:
    nodes: list[int] = []
    drawn = 0
    while len(nodes) < n:
        k = 2 * (n - len(nodes))
        snap = snapper.snap(rng.uniform(lon.min(), lon.max(), k), rng.uniform(lat.min(), lat.max(), k))
        drawn += k
        nodes.extend(snap.node[snap.node >= 0].tolist())
    return np.asarray(nodes[:n], dtype=np.int64), drawn


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--demand", type=int, default=10_000)
    ap.add_argument("--candidates", type=int, default=1000)
    ap.add_argument("--p", type=int, default=50)
    ap.add_argument("--standard-s", type=float, default=180.0)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--quick", action="store_true", help="2,000 points x 300 candidates, p = 20")
    args = ap.parse_args()
    if args.quick:
        args.demand, args.candidates, args.p = 2000, 300, 20
    ext = read_extract(porto_pbf())
    g = build_graph(ext.roads)
    rng = np.random.default_rng(args.seed)
    dem, drawn = demand_nodes(Snapper(g), g.node_lon, g.node_lat, args.demand, rng)
    cand = rng.choice(g.n_nodes, args.candidates, replace=False)
    w = rng.integers(1, 101, len(dem)).astype(np.float64)
    std = args.standard_s
    _ = g.hierarchy  # built once per road network (the routing cache keeps it); not timed
    t0 = time.perf_counter()
    t = travel_time_matrix(g, cand, dem).T  # (demand, candidates)
    matrix_s = time.perf_counter() - t0
    coverable = (t <= std).any(axis=1)
    tc, wc = t[coverable], w[coverable]
    print(f"Porto LSCC {g.n_nodes} nodes; {len(dem)} synthetic demand points (uniform in the bbox, snapped to road "
          f"nodes within 250 m; {drawn} drawn), {len(cand)} candidate nodes, seed {args.seed}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"travel-time matrix {t.shape[0]} x {t.shape[1]}: {matrix_s:.2f} s; {int(coverable.sum())} points within "
          f"{std:.0f} s of some candidate (LSCP rows); density {float((tc <= std).mean()):.4f}")

    import pulp
    from spopt.locate import LSCP
    from spopt.locate import MCLP

    t0 = time.perf_counter()
    ours_lscp = solve_lscp(CoverageProblem.from_arrays(tc, wc, std))
    ours_lscp_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours_mclp = solve_mclp(CoverageProblem.from_arrays(t, w, std), args.p)
    ours_mclp_s = time.perf_counter() - t0
    cov = analyze_coverage(t[:, ours_mclp.chosen], w, standards_s=[int(std)])

    t0 = time.perf_counter()
    base_l = LSCP.from_cost_matrix(tc, service_radius=std).solve(pulp.PULP_CBC_CMD(msg=False))
    base_lscp_s = time.perf_counter() - t0
    l_status = pulp.LpStatus[base_l.problem.status]
    l_obj = float(pulp.value(base_l.problem.objective))
    t0 = time.perf_counter()
    base_m = MCLP.from_cost_matrix(t, w, service_radius=std, p_facilities=args.p).solve(pulp.PULP_CBC_CMD(msg=False))
    base_mclp_s = time.perf_counter() - t0
    m_status = pulp.LpStatus[base_m.problem.status]
    m_obj = float(pulp.value(base_m.problem.objective))

    same_lscp = bool(l_status == "Optimal" and ours_lscp.status == "optimal"
                     and abs(ours_lscp.objective - l_obj) < 1e-6)
    same_mclp = bool(m_status == "Optimal" and ours_mclp.status == "optimal"
                     and abs(ours_mclp.objective - m_obj) < 1e-6)
    baseline_s, ours_s = base_lscp_s + base_mclp_s, ours_lscp_s + ours_mclp_s
    print(f"LSCP  spopt + CBC : {base_lscp_s:8.2f} s  {l_obj:.0f} units  {l_status}")
    print(f"LSCP  ours (HiGHS): {ours_lscp_s:8.2f} s  {ours_lscp.objective:.0f} units  {ours_lscp.status}  "
          f"(reduced {ours_lscp.model_rows} x {ours_lscp.model_candidates})")
    print(f"MCLP  spopt + CBC : {base_mclp_s:8.2f} s  covered weight {m_obj:.0f}  {m_status}")
    print(f"MCLP  ours (HiGHS): {ours_mclp_s:8.2f} s  covered weight {ours_mclp.objective:.0f}  {ours_mclp.status}  "
          f"gap {ours_mclp.gap:.1e}; 3-minute coverage by the {args.p} units: "
          f"{cov.by_standard[0].share_weight:.1%} of the weight")
    print(f"identical optimal objectives: LSCP {same_lscp}, MCLP {same_mclp}; ratio spopt / ours = "
          f"{baseline_s / ours_s:.1f}x (LSCP {base_lscp_s / ours_lscp_s:.1f}x, MCLP {base_mclp_s / ours_mclp_s:.1f}x)")
    print(json.dumps({
        "bench": "porto_coverage", "demand": len(dem), "demand_synthetic": True, "candidates": len(cand), "p": args.p,
        "standard_s": std, "baseline": "spopt 0.7.0 LSCP + MCLP, PuLP CBC", "baseline_s": round(baseline_s, 3),
        "ours_s": round(ours_s, 3), "ratio": round(baseline_s / ours_s, 2), "matrix_s": round(matrix_s, 3),
        "lscp_baseline_s": round(base_lscp_s, 3), "lscp_ours_s": round(ours_lscp_s, 3),
        "lscp_units": ours_lscp.objective,
        "mclp_baseline_s": round(base_mclp_s, 3), "mclp_ours_s": round(ours_mclp_s, 3),
        "mclp_objective": ours_mclp.objective, "identical": same_lscp and same_mclp,
    }))


if __name__ == "__main__":
    main()
