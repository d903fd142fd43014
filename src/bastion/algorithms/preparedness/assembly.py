"""Assembly-point choice: open spaces outside the scenario's stand-off distance and off every vehicle-approach
corridor, nearest first, until they hold the people to evacuate.

Stand-off distances (metres, from the site's centre) per threat — ASSUMPTIONS, editable. The IED figure is
the US NCTC/DHS bomb-threat stand-off chart's mandatory evacuation distance for a car bomb (320 ft ≈ 98 m,
rounded to 100 m); the others are planning defaults. Corridor: a vehicle approach path buffered by
``corridor_half_width_m`` (5 m: a carriageway plus a pavement; ASSUMPTION). Holding density 0.5 m² per person
(2 persons/m², the crowd density of an orderly assembly; ASSUMPTION).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

import shapely
from shapely.geometry import LineString
from shapely.geometry import Point

from bastion.kernel.errors import InvalidInput

STANDOFF_M: Mapping[str, float] = MappingProxyType({
    "ied": 100.0, "vehicle_as_weapon": 50.0, "marauding_attack": 150.0, "fire_as_weapon": 75.0, "cbr": 300.0,
    "cyber": 0.0,
})
CORRIDOR_HALF_WIDTH_M = 5.0
MAX_WALK_M = 1_500.0
PERSONS_PER_M2 = 2.0


@dataclass(frozen=True)
class OpenSpace:
    id: int
    x: float  # local metres
    y: float
    area_m2: float | None
    name: str | None = None

    @property
    def holds(self) -> int:
        return int((self.area_m2 or 0.0) * PERSONS_PER_M2)


@dataclass(frozen=True)
class Candidate:
    space: OpenSpace
    distance_m: float
    ok: bool
    reason: str  # chosen | inside_standoff | on_vehicle_corridor | too_far | not_needed


@dataclass(frozen=True)
class AssemblyChoice:
    chosen: tuple[Candidate, ...]
    considered: tuple[Candidate, ...]
    capacity: int
    people: int
    enough: bool
    standoff_m: float


def choose_assembly_points(site_xy: tuple[float, float], people: int, spaces: Sequence[OpenSpace],
                           corridors: Sequence[Sequence[tuple[float, float]]], *, threat: str,
                           standoff_m: Mapping[str, float] = STANDOFF_M,
                           corridor_half_width_m: float = CORRIDOR_HALF_WIDTH_M,
                           max_walk_m: float = MAX_WALK_M) -> AssemblyChoice:
    """Choose assembly points (all coordinates in one local metric projection)."""
    if threat not in standoff_m:
        raise InvalidInput(f"threat must be one of {sorted(standoff_m)}, got {threat!r}", field="threat")
    if people < 0:
        raise InvalidInput(f"people must be >= 0, got {people}", field="people")
    so = standoff_m[threat]
    lines = [LineString(c) for c in corridors if len(c) >= 2]
    zone = shapely.union_all([ln.buffer(corridor_half_width_m) for ln in lines]) if lines else None
    if zone is not None:
        shapely.prepare(zone)
    sx, sy = site_xy
    cands = []
    for sp in spaces:
        d = math.hypot(sp.x - sx, sp.y - sy)
        if d < so:
            reason = "inside_standoff"
        elif d > max_walk_m:
            reason = "too_far"
        elif zone is not None and zone.intersects(Point(sp.x, sp.y)):
            reason = "on_vehicle_corridor"
        else:
            reason = "ok"
        cands.append(Candidate(sp, d, reason == "ok", reason))
    cands.sort(key=lambda c: (c.distance_m, c.space.id))
    chosen: list[Candidate] = []
    considered: list[Candidate] = []
    held = 0
    for c in cands:
        if c.ok and (held < people or not chosen):
            c = Candidate(c.space, c.distance_m, True, "chosen")
            chosen.append(c)
            held += c.space.holds
        elif c.ok:
            c = Candidate(c.space, c.distance_m, True, "not_needed")
        considered.append(c)
    return AssemblyChoice(tuple(chosen), tuple(considered), held, people, held >= people and bool(chosen), so)
