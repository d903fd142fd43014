"""Benchmark: Maximal Covering (MCLP), 10,000 demand points x 1,000 candidates, p = 50, on Andorra.

Instance (seeded, --seed): demand points at uniformly random positions along uniformly random road
edges of Andorra's patrol-car routing graph (LSCC), weight = integer 1..100 (synthetic capacity);
candidates = 1,000 distinct road nodes; travel time candidate -> point = network time to the edge's
tail + the traversed fraction of the edge; standard 180 s (the 3-minute patrol ring); p = 50.

Ours (timed end to end from the same cost matrix): CoverageProblem.from_arrays + solve_mclp
(reductions, greedy+swap warm start, HiGHS without presolve); also the same reduced model on CBC.
Baseline: PySAL spopt MCLP.from_cost_matrix + solve(PULP_CBC_CMD), in the same run.
Pass if all three optimal objectives are identical. --quick: 2,000 x 300, p = 20.

Run: PYTHONPATH=src python bench/mclp.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from bastion.algorithms.coverage import CoverageProblem
from bastion.algorithms.coverage import solve_mclp
from bastion.algorithms.optim.cbc import solve_cbc
from bastion.algorithms.routing import build_graph
from bastion.algorithms.routing import travel_time_matrix
from bastion.regions.osm import read_extract

PBF = Path(__file__).resolve().parents[1] / "data" / "osm" / "andorra-2023-05.osm.pbf"


def instance(n_demand: int, n_cand: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    ext = read_extract(PBF)
    g = build_graph(ext.roads)
    rng = np.random.default_rng(seed)
    cand = rng.choice(g.n_nodes, n_cand, replace=False)
    edge = rng.integers(0, g.n_edges, n_demand)
    frac = rng.random(n_demand)
    tails, inv = np.unique(g.edge_u[edge], return_inverse=True)
    to_tail = travel_time_matrix(g, cand, tails)  # (n_cand, n_tails)
    t = (to_tail[:, inv] + frac * g.edge_time_s[edge]).T  # (n_demand, n_cand)
    w = rng.integers(1, 101, n_demand).astype(np.float64)
    print(f"Andorra LSCC {g.n_nodes} nodes; {n_demand} demand points on {len(np.unique(edge))} edges, "
          f"{n_cand} candidate nodes, seed {seed}")
    return t, w


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--standard-s", type=float, default=180.0)
    args = ap.parse_args()
    n_demand, n_cand, p = (2000, 300, 20) if args.quick else (10_000, 1_000, 50)
    t, w = instance(n_demand, n_cand, args.seed)
    std = args.standard_s
    print(f"MCLP {n_demand} x {n_cand}, p = {p}, standard {std:.0f} s, coverage density "
          f"{float((t <= std).mean()):.4f}, total weight {w.sum():.0f}")

    t0 = time.perf_counter()
    ours = solve_mclp(CoverageProblem.from_arrays(t, w, std), p)
    ours_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours_cbc = solve_mclp(CoverageProblem.from_arrays(t, w, std), p, backend=solve_cbc)
    ours_cbc_s = time.perf_counter() - t0

    import pulp
    from spopt.locate import MCLP

    t0 = time.perf_counter()
    base = MCLP.from_cost_matrix(t, w, service_radius=std, p_facilities=p)
    build_s = time.perf_counter() - t0
    base = base.solve(pulp.PULP_CBC_CMD(msg=False))
    baseline_s = time.perf_counter() - t0
    base_status = pulp.LpStatus[base.problem.status]
    base_obj = float(pulp.value(base.problem.objective))
    base_sites = sorted(int(j) for j in range(n_cand) if base.fac_vars[j].value() > 0.5)

    identical = bool(
        base_status == "Optimal" and ours.status == "optimal" and ours_cbc.status == "optimal"
        and abs(ours.objective - base_obj) < 1e-6 and abs(ours_cbc.objective - base_obj) < 1e-6
    )
    print(
        f"spopt + CBC        : {baseline_s:8.2f} s  ({build_s:.2f} s building)  objective {base_obj:.0f}  {base_status}"
    )
    print(f"ours (HiGHS)       : {ours_s:8.2f} s  objective {ours.objective:.0f}  bound {ours.bound:.0f}  "
          f"gap {ours.gap:.1e}  {ours.status}")
    print(f"ours (CBC backend) : {ours_cbc_s:8.2f} s  objective {ours_cbc.objective:.0f}  {ours_cbc.status}")
    print(f"reduced model {ours.model_rows} rows x {ours.model_candidates} candidates (from {n_demand} x {n_cand}); "
          f"greedy+swap {ours.heuristic_objective:.0f} = {ours.heuristic_objective / ours.objective:.2%} of optimum")
    print(f"covered share {ours.covered_share:.2%}; same sites as spopt: {list(ours.chosen) == base_sites}")
    print(f"identical optimal objective: {identical}; ratio spopt / ours = {baseline_s / ours_s:.1f}x (goal >= 10x); "
          f"with CBC backend {baseline_s / ours_cbc_s:.1f}x")
    print(json.dumps({
        "bench": "mclp", "n_demand": n_demand, "n_candidates": n_cand, "p": p, "standard_s": std,
        "baseline": "spopt 0.7.0 MCLP + PuLP CBC", "baseline_s": round(baseline_s, 3), "ours_s": round(ours_s, 3),
        "ratio": round(baseline_s / ours_s, 2), "ours_cbc_s": round(ours_cbc_s, 3),
        "ratio_cbc": round(baseline_s / ours_cbc_s, 2), "objective": ours.objective, "baseline_objective": base_obj,
        "identical": identical, "quick": args.quick,
    }))


if __name__ == "__main__":
    main()
