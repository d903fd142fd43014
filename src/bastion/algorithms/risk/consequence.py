"""Consequence: expected harm of a successful attack, in people-equivalents.

C(site, threat, t) = occupants(t) x lethality[threat] + criticality[kind] x disruption[threat]
occupants(t)       = capacity x occupancy fraction at minute-of-week t (from weekly open intervals)

All factors are EDITABLE MODELLING ASSUMPTIONS with units (docs/models/risk.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from types import MappingProxyType

from bastion.algorithms.risk.site import SiteProfile
from bastion.algorithms.risk.threat import THREATS
from bastion.kernel.errors import InvalidInput
from bastion.kernel.time import MINUTES_PER_WEEK

# Fraction of people present who are killed or seriously injured in a successful attack (people/person).
LETHALITY: Mapping[str, float] = MappingProxyType({
    "marauding_attack": 0.05, "vehicle_as_weapon": 0.04, "ied": 0.08, "fire_as_weapon": 0.03, "cbr": 0.10,
    "cyber": 0.0,
})
# Harm to people outside the site when an infrastructure site is put out of action (people-equivalents).
CRITICALITY: Mapping[str, float] = MappingProxyType({
    "power_plant": 2000.0, "substation": 200.0, "water_works": 1500.0, "wastewater_plant": 300.0,
    "fuel_depot": 500.0, "telecom": 500.0,
})
# Fraction of the criticality realised by a successful attack of each type (dimensionless).
DISRUPTION: Mapping[str, float] = MappingProxyType({
    "marauding_attack": 0.1, "vehicle_as_weapon": 0.05, "ied": 0.5, "fire_as_weapon": 0.5, "cbr": 0.3, "cyber": 0.5,
})
# Capacity assumed when a site has none recorded (people), by category.
DEFAULT_CAPACITY: Mapping[str, int] = MappingProxyType({
    "transport": 300, "retail": 200, "venue": 300, "education": 200, "health": 200, "worship": 100,
    "government": 100, "tourism": 200, "hotel": 100, "public_space": 500, "infrastructure": 20,
})


@dataclass(frozen=True)
class ConsequenceParameters:
    lethality: Mapping[str, float] = field(default_factory=lambda: LETHALITY)
    criticality: Mapping[str, float] = field(default_factory=lambda: CRITICALITY)
    disruption: Mapping[str, float] = field(default_factory=lambda: DISRUPTION)
    default_capacity: Mapping[str, int] = field(default_factory=lambda: DEFAULT_CAPACITY)
    open_occupancy: float = 0.7  # fraction of capacity present while open (design-basis average)
    closed_occupancy: float = 0.05  # fraction present while closed (staff, cleaners)
    unknown_hours_occupancy: float = 0.5  # fraction present when opening hours are unknown

    def __post_init__(self) -> None:
        for name in ("open_occupancy", "closed_occupancy", "unknown_hours_occupancy"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                msg = f"{name} must be a fraction in [0, 1], got {v!r}"
                raise InvalidInput(msg, field=name)
        for t in THREATS:
            if t not in self.lethality or not 0.0 <= self.lethality[t] <= 1.0:
                msg = f"lethality[{t!r}] must be in [0, 1] people per person, got {self.lethality.get(t)!r}"
                raise InvalidInput(msg, field="lethality")


def is_open(open_intervals: tuple[tuple[int, int], ...], minute_of_week: int) -> bool:
    return any(a <= minute_of_week < b for a, b in open_intervals)


def occupancy_fraction(open_intervals: tuple[tuple[int, int], ...] | None, minute_of_week: int | None, *,
                       params: ConsequenceParameters | None = None) -> float:
    """Fraction of capacity present at ``minute_of_week`` (Monday 00:00 = 0). ``None`` for the minute means
    the design basis (the site open); ``None`` intervals mean hours unknown."""
    p = params or ConsequenceParameters()
    if minute_of_week is not None and not 0 <= minute_of_week < MINUTES_PER_WEEK:
        msg = f"minute_of_week must be in [0, {MINUTES_PER_WEEK}), got {minute_of_week}"
        raise InvalidInput(msg, field="minute_of_week")
    if open_intervals is None:
        return p.unknown_hours_occupancy if minute_of_week is not None else p.open_occupancy
    if minute_of_week is None:
        return p.open_occupancy if open_intervals else p.closed_occupancy
    return p.open_occupancy if is_open(open_intervals, minute_of_week) else p.closed_occupancy


def mean_weekly_occupancy(open_intervals: tuple[tuple[int, int], ...] | None, *,
                          params: ConsequenceParameters | None = None) -> float:
    """Time-averaged occupancy fraction over the week."""
    p = params or ConsequenceParameters()
    if open_intervals is None:
        return p.unknown_hours_occupancy
    open_min = sum(b - a for a, b in open_intervals)
    return (open_min * p.open_occupancy + (MINUTES_PER_WEEK - open_min) * p.closed_occupancy) / MINUTES_PER_WEEK


def expected_occupants(site: SiteProfile, *, minute_of_week: int | None = None,
                       params: ConsequenceParameters | None = None) -> float:
    p = params or ConsequenceParameters()
    cap = site.capacity if site.capacity is not None else p.default_capacity.get(site.category, 100)
    return cap * occupancy_fraction(site.open_intervals, minute_of_week, params=p)


def consequences(site: SiteProfile, *, minute_of_week: int | None = None,
                 params: ConsequenceParameters | None = None) -> dict[str, float]:
    """Expected harm (people-equivalents) of a successful attack of each type."""
    p = params or ConsequenceParameters()
    occ = expected_occupants(site, minute_of_week=minute_of_week, params=p)
    crit = p.criticality.get(site.kind, 0.0)
    return {t: occ * p.lethality[t] + crit * p.disruption.get(t, 0.0) for t in THREATS}
