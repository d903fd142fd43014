"""Patrol intensity and staffing under a posture.

Patrol: the posture adds teams (and/or hours) to the defender; the Stackelberg game over the region's sites is
re-solved exactly (ORIGAMI, bastion.algorithms.games.origami). Effective resources = teams x hours on duty per
day / shift hours, capped at the number of targets. More resources enlarge the defender's feasible coverage set
(any coverage feasible with m is feasible with m' > m), so the SSE value never falls (tested).

Staffing (FPCON-style sustainability): days sustainable = floor(overtime budget hours / daily excess hours),
None when nothing exceeds the routine staffing (sustainable indefinitely).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bastion.algorithms._typing import FloatArray
from bastion.algorithms.games.game import SecurityGame
from bastion.algorithms.games.origami import solve_origami
from bastion.kernel.errors import InvalidInput


@dataclass(frozen=True)
class PatrolChange:
    resources_before: float
    resources_after: float
    coverage_before: FloatArray
    coverage_after: FloatArray
    defender_eu_before: float
    defender_eu_after: float


def effective_resources(teams: int, hours_per_day: float, shift_h: float, n_targets: int) -> float:
    if teams < 0 or hours_per_day < 0 or shift_h <= 0:
        raise InvalidInput("teams and hours_per_day must be >= 0 and shift_h > 0", field="teams")
    return float(min(n_targets, max(1.0, teams * hours_per_day / shift_h)))


def defender_value(dc: npt.ArrayLike, du: npt.ArrayLike, ac: npt.ArrayLike, au: npt.ArrayLike,
                   resources: float) -> tuple[FloatArray, float]:
    game = SecurityGame.from_arrays(dc, du, ac, au, resources)
    sol = solve_origami(game)
    _t, ud, _ua = game.best_response(sol.coverage)
    return sol.coverage, ud


@dataclass(frozen=True)
class Payoffs:
    """Per-target payoffs of the patrol game (defender/attacker, covered/uncovered)."""

    defender_covered: npt.ArrayLike
    defender_uncovered: npt.ArrayLike
    attacker_covered: npt.ArrayLike
    attacker_uncovered: npt.ArrayLike


def patrol_change(payoffs: Payoffs, *, base_teams: int, extra_teams: int, hours_per_day: float,
                  extra_hours: float = 0.0, shift_h: float = 8.0) -> PatrolChange:
    p = payoffs
    n = int(np.asarray(p.defender_covered).shape[0])
    m0 = effective_resources(base_teams, hours_per_day, shift_h, n)
    m1 = effective_resources(base_teams + extra_teams, hours_per_day + extra_hours, shift_h, n)
    c0, v0 = defender_value(p.defender_covered, p.defender_uncovered, p.attacker_covered, p.attacker_uncovered, m0)
    c1, v1 = defender_value(p.defender_covered, p.defender_uncovered, p.attacker_covered, p.attacker_uncovered, m1)
    return PatrolChange(m0, m1, c0, c1, v0, v1)


@dataclass(frozen=True)
class Staffing:
    needed_h_per_day: float
    routine_h_per_day: float
    excess_h_per_day: float
    budget_h: float
    days_sustainable: int | None  # None: indefinitely


def staffing(needed_h_per_day: float, routine_h_per_day: float, budget_h: float) -> Staffing:
    if min(needed_h_per_day, routine_h_per_day, budget_h) < 0:
        raise InvalidInput("staff hours and budget must be >= 0", field="budget_h")
    excess = max(0.0, needed_h_per_day - routine_h_per_day)
    days = None if excess <= 0 else math.floor(budget_h / excess)
    return Staffing(needed_h_per_day, routine_h_per_day, excess, budget_h, days)
