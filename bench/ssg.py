"""ORIGAMI (one sort, prefix sums, a scan) vs the ERASER MILP on HiGHS, and ORIGAMI alone at n = 1,000,000.

Baseline: ERASER (Kiekintveld et al. AAMAS 2009), the exact MILP, at n = 1,000 targets / 25 resources.
Random payoffs: defender covered U(0,10), uncovered U(-10,0); attacker covered U(-10,0), uncovered U(0,10).
ORIGAMI runs with its default expected-O(n) selection; the one-sort O(n log n) variant is timed at n = 1e6 too.
Last line: JSON with baseline_s, ours_s, ratio, identical, n_1m_s (selection), n_1m_sort_s.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from bastion.algorithms.games.game import SecurityGame
from bastion.algorithms.games.milp import solve_eraser
from bastion.algorithms.games.origami import solve_origami


def game(rng: np.random.Generator, n: int, m: int) -> SecurityGame:
    return SecurityGame.from_arrays(
        rng.uniform(0, 10, n), rng.uniform(-10, 0, n), rng.uniform(-10, 0, n), rng.uniform(0, 10, n), m
    )


def best_of(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="n = 300 for the MILP comparison")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = 300 if args.quick else 1000
    g = game(rng, n, 25)

    t0 = time.perf_counter()
    eraser = solve_eraser(g)
    baseline_s = time.perf_counter() - t0
    origami = solve_origami(g)
    ours_s = best_of(lambda: solve_origami(g), 20)
    identical = (
        abs(origami.defender_utility - eraser.defender_utility) < 1e-6
        and abs(origami.attacker_utility - eraser.attacker_utility) < 1e-6
    )
    print(f"n = {n} targets, 25 resources")
    print(
        f"  ERASER MILP (HiGHS): {baseline_s:10.4f} s   defender {eraser.defender_utility:.9f}  "
        f"attacker {eraser.attacker_utility:.9f}"
    )
    print(
        f"  ORIGAMI (ours):      {ours_s:10.6f} s   defender {origami.defender_utility:.9f}  "
        f"attacker {origami.attacker_utility:.9f}"
    )
    print(f"  speed-up: {baseline_s / ours_s:,.0f}x   identical utilities (1e-6): {identical}")

    big = game(np.random.default_rng(args.seed + 1), 1_000_000, 10_000)
    n_1m_sort_s = best_of(lambda: solve_origami(big, method="sort"), 3)
    n_1m_s = best_of(lambda: solve_origami(big), 3)
    sol = solve_origami(big)
    same = abs(sol.attacker_utility - solve_origami(big, method="sort").attacker_utility) < 1e-9
    print(f"n = 1,000,000 targets, 10,000 resources (best of 3): ORIGAMI selection {n_1m_s:.3f} s, "
          f"one-sort variant {n_1m_sort_s:.3f} s (same k*: {same}); "
          f"coverage sum {sol.coverage.sum():.3f}, attacker utility {sol.attacker_utility:.6f}")
    print(json.dumps({
        "baseline_s": round(baseline_s, 6), "ours_s": round(ours_s, 9), "ratio": round(baseline_s / ours_s, 1),
        "identical": bool(identical), "n": n, "n_1m_s": round(n_1m_s, 4), "n_1m_sort_s": round(n_1m_sort_s, 4),
    }))


if __name__ == "__main__":
    main()
