"""Evacuation time through exits: t = N / (sum of effective exit widths x specific flow).

Flow rates (persons per metre of effective width per minute), each with its source:
- SFPE Handbook of Fire Protection Engineering (5th ed., ch. 59, Gwynne & Rosenbaum), maximum specific flow
  through doorways, corridors and ramps: 1.32 persons/s/m = 79.2 persons/min/m of *effective* width
  (clear width minus a boundary layer of 0.15 m at each door jamb). CENTRAL value.
- Guide to Safety at Sports Grounds (Green Guide), 6th ed. (2018), rates of passage: 82 persons/min/m on
  level surfaces (HIGH flow, shortest time) and 66 persons/min/m on stairways (LOW flow, longest time).
The band (low, central, high) of the time therefore spans the published rates; a route with stairs is nearer
the long end. The Home Office Guide to Fire Precautions in Places of Entertainment exit-unit method
(525 mm unit, 40 persons/min per unit, one exit assumed unavailable) is given by `home_office_exits`.
Target: the Green Guide's normal maximum egress time of 8 minutes (editable).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bastion.kernel.errors import InvalidInput

SFPE_DOOR_FLOW_P_PER_M_MIN = 79.2  # 1.32 persons/s/m effective width (SFPE Handbook, 5th ed.)
GREEN_GUIDE_LEVEL_P_PER_M_MIN = 82.0  # Green Guide 6th ed. rate of passage, level
GREEN_GUIDE_STAIR_P_PER_M_MIN = 66.0  # Green Guide 6th ed. rate of passage, stairways
BOUNDARY_LAYER_M = 0.15  # SFPE boundary layer at a door jamb, each side
TARGET_MIN = 8.0  # Green Guide normal maximum egress time (minutes)
EXIT_UNIT_M = 0.525  # Home Office exit unit (mm 525)
EXIT_UNIT_P_PER_MIN = 40.0  # persons per minute per exit unit (Home Office)
MAX_PEOPLE = 2_000_000
MAX_WIDTH_M = 100.0


@dataclass(frozen=True)
class EvacuationEstimate:
    people: int
    effective_width_m: float  # sum over the exits used
    exits_used: int
    discounted_exit: int | None  # index of the exit assumed unavailable (the widest), or None
    time_min: float  # central (SFPE)
    time_low_min: float  # shortest (Green Guide level rate)
    time_high_min: float  # longest (Green Guide stair rate)
    target_min: float
    over_target: bool  # the LONG end of the band exceeds the target
    method: str = ("t = N / (sum(W - 2 x 0.15 m) x F); F: 79.2 (SFPE doorway), band 82 (Green Guide level) to "
                   "66 (Green Guide stairs) persons/min/m")


def effective_width_m(clear_width_m: float) -> float:
    """Clear width less the SFPE boundary layer at each jamb (never below 0)."""
    return max(0.0, clear_width_m - 2 * BOUNDARY_LAYER_M)


def evacuation_time(people: int, exit_widths_m: Sequence[float], *, target_min: float = TARGET_MIN,
                    one_exit_unavailable: bool = False) -> EvacuationEstimate:
    """Minutes for ``people`` to pass the exits (flow-limited; walking time to the exit not included).
    ``one_exit_unavailable``: the widest exit is discounted (blocked by the hazard), as in the Home Office
    method; needs at least two exits."""
    if isinstance(people, bool) or not isinstance(people, int) or not 0 <= people <= MAX_PEOPLE:
        raise InvalidInput(f"people must be a whole number from 0 to {MAX_PEOPLE}, got {people!r}", field="people")
    if not exit_widths_m:
        raise InvalidInput("exit_widths_m must list at least one exit width in metres", field="exit_widths_m")
    for i, w in enumerate(exit_widths_m):
        if not (isinstance(w, int | float) and not isinstance(w, bool)) or not math.isfinite(w) or not (
                0 < w <= MAX_WIDTH_M):
            raise InvalidInput(f"exit_widths_m[{i}] must be a width in metres in (0, {MAX_WIDTH_M}], got {w!r}",
                               field=f"exit_widths_m[{i}]")
    if not 0 < target_min <= 600:
        raise InvalidInput(f"target_min must be in (0, 600] minutes, got {target_min!r}", field="target_min")
    widths = list(exit_widths_m)
    dropped = None
    if one_exit_unavailable:
        if len(widths) < 2:
            raise InvalidInput("one_exit_unavailable needs at least two exits", field="exit_widths_m")
        dropped = max(range(len(widths)), key=lambda i: (widths[i], -i))
        widths = [w for i, w in enumerate(widths) if i != dropped]
    weff = sum(effective_width_m(w) for w in widths)
    if weff <= 0:
        raise InvalidInput("the exits have no effective width (each must be wider than 0.30 m)",
                           field="exit_widths_m")

    def t(flow: float) -> float:
        return people / (weff * flow)

    central, low, high = (t(SFPE_DOOR_FLOW_P_PER_M_MIN), t(GREEN_GUIDE_LEVEL_P_PER_M_MIN),
                          t(GREEN_GUIDE_STAIR_P_PER_M_MIN))
    return EvacuationEstimate(people, weff, len(widths), dropped, central, low, high, target_min, high > target_min)


def required_effective_width_m(people: int, *, target_min: float = TARGET_MIN) -> float:
    """The total effective exit width that lets ``people`` out within ``target_min`` at the LOW (stair) rate:
    what a draft asks for when no exits are on record."""
    if people < 0 or target_min <= 0:
        raise InvalidInput("people must be >= 0 and target_min > 0", field="people")
    return people / (GREEN_GUIDE_STAIR_P_PER_M_MIN * target_min)


@dataclass(frozen=True)
class ExitUnits:
    units_exact: float
    units: int
    exits: int


def home_office_exits(people: int, time_min: float) -> ExitUnits:
    """Home Office exit-unit method: U = N / (40 T), rounded up when the fraction is >= 0.3 (else down, at
    least 1); exits E = U / 4 + 1 (integer division: one exit assumed unavailable). 913 people in 2 minutes ->
    11.41 -> 12 units -> 4 exits."""
    if people <= 0 or time_min <= 0:
        raise InvalidInput("people and time_min must be positive", field="people")
    u = people / (EXIT_UNIT_P_PER_MIN * time_min)
    whole = math.floor(u)
    units = whole + 1 if u - whole >= 0.3 - 1e-12 else max(1, whole)
    return ExitUnits(u, units, units // 4 + 1)
