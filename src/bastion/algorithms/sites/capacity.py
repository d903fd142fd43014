"""Capacity (people) of a site: the OSM capacity tag, else floor area / occupant-load factor.

Occupant-load factors are from the International Building Code 2021, Table 1004.5 "Maximum floor area
allowances per occupant" (converted from ft² to m², 1 ft² = 0.09290304 m²), the table life-safety
engineers use to size exits. Every value below is an editable default; docs/models/sites.md lists them.
A footprint gives gross floor area = footprint area × building levels; a point gets a documented
default floor area for its kind (method "kind_default_area", low confidence). A user override always wins
(applied by the service, not here).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from bastion.kernel.units import sqft_to_m2

# m² of floor area per occupant, IBC 2021 Table 1004.5 (function of space).
IBC_M2_PER_OCCUPANT: dict[str, float] = {
    "assembly_standing": sqft_to_m2(5),  # standing space, net
    "assembly_chairs": sqft_to_m2(7),  # concentrated: chairs only, not fixed, net
    "assembly_tables": sqft_to_m2(15),  # unconcentrated: tables and chairs, net
    "gaming_floor": sqft_to_m2(11),  # gaming floors (keno, slots), gross
    "exhibit_gallery": sqft_to_m2(30),  # exhibit gallery and museum, net
    "mercantile": sqft_to_m2(60),  # mercantile, gross
    "business": sqft_to_m2(150),  # business areas, gross
    "classroom": sqft_to_m2(20),  # educational, classroom area, net
    "day_care": sqft_to_m2(35),  # day care, net
    "inpatient": sqft_to_m2(240),  # institutional, inpatient treatment areas, gross
    "outpatient": sqft_to_m2(100),  # institutional, outpatient areas, gross
    "residential": sqft_to_m2(200),  # residential (hotels), gross
    "airport_concourse": sqft_to_m2(100),  # airport terminal, concourse, gross
    "industrial": sqft_to_m2(100),  # industrial areas, gross
}
# Open public space is not in the building code: 2 m² per person is a modelling assumption for a busy
# square in normal use (crowd guidance treats 2 persons/m² as the upper safe standing density).
OPEN_SPACE_M2_PER_PERSON = 2.0
PEDESTRIAN_STREET_WIDTH_M = 8.0  # assumption: width of a linear pedestrian street without a footprint

KIND_SPACE: dict[str, str] = {
    "railway_station": "airport_concourse", "subway_station": "airport_concourse",
    "bus_station": "airport_concourse", "airport": "airport_concourse", "heliport": "airport_concourse",
    "ferry_terminal": "airport_concourse",
    "mall": "mercantile", "department_store": "mercantile", "marketplace": "mercantile", "supermarket": "mercantile",
    "stadium": "assembly_standing", "arena": "assembly_chairs", "theatre": "assembly_chairs",
    "cinema": "assembly_chairs", "concert_hall": "assembly_chairs", "casino": "gaming_floor",
    "exhibition_centre": "exhibit_gallery", "conference_centre": "assembly_chairs",
    "nightclub": "assembly_standing", "events_venue": "assembly_tables", "arts_centre": "assembly_tables",
    "school": "classroom", "university": "classroom", "college": "classroom",
    "kindergarten": "day_care", "childcare": "day_care",
    "hospital": "inpatient", "clinic": "outpatient",
    "place_of_worship": "assembly_chairs",
    "townhall": "business", "courthouse": "business", "embassy": "business", "ministry": "business",
    "government_office": "business", "police": "business", "fire_station": "business",
    "attraction": "exhibit_gallery", "museum": "exhibit_gallery", "zoo": "exhibit_gallery",
    "theme_park": "exhibit_gallery", "aquarium": "exhibit_gallery",
    "hotel": "residential",
    "power_plant": "industrial", "substation": "industrial", "water_works": "industrial",
    "wastewater_plant": "industrial", "fuel_depot": "industrial", "telecom": "industrial",
}
# Storeys assumed when building:levels is absent (assumption, per kind; default 1).
DEFAULT_LEVELS: dict[str, int] = {
    "mall": 2, "department_store": 3, "hospital": 3, "hotel": 4, "school": 2, "university": 3, "college": 3,
    "ministry": 3, "government_office": 3, "townhall": 2, "courthouse": 2, "embassy": 2,
}
# Floor area assumed for a site mapped only as a point (assumption, m²; default 500).
DEFAULT_POINT_AREA_M2: dict[str, float] = {
    "railway_station": 2000, "subway_station": 1000, "bus_station": 500, "airport": 20000, "heliport": 500,
    "ferry_terminal": 1000, "mall": 10000, "department_store": 5000, "marketplace": 1000, "supermarket": 1000,
    "stadium": 10000, "arena": 3000, "theatre": 800, "cinema": 1000, "concert_hall": 1000, "casino": 2000,
    "exhibition_centre": 5000, "conference_centre": 2000, "nightclub": 300, "events_venue": 500,
    "arts_centre": 500, "school": 2000, "university": 5000, "college": 3000, "kindergarten": 400,
    "childcare": 300, "hospital": 10000, "clinic": 300, "place_of_worship": 300, "townhall": 1000,
    "courthouse": 1000, "embassy": 500, "ministry": 2000, "government_office": 1000, "police": 500,
    "fire_station": 500, "attraction": 1000, "museum": 1000, "zoo": 20000, "theme_park": 20000,
    "aquarium": 3000, "hotel": 2000, "square": 1000, "pedestrian_zone": 2000,
}
DEFAULT_POINT_AREA_FALLBACK_M2 = 500.0

_INT = re.compile(r"^\s*(\d{1,7})\s*$")
_LEVELS = re.compile(r"^\s*(\d{1,3})(?:\.\d+)?\s*$")


@dataclass(frozen=True)
class CapacityEstimate:
    capacity: int | None  # people
    method: str  # "osm_tag" | "floor_area" | "open_area" | "linear_area" | "kind_default_area" | "none"
    inputs: dict[str, float | int | str] = field(default_factory=dict)


def parse_capacity_tag(value: str | None) -> int | None:
    """The OSM capacity tag as a whole number of people, or None when absent or not a plain number."""
    if value is None:
        return None
    m = _INT.match(value.replace(",", "").replace(" ", ""))
    if not m:
        return None
    n = int(m.group(1))
    return n if n > 0 else None


def parse_levels(value: str | None) -> int | None:
    if value is None:
        return None
    m = _LEVELS.match(value)
    if not m:
        return None
    n = int(m.group(1))
    return n if 1 <= n <= 200 else None


def estimate_capacity(
    kind: str,
    *,
    capacity_tag: str | None,
    footprint_area_m2: float | None,
    levels_tag: str | None,
    line_length_m: float | None = None,
) -> CapacityEstimate:
    """Estimate a site's capacity in people, recording the method and every input used."""
    tagged = parse_capacity_tag(capacity_tag)
    if tagged is not None:
        return CapacityEstimate(tagged, "osm_tag", {"capacity_tag": capacity_tag or ""})
    if kind in ("square", "pedestrian_zone"):
        if footprint_area_m2 and footprint_area_m2 > 0:
            cap = math.floor(footprint_area_m2 / OPEN_SPACE_M2_PER_PERSON)
            return CapacityEstimate(
                cap, "open_area",
                {"area_m2": round(footprint_area_m2, 1), "m2_per_person": OPEN_SPACE_M2_PER_PERSON},
            )
        if line_length_m and line_length_m > 0:
            area = line_length_m * PEDESTRIAN_STREET_WIDTH_M
            cap = math.floor(area / OPEN_SPACE_M2_PER_PERSON)
            return CapacityEstimate(
                cap, "linear_area",
                {
                    "length_m": round(line_length_m, 1), "assumed_width_m": PEDESTRIAN_STREET_WIDTH_M,
                    "m2_per_person": OPEN_SPACE_M2_PER_PERSON,
                },
            )
    space = KIND_SPACE.get(kind)
    if space is None:
        return CapacityEstimate(None, "none", {"reason": f"no occupant-load factor for kind {kind!r}"})
    factor = IBC_M2_PER_OCCUPANT[space]
    if footprint_area_m2 and footprint_area_m2 > 0:
        levels = parse_levels(levels_tag)
        levels_source = "building:levels"
        if levels is None:
            levels = DEFAULT_LEVELS.get(kind, 1)
            levels_source = "kind_default"
        gross = footprint_area_m2 * levels
        return CapacityEstimate(
            math.floor(gross / factor), "floor_area",
            {
                "footprint_m2": round(footprint_area_m2, 1), "levels": levels, "levels_source": levels_source,
                "floor_area_m2": round(gross, 1), "space_use": space, "m2_per_occupant": round(factor, 3),
                "source": "IBC 2021 Table 1004.5",
            },
        )
    area = DEFAULT_POINT_AREA_M2.get(kind, DEFAULT_POINT_AREA_FALLBACK_M2)
    return CapacityEstimate(
        math.floor(area / factor), "kind_default_area",
        {
            "assumed_floor_area_m2": area, "space_use": space, "m2_per_occupant": round(factor, 3),
            "source": "IBC 2021 Table 1004.5; floor area assumed for a point site",
        },
    )
