"""Monte-Carlo evaluation of a patrol plan against route-feasible baselines, on site x slot targets.

All three strategies send the same teams on feasible sorties of the same slot (same base, travel times, dwell,
max_stops), so the comparison is fair:

* optimal (SSE routes): each slot, one day plan drawn from the equilibrium mixture (idle teams NOT filled: a
  conservative figure, filling only adds visits off the attacked target);
* uniform: each team picks one feasible route uniformly at random (independently, overlaps allowed);
* risk-proportional: each team picks a route with probability proportional to the consequence it visits.

Exact coverage: SSE = the equilibrium coverage; baselines 1 - (1 - q_s)^R with q_s the chance that one team's
route visits s. The attacker watches ``observe_days`` sampled days, estimates each target's coverage by its
visit frequency and attacks the best-looking target (ties for the defender); his realised gain and the
defender's loss use the exact coverage. Utilities are in people (default payoffs).
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt

from bastion.algorithms.games import EvaluationRow
from bastion.algorithms.games import EvaluationTable
from bastion.algorithms.games import SecurityGame
from bastion.algorithms.games import default_payoffs
from bastion.algorithms.games import route_table
from bastion.kernel.errors import InvalidInput
from bastion.patrol.build import BuiltPlan

log = logging.getLogger(__name__)
STRATEGIES = ("optimal (SSE routes)", "uniform", "risk-proportional")


def evaluate_plan(
    built: BuiltPlan, *, weekday: int | None = None, observe_days: int = 30, trials: int = 200, seed: int | None = None,
) -> EvaluationTable:
    if observe_days < 1 or trials < 1:
        raise InvalidInput(
            f"observe_days and trials must be >= 1, got {observe_days} and {trials}", field="observe_days"
        )
    wd = built.weekday(1) if weekday is None else weekday
    if wd not in built.slots:
        raise InvalidInput(f"weekday {wd} is not in the plan (weekdays {sorted(built.slots)})", field="weekday")
    o = built.options
    rng = np.random.default_rng(o.seed if seed is None else seed)
    cons = built.consequence[wd]  # (n_sites, n_slots)
    n, n_slots = cons.shape
    teams = o.teams
    exact = {name: np.zeros((n, n_slots)) for name in STRATEGIES}
    counts = {name: np.zeros((trials, n, n_slots)) for name in STRATEGIES}
    for j in range(n_slots):
        sol = built.slots[wd][j]
        table = route_table(sol.problem)
        routes = [r.stops for r in table.routes()]
        a = np.zeros((len(routes), n), dtype=bool)
        for r, stops in enumerate(routes):
            a[r, list(stops)] = True
        value = a.astype(np.float64) @ cons[:, j]
        choice = {"uniform": np.full(len(routes), 1.0 / len(routes)), "risk-proportional": value / value.sum()}
        for name, p in choice.items():
            q = p @ a
            exact[name][:, j] = 1.0 - (1.0 - q) ** teams
            idx = rng.choice(len(routes), size=(trials, observe_days, teams), p=p)
            counts[name][:, :, j] = a[idx].any(axis=2).sum(axis=1)
        exact[STRATEGIES[0]][:, j] = sol.coverage
        plans = np.zeros((len(sol.plans) + 1, n), dtype=bool)  # last row: nobody sent
        for k, plan in enumerate(sol.plans):
            for route in plan:
                plans[k, list(route.stops)] = True
        w = np.clip(np.concatenate([sol.weights, [max(0.0, 1.0 - sol.weights.sum())]]), 0.0, None)
        idx = rng.choice(len(w), size=(trials, observe_days), p=w / w.sum())
        counts[STRATEGIES[0]][:, :, j] = plans[idx].sum(axis=1)
    game = SecurityGame.from_arrays(
        *default_payoffs(cons.ravel(), interdiction_effectiveness=o.interdiction_effectiveness,
                         attacker_penalty=o.attacker_penalty), 1)
    rows = []
    for name in STRATEGIES:
        cov = exact[name].ravel()
        ua, ud = game.attacker_utilities(cov), game.defender_utilities(cov)
        picks = [game.best_response(counts[name][i].ravel() / observe_days)[0] for i in range(trials)]
        _, ud_x, ua_x = game.best_response(cov)
        rows.append(EvaluationRow(name, float(ua[picks].mean()), float(ud[picks].mean()), float(-ud[picks].mean()),
                                  ua_x, ud_x))
        log.debug(
            "evaluate %s: attacker %.1f defender %.1f", name, rows[-1].attacker_utility, rows[-1].defender_utility
        )
    return EvaluationTable(tuple(rows), observe_days, trials)


def visits_per_shift(built: BuiltPlan, weekday: int) -> npt.NDArray[np.float64]:
    """Expected site visits per slot under the plan (sum of the equilibrium coverage)."""
    return np.asarray([s.coverage.sum() for s in built.slots[weekday]])
