"""The plain description of a site the risk core works on: category, kind, capacity, hours, facts.

Only properties of the *place* are recorded. Nothing about individual people, and never the faith of a
place of worship (the kind ``place_of_worship`` is all the core ever sees).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from types import MappingProxyType

from bastion.algorithms.sites.taxonomy import CATEGORIES as _TAXONOMY
from bastion.kernel.errors import InvalidInput
from bastion.kernel.time import MINUTES_PER_WEEK

# Category -> kinds: the importer's taxonomy (core.sites.taxonomy), read-only here.
CATEGORIES: Mapping[str, tuple[str, ...]] = MappingProxyType(dict(_TAXONOMY))
KIND_TO_CATEGORY: Mapping[str, str] = MappingProxyType({k: c for c, ks in CATEGORIES.items() for k in ks})

# Facts a site may carry (recorded by users or inspections). Values are plain scalars.
KNOWN_FACTS: frozenset[str] = frozenset(
    {
        "floor_area_m2",  # gross floor area, m^2 (ISC FSL size factor)
        "floor_area_sqft",  # gross floor area, square feet (ISC FSL size factor, verbatim unit)
        "mission_criticality",  # ISC FSL factor score 1-4
        "symbolism",  # ISC FSL factor score 1-4
        "threat_to_tenants",  # ISC FSL factor score 1-4
        "fsl_intangible_adjustment",  # ISC FSL intangible adjustment, -1, 0 or +1 level
        "is_event",  # the record is a qualifying event rather than premises (UK PPA)
        "entry_checks",  # an event with entry checks (UK PPA)
        "key_target_grade",  # grade designated by the police: 1, 2 or 3 (一/二/三级)
        "uk_qualifying_use",  # override: the premises is / is not in a UK PPA Sch. 1 use
    }
)


@dataclass(frozen=True)
class SiteProfile:
    """A site as the risk core sees it.

    ``open_intervals`` are weekly intervals ``(start_minute_of_week, end_minute_of_week)`` with Monday
    00:00 = 0 and end exclusive (end may equal 10080); ``None`` means the hours are unknown.
    """

    site_id: str
    category: str
    kind: str
    capacity: int | None = None
    capacity_method: str | None = None
    capacity_band: tuple[int, int] | None = None  # (low, high) people of an estimate; None: the figure is firm
    open_intervals: tuple[tuple[int, int], ...] | None = None
    facts: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            msg = f"category must be one of {sorted(CATEGORIES)}, got {self.category!r}"
            raise InvalidInput(msg, field="category")
        if self.kind not in CATEGORIES[self.category]:
            msg = (
                f"kind {self.kind!r} does not belong to category {self.category!r}; "
                f"use one of {list(CATEGORIES[self.category])}"
            )
            raise InvalidInput(msg, field="kind")
        if self.capacity is not None and (isinstance(self.capacity, bool) or self.capacity < 0):
            msg = f"capacity must be a non-negative number of people or None, got {self.capacity!r}"
            raise InvalidInput(msg, field="capacity")
        if self.capacity_band is not None and not 0 <= self.capacity_band[0] <= self.capacity_band[1]:
            msg = f"capacity_band must be (low, high) with 0 <= low <= high, got {self.capacity_band!r}"
            raise InvalidInput(msg, field="capacity_band")
        if self.open_intervals is not None:
            ivs = tuple((int(a), int(b)) for a, b in self.open_intervals)
            for a, b in ivs:
                if not (0 <= a < b <= MINUTES_PER_WEEK):
                    msg = (
                        f"open_intervals must hold (start, end) minutes of week with 0 <= start < end <= "
                        f"{MINUTES_PER_WEEK}, got ({a}, {b}); split intervals that wrap past Sunday 24:00"
                    )
                    raise InvalidInput(msg, field="open_intervals")
            object.__setattr__(self, "open_intervals", ivs)
        unknown = set(self.facts) - KNOWN_FACTS
        if unknown:
            msg = f"facts has unknown keys {sorted(unknown)}; known facts are {sorted(KNOWN_FACTS)}"
            raise InvalidInput(msg, field="facts")
        object.__setattr__(self, "facts", MappingProxyType(dict(self.facts)))


def kind_category(kind: str) -> str:
    """The category of an importer kind, or InvalidInput naming the kind."""
    try:
        return KIND_TO_CATEGORY[kind]
    except KeyError:
        msg = f"kind must be one of {sorted(KIND_TO_CATEGORY)}, got {kind!r}"
        raise InvalidInput(msg, field="kind") from None
