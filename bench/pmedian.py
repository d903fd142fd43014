"""p-median on OR-Library pmed1-pmed10 (Beasley 1985): today's assignment model vs the radius formulation.

Instances: tests/fixtures/pmedian/ (edge lists; costs = shortest-path distances, the last occurrence of a
repeated edge wins; every vertex a client of weight 1 and a candidate) and their published optima.
Baseline: solve_p_median(..., formulation="assignment") (ReVelle & Swain, strong linking, HiGHS).
Ours: solve_p_median(..., formulation="radius") (Elloumi 2010 radius formulation, radius aggregation,
LP row generation, reduced-cost fixing, HiGHS). Both timed end to end from the same distance matrix.
Pass if both reach the published optimum with status optimal (proven, gap 0) on every instance.
--quick: pmed1-pmed5 (n = 100).

Run: PYTHONPATH=src python bench/pmedian.py [--quick] [--only pmed6 ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

import numpy as np

from bastion.algorithms.coverage import CoverageProblem
from bastion.algorithms.coverage import solve_p_median
from bastion.algorithms.coverage.orlib import parse_pmed

DATA = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "pmedian"


def instance(name: str) -> tuple[np.ndarray, int]:
    return parse_pmed((DATA / f"{name}.txt").read_text())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", nargs="*", default=None, help="instance names, e.g. pmed6")
    ap.add_argument("--time-limit-s", type=float, default=600.0)
    args = ap.parse_args()
    with (DATA / "optima.csv").open(newline="") as fh:
        optima = {r["instance"]: int(r["optimal_objective"]) for r in csv.DictReader(fh)}
    names = args.only or [f"pmed{i}" for i in range(1, 6 if args.quick else 11)]
    print(f"{'instance':9} {'n':>4} {'p':>3} {'optimum':>8} | {'assignment s':>12} {'objective':>9} | "
          f"{'radius s':>8} {'objective':>9} | ratio")
    rows = []
    for name in names:
        d, p = instance(name)
        prob = CoverageProblem.from_arrays(d, np.ones(len(d)), 1.0)
        t0 = time.perf_counter()
        base = solve_p_median(prob, p, formulation="assignment", time_limit_s=args.time_limit_s)
        base_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        ours = solve_p_median(prob, p, formulation="radius", time_limit_s=args.time_limit_s)
        ours_s = time.perf_counter() - t0
        ok = (base.status == ours.status == "optimal" and ours.gap == 0.0
              and base.objective == ours.objective == optima[name])
        rows.append({"instance": name, "n": len(d), "p": p, "optimum": optima[name], "baseline_s": round(base_s, 3),
                     "ours_s": round(ours_s, 3), "baseline_objective": base.objective, "objective": ours.objective,
                     "status": ours.status, "identical": ok})
        print(f"{name:9} {len(d):4d} {p:3d} {optima[name]:8d} | {base_s:12.2f} {base.objective:9.0f} | "
              f"{ours_s:8.2f} {ours.objective:9.0f} | {base_s / ours_s:5.1f}x {'' if ok else 'MISMATCH'}", flush=True)
    baseline_s = sum(r["baseline_s"] for r in rows)
    ours_s = sum(r["ours_s"] for r in rows)
    identical = all(r["identical"] for r in rows)
    worst = max(rows, key=lambda r: r["ours_s"])
    print(f"total: assignment {baseline_s:.2f} s, radius {ours_s:.2f} s, ratio {baseline_s / ours_s:.1f}x; "
          f"slowest radius solve {worst['ours_s']:.2f} s ({worst['instance']}, goal <= 60 s); "
          f"all at the published optimum, proven: {identical}")
    print(json.dumps({
        "bench": "pmedian", "instances": [r["instance"] for r in rows],
        "baseline": "assignment formulation (ReVelle & Swain), HiGHS", "baseline_s": round(baseline_s, 3),
        "ours_s": round(ours_s, 3), "ratio": round(baseline_s / ours_s, 2), "max_ours_s": worst["ours_s"],
        "identical": identical, "per_instance": rows, "quick": args.quick,
    }))


if __name__ == "__main__":
    main()
