"""Invacuation capacity: how many people a site's protected spaces hold, against the people present at its peak hour.

Invacuation (Martyn's Law s5(2)(b); NPSA "Invacuation" guidance) brings people into, or further into, a building,
to protected spaces away from glazing and entrances, and holds them there while the attack lasts. A space holds

    capacity = floor(usable floor area m2 / M2_PER_PERSON)        (or the capacity the user entered)

M2_PER_PERSON = 0.4645 m2 (5 ft2) per standing or seated adult: ICC 500-2020 Table 501.1.1 / FEMA P-361 (2021,
4th ed.) minimum usable floor area per occupant of a tornado community safe room — the cited density for a short
stay (hours) in a protected space; used here because protected-space guidance for attacks gives no density
(ASSUMPTION: an invacuation lasts hours, like a tornado warning, not the days of a hurricane shelter at 20 ft2).

When nobody entered a space, the site's own building gives one: its gross floor area (OSM footprint x
``building:levels``, as the capacity model computed it) x PROTECTED_SHARE = 0.25 (ASSUMPTION: the share of a
building's floor away from glazing and entrances — inner rooms, corridors, basements; enter the real spaces to
replace it). The assessment compares the total with the people present at the peak hour; a shortfall is flagged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bastion.kernel.errors import InvalidInput

M2_PER_PERSON = 0.4645  # 5 ft2, ICC 500-2020 Table 501.1.1 (tornado, standing or seated)
DENSITY_SOURCE = ("ICC 500-2020 Table 501.1.1 / FEMA P-361 (2021): 5 ft2 (0.4645 m2) usable floor area per "
                  "standing or seated occupant (tornado safe room)")
PROTECTED_SHARE = 0.25  # ASSUMPTION: share of a building's gross floor area usable as protected space
SPACE_KINDS = ("protected_space", "lockable_zone")
MAX_AREA_M2 = 1_000_000.0
MAX_CAPACITY = 1_000_000


@dataclass(frozen=True)
class Space:
    label: str
    kind: str
    area_m2: float | None
    capacity: int | None  # people; entered by the user, it wins over the area
    source: str  # user | osm | footprint

    def __post_init__(self) -> None:
        if self.kind not in SPACE_KINDS:
            raise InvalidInput(f"kind must be one of {list(SPACE_KINDS)}, got {self.kind!r}", field="kind")
        if self.area_m2 is not None and not 0 < self.area_m2 <= MAX_AREA_M2:
            raise InvalidInput(f"area_m2 must be in (0, {MAX_AREA_M2:.0f}] square metres, got {self.area_m2!r}",
                               field="area_m2")
        if self.capacity is not None and not 0 <= self.capacity <= MAX_CAPACITY:
            raise InvalidInput(f"capacity must be 0 to {MAX_CAPACITY} people, got {self.capacity!r}",
                               field="capacity")


def space_capacity(area_m2: float | None, capacity: int | None, *, m2_per_person: float = M2_PER_PERSON) -> int | None:
    """People a space holds: the entered capacity, else floor(area / m2 per person); None when neither is known."""
    if capacity is not None:
        return int(capacity)
    if area_m2 is None:
        return None
    return math.floor(area_m2 / m2_per_person + 1e-9)


def footprint_space(floor_area_m2: float | None, *, share: float = PROTECTED_SHARE) -> Space | None:
    """The protected space a building offers when nobody entered one: ``share`` of its gross floor area."""
    if floor_area_m2 is None or floor_area_m2 <= 0:
        return None
    area = round(floor_area_m2 * share, 1)
    return Space(f"building core ({share:.0%} of {floor_area_m2:,.0f} m2 floor, ASSUMPTION)", "protected_space",
                 area, None, "footprint")


@dataclass(frozen=True)
class InvacuationAssessment:
    people: int
    capacity: int  # people the known spaces hold
    spaces_counted: int
    spaces_unknown: int  # spaces with neither area nor capacity
    enough: bool | None  # None: no space with a known capacity
    shortfall: int  # people without a place (0 when enough)
    area_needed_m2: float  # usable area all the people need at the cited density


def assess(people: int, spaces: Sequence[Space], *, m2_per_person: float = M2_PER_PERSON) -> InvacuationAssessment:
    """Protected-space capacity against ``people`` (the site's peak-hour occupancy)."""
    if isinstance(people, bool) or not isinstance(people, int) or people < 0:
        raise InvalidInput(f"people must be a whole number >= 0, got {people!r}", field="people")
    if not m2_per_person > 0:
        raise InvalidInput(f"m2_per_person must be > 0, got {m2_per_person!r}", field="m2_per_person")
    caps = [space_capacity(sp.area_m2, sp.capacity, m2_per_person=m2_per_person)
            for sp in spaces if sp.kind == "protected_space"]
    known = [c for c in caps if c is not None]
    total = sum(known)
    enough = None if not known else total >= people
    return InvacuationAssessment(people, total, len(known), len(caps) - len(known), enough,
                                 max(0, people - total) if known else people, round(people * m2_per_person, 1))
