"""Targets as site x time slot: consequence follows occupancy, so a mall at 18:00 outweighs it at 06:00.

    occupancy[s, j] = capacity[s] * (open_share[s, j] + closed_fraction * (1 - open_share[s, j])) * profile[hour_j]
    consequence[s, j] = weight[s] * occupancy[s, j]

open_share is the fraction of slot j during which site s is open (weekly intervals in minutes of the week,
0 = Monday 00:00; an interval whose end is before its start wraps past Sunday midnight). ``weight`` is any
category-free multiplier (a risk score, 1.0 by default). :func:`default_payoffs` turns consequences into game
payoffs; every default below is editable.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bastion.algorithms._typing import FloatArray
from bastion.algorithms.games.game import as_payoff_vector
from bastion.kernel.errors import InvalidInput
from bastion.kernel.time import MINUTES_PER_WEEK

CLOSED_FRACTION = 0.05  # share of capacity present while closed (staff, passers-by), dimensionless
INTERDICTION_EFFECTIVENESS = 0.8  # share of the consequence a patrol on site prevents, dimensionless
ATTACKER_PENALTY = 0.5  # attacker's loss when interdicted, in units of the consequence
FLOOR_FRACTION = 1e-3  # smallest consequence, as a share of the largest (keeps payoffs strictly ordered)


def _open_minutes(intervals: Sequence[tuple[float, float]], start: float, end: float) -> float:
    """Minutes of [start, end) (minutes of the week, end may exceed one week) inside the weekly intervals."""
    total = 0.0
    for a, b in intervals:
        if not (0 <= a <= MINUTES_PER_WEEK and 0 <= b <= MINUTES_PER_WEEK):
            raise InvalidInput(
                f"open interval ({a}, {b}) must be in minutes of the week [0, {MINUTES_PER_WEEK}]",
                field="open_intervals",
            )
        pieces = [(a, b)] if b >= a else [(a, MINUTES_PER_WEEK), (0.0, b)]
        for pa, pb in pieces:
            for shift in (-MINUTES_PER_WEEK, 0.0, MINUTES_PER_WEEK):
                lo, hi = max(start, pa + shift), min(end, pb + shift)
                total += max(0.0, hi - lo)
    return min(total, end - start)


def slot_consequences(
    capacity: npt.ArrayLike,
    open_intervals: Sequence[Sequence[tuple[float, float]]],
    shift_start_minute: float,
    shift_minutes: float,
    *,
    slot_minutes: float = 60.0,
    weights: npt.ArrayLike | None = None,
    hourly_profile: npt.ArrayLike | None = None,
    closed_fraction: float = CLOSED_FRACTION,
) -> FloatArray:
    """(n_sites, n_slots) consequence weight of each site in each slot of the shift.

    ``capacity``: people per site. ``open_intervals[s]``: list of (start, end) minutes of the week the site is
    open; an empty list means always open. ``hourly_profile``: 24 multipliers by hour of day (default 1).
    Slots are [shift_start + j*slot_minutes, ...), the last one possibly shorter.
    """
    cap = as_payoff_vector("capacity", capacity)
    n = cap.shape[0]
    if np.any(cap < 0):
        raise InvalidInput("capacity must be non-negative (people)", field="capacity")
    if len(open_intervals) != n:
        raise InvalidInput(
            f"open_intervals must hold one list per site ({n}), got {len(open_intervals)}", field="open_intervals"
        )
    w = np.ones(n) if weights is None else as_payoff_vector("weights", weights, n)
    prof = np.ones(24) if hourly_profile is None else as_payoff_vector("hourly_profile", hourly_profile, 24)
    if shift_minutes <= 0 or slot_minutes <= 0:
        raise InvalidInput(
            f"shift_minutes and slot_minutes must be positive, got {shift_minutes} and {slot_minutes}",
            field="shift_minutes",
        )
    if not 0.0 <= closed_fraction <= 1.0:
        raise InvalidInput(f"closed_fraction must be in [0, 1], got {closed_fraction}", field="closed_fraction")
    start = float(shift_start_minute) % MINUTES_PER_WEEK
    edges = np.arange(0.0, shift_minutes, slot_minutes)
    out = np.zeros((n, edges.size))
    for j, e in enumerate(edges):
        lo, hi = start + e, start + min(e + slot_minutes, shift_minutes)
        hour = int((lo % (24 * 60)) // 60)
        for s in range(n):
            share = 1.0 if not open_intervals[s] else _open_minutes(open_intervals[s], lo, hi) / (hi - lo)
            out[s, j] = w[s] * cap[s] * (share + closed_fraction * (1.0 - share)) * prof[hour]
    return out


def default_payoffs(
    consequence: npt.ArrayLike,
    *,
    interdiction_effectiveness: float = INTERDICTION_EFFECTIVENESS,
    attacker_penalty: float = ATTACKER_PENALTY,
    floor_fraction: float = FLOOR_FRACTION,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Default payoffs from consequences V (flattened): returns (Dc, Du, Ac, Au) for SecurityGame.from_arrays.

        V' = max(V, floor_fraction * max V)
        Du = -V',   Dc = -(1 - interdiction_effectiveness) V',   Au = V',   Ac = -attacker_penalty V'
    """
    v = np.asarray(consequence, dtype=np.float64).ravel()
    if v.size == 0 or not np.all(np.isfinite(v)) or np.any(v < 0) or v.max() <= 0:
        raise InvalidInput("consequence must be finite, non-negative and not all zero", field="consequence")
    if not 0 < interdiction_effectiveness <= 1:
        raise InvalidInput(
            f"interdiction_effectiveness must be in (0, 1], got {interdiction_effectiveness}",
            field="interdiction_effectiveness",
        )
    if attacker_penalty < 0:
        raise InvalidInput(f"attacker_penalty must be >= 0, got {attacker_penalty}", field="attacker_penalty")
    if not 0 < floor_fraction <= 1:
        raise InvalidInput(f"floor_fraction must be in (0, 1], got {floor_fraction}", field="floor_fraction")
    vv = np.maximum(v, floor_fraction * v.max())
    return -(1.0 - interdiction_effectiveness) * vv, -vv, -attacker_penalty * vv, vv.copy()
