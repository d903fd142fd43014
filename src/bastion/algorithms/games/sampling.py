"""From a randomized strategy to concrete daily schedules, reproducible from an ``rng``.

Comb (systematic) sampling: lay the coverage probabilities end to end on [0, m), draw one u ~ U[0, 1) per day
and take the targets under the teeth u, u + 1, ..., u + m - 1. Because each c_t <= 1, every day holds exactly m
distinct targets and target t is chosen with probability exactly c_t.

For route mixtures (column generation) the same comb runs over the route weights x_r (plus an idle pseudo-route
holding R - sum x): each day gets exactly R routes, route r with probability x_r. Two routes drawn the same day
may share a site, so the realised site coverage can fall below c = A x (Korzhyk et al. 2010: marginals are not
always implementable); :func:`comb_route_coverage` computes the realised coverage exactly.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.games.routes import Route
from bastion.kernel.errors import InvalidInput

IDLE = -1  # a team kept in reserve that day


def fill_slack(coverage: npt.ArrayLike, n_resources: int, *, keep: int | None = None) -> FloatArray:
    """Raise coverage so it sums to exactly ``n_resources`` without changing the attacker's best response.

    Slack is spread over targets other than ``keep`` (the attacked target) in proportion to their uncovered
    probability 1 - c_t: lowering the attacker's utility elsewhere never moves the attack off ``keep``, nor
    changes the defender's utility there.
    """
    c = np.asarray(coverage, dtype=np.float64).copy()
    slack = n_resources - c.sum()
    if slack < -1e-7:
        raise InvalidInput(
            f"coverage sums to {c.sum():.6g}, more than n_resources={n_resources}; rescale it", field="coverage"
        )
    if slack <= 1e-12:
        return c
    room = 1.0 - c
    if keep is not None and room.sum() - room[keep] >= slack:
        room[keep] = 0.0
    total = room.sum()
    if total < slack - 1e-9:
        raise InvalidInput(f"n_resources={n_resources} exceeds the number of targets {c.size}", field="n_resources")
    out: FloatArray = np.minimum(1.0, c + room * (slack / total))
    return out


def comb_sample(coverage: npt.ArrayLike, n_resources: int, *, n_days: int, rng: np.random.Generator) -> IntArray:
    """(n_days, n_resources) distinct target indices per day; target t appears with probability coverage[t].

    ``coverage`` must lie in [0, 1] and sum to ``n_resources`` (use :func:`fill_slack` first if it sums to less).
    """
    c = np.asarray(coverage, dtype=np.float64)
    if c.ndim != 1 or np.any(c < -1e-12) or np.any(c > 1 + 1e-12):
        raise InvalidInput("coverage must be a 1-D array of probabilities in [0, 1]", field="coverage")
    if abs(c.sum() - n_resources) > 1e-6:
        raise InvalidInput(
            f"coverage must sum to n_resources={n_resources}, got {c.sum():.9g}; "
            "call fill_slack(coverage, n_resources)",
            field="coverage",
        )
    if n_days < 1:
        raise InvalidInput(f"n_days must be at least 1, got {n_days}", field="n_days")
    cum = np.cumsum(np.clip(c, 0.0, 1.0))
    cum *= n_resources / cum[-1]
    teeth = rng.random(n_days)[:, None] + np.arange(n_resources)[None, :]
    return np.minimum(np.searchsorted(cum, teeth, side="right"), c.size - 1).astype(np.int64)


def comb_sample_routes(
    route_weights: npt.ArrayLike, n_teams: int, *, n_days: int, rng: np.random.Generator
) -> IntArray:
    """(n_days, n_teams) route indices per day (``IDLE`` = -1 for a team in reserve); route r w.p. weight r."""
    x = np.asarray(route_weights, dtype=np.float64)
    if x.ndim != 1 or np.any(x < -1e-12) or np.any(x > 1 + 1e-9) or x.sum() > n_teams + 1e-6:
        raise InvalidInput(
            f"route_weights must be in [0, 1] and sum to at most n_teams={n_teams}, got sum {x.sum():.6g}",
            field="route_weights",
        )
    cum = np.cumsum(np.concatenate([np.clip(x, 0.0, 1.0), [max(0.0, n_teams - x.sum())]]))
    cum *= n_teams / cum[-1]
    teeth = rng.random(n_days)[:, None] + np.arange(n_teams)[None, :]
    idx = np.minimum(np.searchsorted(cum, teeth, side="right"), x.size)
    return np.where(idx == x.size, IDLE, idx).astype(np.int64)


def comb_route_coverage(
    routes: tuple[Route, ...] | list[Route], route_weights: npt.ArrayLike, n_teams: int, n_sites: int
) -> FloatArray:
    """Exact probability that each site is visited by at least one team under :func:`comb_sample_routes`."""
    x = np.asarray(route_weights, dtype=np.float64)
    cum = np.cumsum(np.concatenate([x, [max(0.0, n_teams - x.sum())]]))
    cum *= n_teams / cum[-1]
    cuts = np.unique(np.concatenate([[0.0, 1.0], np.mod(cum, 1.0)]))
    out = np.zeros(n_sites)
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        if hi - lo <= 0:
            continue
        u = 0.5 * (lo + hi)
        picked = np.searchsorted(cum, u + np.arange(n_teams), side="right")
        visited = {s for j in picked if j < x.size for s in routes[int(j)].stops}
        if visited:
            out[list(visited)] += hi - lo
    return out


def sample_plans(weights: npt.ArrayLike, *, n_days: int, rng: np.random.Generator) -> IntArray:
    """One day plan index per day (joint model), plan j with probability weights[j]; ``IDLE`` w.p. 1 - sum.

    Realised coverage equals the plan mixture's coverage exactly (plans are site-disjoint day plans).
    """
    y = np.asarray(weights, dtype=np.float64)
    if y.ndim != 1 or np.any(y < -1e-12) or y.sum() > 1 + 1e-7:
        raise InvalidInput(
            f"weights must be probabilities summing to at most 1, got sum {y.sum():.9g}", field="weights"
        )
    if n_days < 1:
        raise InvalidInput(f"n_days must be at least 1, got {n_days}", field="n_days")
    p = np.concatenate([np.clip(y, 0.0, None), [max(0.0, 1.0 - y.sum())]])
    idx = rng.choice(p.size, size=n_days, p=p / p.sum())
    return np.where(idx == y.size, IDLE, idx).astype(np.int64)
