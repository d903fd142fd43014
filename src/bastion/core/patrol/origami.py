"""Exact strong Stackelberg equilibrium of a security game without schedules, in O(n log n).

ORIGAMI (Kiekintveld et al. AAMAS 2009) grows the attack set one target at a time (O(n^2) as published).
The same fixed point is the root of one monotone piecewise-linear function, found here with one sort,
prefix sums and a scan:

    f(k) = sum_t max(0, (Au_t - k) / (Au_t - Ac_t))      coverage needed to hold the attacker to utility k

f is continuous and non-increasing; its breakpoints are the Au_t. With targets sorted by Au descending and
P0_j = sum_{i<=j} 1/d_i, P1_j = sum_{i<=j} Au_i/d_i (d = Au - Ac), f at breakpoint j is P1_{j-1} - Au_j P0_{j-1}.
The attack set is the largest prefix with f(Au_j) <= m, and on it f(k) = m gives k = (P1_j - m) / P0_j.
The attacker can never be held below L = max_t Ac_t, so k* = max(k, L). Coverage c_t = clip((Au_t - k*)/d_t, 0, 1).

Why this is the SSE (not only the attacker-minimax point): any coverage c' holding the attacker to k' >= k*
has, at its attacked target t', c'_t' = (Au_t' - k')/d_t' <= c*_t', and t' is in the attack set of c*; so the
defender does at least as well under c* by steering the attacker (ties broken for the defender) to the best
target of the attack set.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from bastion.core.patrol.game import GameSolution, SecurityGame

log = logging.getLogger(__name__)


def attacker_level(game: SecurityGame) -> float:
    """The smallest attacker utility k* any coverage with ``game.n_resources`` resources can enforce."""
    au = game.attacker_uncovered
    d = au - game.attacker_covered
    m = game.n_resources
    order = np.argsort(-au, kind="stable")
    a = au[order]
    w = 1.0 / d[order]
    p0 = np.cumsum(w)
    p1 = np.cumsum(a * w)
    # f at each breakpoint a[j]: coverage needed by the targets strictly before j.
    f = np.empty_like(a)
    f[0] = 0.0
    f[1:] = p1[:-1] - a[1:] * p0[:-1]
    np.maximum.accumulate(f, out=f)  # monotone in exact arithmetic; remove rounding wiggles
    s = int(np.searchsorted(f, m, side="right"))  # attack-set size: breakpoints with f <= m
    k = (p1[s - 1] - m) / p0[s - 1]
    if s < a.shape[0]:
        k = max(k, float(a[s]))
    return float(max(k, float(game.attacker_covered.max())))


def solve_origami(game: SecurityGame) -> GameSolution:
    """Exact SSE coverage of a security game without schedule constraints (one sort, prefix sums, a scan)."""
    t0 = time.perf_counter()
    au = game.attacker_uncovered
    d = au - game.attacker_covered
    k = attacker_level(game)
    coverage = np.clip((au - k) / d, 0.0, 1.0)
    target, ud, ua = game.best_response(coverage)
    runtime = time.perf_counter() - t0
    log.debug("origami n=%d m=%g k=%.6g target=%d ud=%.6g in %.4fs", game.n_targets, game.n_resources, k, target, ud, runtime)
    return GameSolution(
        coverage=coverage,
        attacked_target=target,
        defender_utility=ud,
        attacker_utility=ua,
        status="optimal",
        runtime_s=runtime,
        method="origami",
        objective=ud,
        bound=ud,
        gap=0.0,
    )
