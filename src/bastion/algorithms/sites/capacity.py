"""Capacity (people) of a site, estimated as a fire engineer would: the figure published for the place first,
else the occupants of its buildings' floor area, else the crowd its open area holds.

Occupant-load factors are from the International Building Code 2021, Table 1004.5 "Maximum floor area
allowances per occupant" (converted from ft² to m², 1 ft² = 0.09290304 m²), the table life-safety
engineers use to size exits. Floor area comes from buildings (footprint × ``building:levels``, else a
documented default), never from the grounds around them: a school, campus, hospital, zoo or theme-park
polygon is land, not floor. Open crowded places use a crowd density for ordinary peak use (the event
density is kept as a scenario value); stadiums and arenas use their seats, else the stands' geometry.
Every estimate carries its method, inputs and a band (low / central / high). Every value below is an
editable default; docs/models/sites.md lists them with their sources. A user override always wins (applied by
the service, not here).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

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
    "exercise_room": sqft_to_m2(50),  # exercise rooms, gross (an arena's court in use)
}
# Share of a building's gross floor area that is the space use's net area (assumption). Classroom and day-care
# factors are *net* (teaching rooms only); a school's gross floor also holds corridors, halls, gyms, dining,
# offices and plant. A 55 m² classroom for 30 pupils is 1.8 m²/pupil (the IBC factor), and a secondary school
# is built at about 7-9 m² gross per pupil (UK DfE BB103 area guidelines): 1.86 / 8.5 ≈ 0.22.
NET_SHARE: dict[str, tuple[float, float, float]] = {  # (low, central, high)
    "classroom": (0.12, 0.22, 0.30),
    "day_care": (0.30, 0.45, 0.60),
}

# Open crowded places (not in the building code): people per m² of usable area.
# Ordinary peak use: Fruin's walkway levels of service (Pedestrian Planning and Design, 1971): LOS B/C ~0.25,
# LOS C/D boundary ~0.5 (a busy square or shopping street, people still walk freely), LOS D/E ~1.0.
OPEN_SPACE_P_PER_M2: tuple[float, float, float] = (0.25, 0.5, 1.0)
# Event scenario (a concert, fan zone or celebration): 2 persons/m², the planning density for a standing
# audience in the UK event safety guidance (HSE HSG195 / the Purple Guide: 0.5 m² per person); the Guide to
# Safety at Sports Grounds (Green Guide, 6th ed., 2018) caps terraces at 4.7 persons/m².
EVENT_P_PER_M2 = 2.0
OPEN_SPACE_M2_PER_PERSON = 1 / OPEN_SPACE_P_PER_M2[1]  # 2 m² per person, the ordinary-peak central value
PEDESTRIAN_STREET_WIDTH_M = 8.0  # assumption: width of a linear pedestrian street without a footprint
# Theme parks and zoos, outdoor part (people per m² of grounds outside buildings, assumption): a large theme
# park closes its gates at about 0.23 person/m² of park (e.g. ~100,000 visitors on ~43 ha); ordinary peak
# days run well below that and mountain or wooded parks hold much land nobody stands on.
PARK_P_PER_M2: tuple[float, float, float] = (0.02, 0.05, 0.23)
# Stadiums and arenas without a capacity/seats tag: seats on the stands. Green Guide seat rows 0.7-0.8 m deep,
# seats 0.46-0.5 m wide (~0.4 m²/seat); with gangways and vomitories about 0.5 m²/seat on plan = 2 seats/m²
# of seating deck. Half of the land outside the pitch is assumed to be seating deck (the rest: track or
# run-off, concourses, stairs, circulation).
SEATS_PER_M2_DECK = 2.0
STAND_SHARE_OUTSIDE_PITCH = 0.5
PITCH_SHARE_UNMAPPED = 0.35  # share of a stadium polygon assumed to be pitch when no pitch is mapped inside
ARENA_COURT_M2 = 44 * 24  # a 40 × 20 m handball/futsal court with 2 m run-off (IHF rules)
STADIUM_POINT_SEATS = 5000  # a stadium mapped as a point (assumption, low confidence)

KIND_SPACE: dict[str, str] = {
    "railway_station": "airport_concourse",
    "subway_station": "airport_concourse",
    "bus_station": "airport_concourse",
    "airport": "airport_concourse",
    "heliport": "airport_concourse",
    "ferry_terminal": "airport_concourse",
    "mall": "mercantile",
    "department_store": "mercantile",
    "marketplace": "mercantile",
    "supermarket": "mercantile",
    "stadium": "assembly_standing",
    "arena": "assembly_chairs",
    "theatre": "assembly_chairs",
    "cinema": "assembly_chairs",
    "concert_hall": "assembly_chairs",
    "casino": "gaming_floor",
    "exhibition_centre": "exhibit_gallery",
    "conference_centre": "assembly_chairs",
    "nightclub": "assembly_standing",
    "events_venue": "assembly_tables",
    "arts_centre": "assembly_tables",
    "school": "classroom",
    "university": "classroom",
    "college": "classroom",
    "kindergarten": "day_care",
    "childcare": "day_care",
    "hospital": "inpatient",
    "clinic": "outpatient",
    "place_of_worship": "assembly_chairs",
    "townhall": "business",
    "courthouse": "business",
    "embassy": "business",
    "ministry": "business",
    "government_office": "business",
    "police": "business",
    "fire_station": "business",
    "attraction": "exhibit_gallery",
    "museum": "exhibit_gallery",
    "zoo": "exhibit_gallery",
    "theme_park": "exhibit_gallery",
    "aquarium": "exhibit_gallery",
    "hotel": "residential",
    "power_plant": "industrial",
    "substation": "industrial",
    "water_works": "industrial",
    "wastewater_plant": "industrial",
    "fuel_depot": "industrial",
    "telecom": "industrial",
}
# Kinds whose OSM polygon is usually the grounds (land), not a building: floor area comes from the buildings
# inside. Without buildings mapped inside, a documented default floor area for the kind is used.
GROUNDS_KINDS: frozenset[str] = frozenset(
    {
        "school",
        "university",
        "college",
        "kindergarten",
        "childcare",
        "hospital",
        "clinic",
        "zoo",
        "theme_park",
        "power_plant",
        "water_works",
        "wastewater_plant",
        "fuel_depot",
        "airport",
        "heliport",
    }
)
OPEN_KINDS: frozenset[str] = frozenset({"square", "pedestrian_zone"})
PARK_KINDS: frozenset[str] = frozenset({"zoo", "theme_park"})
SEATED_KINDS: frozenset[str] = frozenset({"stadium", "arena"})

# Storeys assumed when building:levels is absent (assumption, per kind; default 1).
DEFAULT_LEVELS: dict[str, int] = {
    "mall": 2,
    "department_store": 3,
    "hospital": 3,
    "hotel": 4,
    "school": 2,
    "university": 3,
    "college": 3,
    "ministry": 3,
    "government_office": 3,
    "townhall": 2,
    "courthouse": 2,
    "embassy": 2,
}
# Storeys assumed for a building inside grounds when building:levels is absent, by its `building` value
# (assumption); other values use the site kind's default above.
BUILDING_TYPE_LEVELS: dict[str, int] = {
    "school": 2,
    "college": 2,
    "university": 3,
    "kindergarten": 1,
    "hospital": 3,
    "dormitory": 3,
    "apartments": 4,
    "residential": 3,
    "office": 3,
    "commercial": 2,
    "retail": 1,
    "sports_hall": 1,
    "sports_centre": 1,
    "grandstand": 1,
    "stadium": 1,
    "church": 1,
    "chapel": 1,
    "house": 2,
    "hotel": 4,
    "industrial": 1,
    "warehouse": 1,
    "train_station": 1,
    "transportation": 1,
    "pavilion": 1,
    "kiosk": 1,
}
# Structures with no occupied floor (never counted as floor area).
UNOCCUPIED_BUILDINGS: frozenset[str] = frozenset(
    {
        "roof",
        "carport",
        "shed",
        "garage",
        "garages",
        "hut",
        "ruins",
        "construction",
        "no",
        "greenhouse",
        "transformer_tower",
        "service",
        "storage_tank",
        "silo",
        "bunker",
        "toilets",
        "bridge",
        "container",
    }
)
# Floor area assumed for a site mapped only as a point, or grounds with no building mapped (assumption, m²).
DEFAULT_POINT_AREA_M2: dict[str, float] = {
    "railway_station": 2000,
    "subway_station": 1000,
    "bus_station": 500,
    "airport": 20000,
    "heliport": 500,
    "ferry_terminal": 1000,
    "mall": 10000,
    "department_store": 5000,
    "marketplace": 1000,
    "supermarket": 1000,
    "stadium": 10000,
    "arena": 3000,
    "theatre": 800,
    "cinema": 1000,
    "concert_hall": 1000,
    "casino": 2000,
    "exhibition_centre": 5000,
    "conference_centre": 2000,
    "nightclub": 300,
    "events_venue": 500,
    "arts_centre": 500,
    "school": 3000,
    "university": 5000,
    "college": 3000,
    "kindergarten": 400,
    "childcare": 300,
    "hospital": 10000,
    "clinic": 300,
    "place_of_worship": 300,
    "townhall": 1000,
    "courthouse": 1000,
    "embassy": 500,
    "ministry": 2000,
    "government_office": 1000,
    "police": 500,
    "fire_station": 500,
    "attraction": 1000,
    "museum": 1000,
    "zoo": 20000,
    "theme_park": 20000,
    "aquarium": 3000,
    "hotel": 2000,
    "square": 1000,
    "pedestrian_zone": 2000,
}
DEFAULT_POINT_AREA_FALLBACK_M2 = 500.0
# Band (low, high) as multiples of the central floor-area estimate: ordinary use fills about half the design
# occupant load; unknown storeys widen the top; a default area for a point is a guess within ÷4 to ×2.
BAND_FLOOR_TAGGED = (0.5, 1.25)
BAND_FLOOR_DEFAULT_LEVELS = (0.5, 1.5)
BAND_KIND_DEFAULT = (0.25, 2.0)
BAND_STANDS = (0.5, 1.5)

_INT = re.compile(r"^\s*(\d{1,7})\s*$")
_LEVELS = re.compile(r"^\s*(\d{1,3})(?:\.\d+)?\s*$")


@dataclass(frozen=True)
class CapacityEstimate:
    capacity: int | None  # people (central)
    method: str  # see docs/models/sites.md: osm_tag, floor_area, buildings_floor_area, open_area, ...
    inputs: dict[str, float | int | str] = field(default_factory=dict)
    low: int | None = None  # band, people (None: same as capacity)
    high: int | None = None

    @property
    def band(self) -> tuple[int | None, int | None]:
        return (self.capacity if self.low is None else self.low, self.capacity if self.high is None else self.high)


@dataclass(frozen=True)
class Building:
    """A building footprint inside a site's grounds."""

    footprint_m2: float
    levels_tag: str | None = None
    building: str = "yes"  # the OSM building=* value


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


def _occupants(
    kind: str, floor_m2: float, band: tuple[float, float]
) -> tuple[float, float, float, dict[str, float | int | str]]:
    """(low, central, high) occupants of a gross floor area for a kind's space use, and the inputs used."""
    space = KIND_SPACE[kind]
    factor = IBC_M2_PER_OCCUPANT[space]
    lo_s, share, hi_s = NET_SHARE.get(space, (1.0, 1.0, 1.0))
    central = floor_m2 * share / factor
    low = min(central * band[0], floor_m2 * lo_s / factor)
    high = max(central * band[1], floor_m2 * hi_s / factor)
    inputs: dict[str, float | int | str] = {
        "floor_area_m2": round(floor_m2, 1),
        "space_use": space,
        "m2_per_occupant": round(factor, 3),
        "source": "IBC 2021 Table 1004.5",
    }
    if share != 1.0:
        inputs["net_share"] = share
    return low, central, high, inputs


def _estimate(
    low: float, central: float, high: float, method: str, inputs: dict[str, float | int | str]
) -> CapacityEstimate:
    return CapacityEstimate(math.floor(central), method, inputs, math.floor(low), math.ceil(high))


def _open_area(kind: str, area_m2: float | None, line_length_m: float | None) -> CapacityEstimate | None:
    lo, mid, hi = OPEN_SPACE_P_PER_M2
    if area_m2 and area_m2 > 0:
        inputs: dict[str, float | int | str] = {"area_m2": round(area_m2, 1)}
        method, usable = "open_area", area_m2
    elif line_length_m and line_length_m > 0:
        usable = line_length_m * PEDESTRIAN_STREET_WIDTH_M
        inputs = {"length_m": round(line_length_m, 1), "assumed_width_m": PEDESTRIAN_STREET_WIDTH_M}
        method = "linear_area"
    else:
        return None
    inputs.update(
        {
            "p_per_m2": mid,
            "m2_per_person": round(1 / mid, 3),
            "band_p_per_m2": f"{lo}-{hi}",
            "event_p_per_m2": EVENT_P_PER_M2,
            "event_capacity": math.floor(usable * EVENT_P_PER_M2),
            "source": "Fruin walkway levels of service (ordinary peak); HSG195 / Purple Guide (event)",
        }
    )
    return _estimate(usable * lo, usable * mid, usable * hi, method, inputs)


def _buildings_floor(kind: str, buildings: Sequence[Building]) -> tuple[float, float, int, int]:
    """Gross floor area of occupied buildings, their footprint, the count and how many had levels tagged."""
    floor = foot = 0.0
    n = tagged = 0
    for b in buildings:
        if b.building in UNOCCUPIED_BUILDINGS or b.footprint_m2 <= 0:
            continue
        levels = parse_levels(b.levels_tag)
        if levels is not None:
            tagged += 1
        else:
            levels = BUILDING_TYPE_LEVELS.get(b.building, DEFAULT_LEVELS.get(kind, 1))
        floor += b.footprint_m2 * levels
        foot += b.footprint_m2
        n += 1
    return floor, foot, n, tagged


def _seated(kind: str, footprint_m2: float | None, pitch_area_m2: float | None) -> CapacityEstimate:
    if not footprint_m2 or footprint_m2 <= 0:
        if kind == "stadium":
            return _estimate(
                STADIUM_POINT_SEATS * BAND_KIND_DEFAULT[0],
                STADIUM_POINT_SEATS,
                STADIUM_POINT_SEATS * BAND_KIND_DEFAULT[1],
                "kind_default_seats",
                {"assumed_seats": STADIUM_POINT_SEATS},
            )
        footprint_m2 = DEFAULT_POINT_AREA_M2["arena"]
        method = "kind_default_seats"
    else:
        method = "stands_geometry"
    inputs: dict[str, float | int | str] = {"area_m2": round(footprint_m2, 1)}
    if kind == "stadium":
        if pitch_area_m2 and pitch_area_m2 > 0:
            pitch, inputs["pitch_m2"] = pitch_area_m2, round(pitch_area_m2, 1)
        else:
            pitch = footprint_m2 * PITCH_SHARE_UNMAPPED
            inputs["pitch_m2_assumed"] = round(pitch, 1)
    else:
        pitch = min(float(ARENA_COURT_M2), footprint_m2)
        inputs["court_m2_assumed"] = float(ARENA_COURT_M2)
    deck = max(0.0, footprint_m2 - pitch) * STAND_SHARE_OUTSIDE_PITCH
    inputs.update(
        {
            "stand_share": STAND_SHARE_OUTSIDE_PITCH,
            "deck_m2": round(deck, 1),
            "seats_per_m2": SEATS_PER_M2_DECK,
            "source": "Green Guide (6th ed.) seating dimensions",
        }
    )
    band = BAND_STANDS if method == "stands_geometry" else BAND_KIND_DEFAULT
    seats = deck * SEATS_PER_M2_DECK
    if kind == "arena":  # people using the court (a sports hall with no stands still holds a class or a club)
        users = pitch / IBC_M2_PER_OCCUPANT["exercise_room"]
        inputs.update(
            {"court_users": math.floor(users), "court_m2_per_occupant": round(IBC_M2_PER_OCCUPANT["exercise_room"], 3)}
        )
        seats += users
    return _estimate(seats * band[0], seats, seats * band[1], method, inputs)


def _park(kind: str, area_m2: float, buildings: Sequence[Building]) -> CapacityEstimate:
    floor, foot, n, tagged = _buildings_floor(kind, buildings)
    ilo, imid, ihi, inputs = _occupants(kind, floor, BAND_FLOOR_TAGGED if n == tagged else BAND_FLOOR_DEFAULT_LEVELS)
    outdoor = max(0.0, area_m2 - foot)
    plo, pmid, phi = PARK_P_PER_M2
    inputs.update(
        {
            "grounds_m2": round(area_m2, 1),
            "buildings": n,
            "buildings_footprint_m2": round(foot, 1),
            "outdoor_m2": round(outdoor, 1),
            "outdoor_p_per_m2": pmid,
            "band_outdoor_p_per_m2": f"{plo}-{phi}",
            "indoor": math.floor(imid),
            "outdoor": math.floor(outdoor * pmid),
            "source": "IBC 2021 Table 1004.5 (buildings); park density assumption (outdoor)",
        }
    )
    return _estimate(ilo + outdoor * plo, imid + outdoor * pmid, ihi + outdoor * phi, "grounds_buildings_open", inputs)


def estimate_capacity(
    kind: str,
    *,
    capacity_tag: str | None,
    footprint_area_m2: float | None,
    levels_tag: str | None,
    line_length_m: float | None = None,
    seats_tag: str | None = None,
    is_building: bool = True,
    buildings: Sequence[Building] | None = None,
    pitch_area_m2: float | None = None,
) -> CapacityEstimate:
    """Estimate a site's capacity in people, recording the method, every input used and a band.

    ``is_building`` says the footprint is a building (its area is floor area per level); when False (OSM
    grounds: a polygon without a ``building`` tag) and ``buildings`` lists the buildings inside, grounds
    kinds take their floor area from those buildings.
    """
    tagged = parse_capacity_tag(capacity_tag)
    if tagged is not None:
        return CapacityEstimate(tagged, "osm_tag", {"capacity_tag": capacity_tag or ""}, tagged, tagged)
    seats = parse_capacity_tag(seats_tag)
    if seats is not None:
        return CapacityEstimate(seats, "osm_tag", {"seats_tag": seats_tag or ""}, seats, seats)
    if kind in OPEN_KINDS:
        est = _open_area(kind, footprint_area_m2, line_length_m)
        if est is not None:
            return est
    if kind in SEATED_KINDS:
        return _seated(kind, footprint_area_m2, pitch_area_m2)
    space = KIND_SPACE.get(kind)
    if space is None:
        return CapacityEstimate(None, "none", {"reason": f"no occupant-load factor for kind {kind!r}"})
    has_area = bool(footprint_area_m2 and footprint_area_m2 > 0)
    grounds = has_area and not is_building and kind in GROUNDS_KINDS
    if grounds and kind in PARK_KINDS:
        return _park(kind, float(footprint_area_m2 or 0.0), buildings or ())
    if grounds and buildings:
        floor, foot, n, n_tagged = _buildings_floor(kind, buildings)
        if n:
            band = BAND_FLOOR_TAGGED if n == n_tagged else BAND_FLOOR_DEFAULT_LEVELS
            lo, mid, hi, inputs = _occupants(kind, floor, band)
            inputs.update(
                {
                    "grounds_m2": round(float(footprint_area_m2 or 0.0), 1),
                    "buildings": n,
                    "buildings_levels_tagged": n_tagged,
                    "buildings_footprint_m2": round(foot, 1),
                }
            )
            return _estimate(lo, mid, hi, "buildings_floor_area", inputs)
    if has_area and not grounds:
        area = float(footprint_area_m2 or 0.0)
        levels = parse_levels(levels_tag)
        levels_source = "building:levels"
        if levels is None:
            levels = DEFAULT_LEVELS.get(kind, 1)
            levels_source = "kind_default"
        lo, mid, hi, inputs = _occupants(
            kind, area * levels, BAND_FLOOR_TAGGED if levels_source == "building:levels" else BAND_FLOOR_DEFAULT_LEVELS
        )
        inputs = {"footprint_m2": round(area, 1), "levels": levels, "levels_source": levels_source, **inputs}
        return _estimate(lo, mid, hi, "floor_area", inputs)
    area = DEFAULT_POINT_AREA_M2.get(kind, DEFAULT_POINT_AREA_FALLBACK_M2)
    if grounds:  # no building mapped inside: the default, but never more floor than the grounds could hold
        area = min(area, float(footprint_area_m2 or 0.0) * DEFAULT_LEVELS.get(kind, 1))
    lo, mid, hi, inputs = _occupants(kind, area, BAND_KIND_DEFAULT)
    inputs = {
        "assumed_floor_area_m2": area,
        **inputs,
        "source": "IBC 2021 Table 1004.5; floor area assumed for a point site or grounds with no building mapped",
    }
    if grounds:
        inputs["grounds_m2"] = round(float(footprint_area_m2 or 0.0), 1)
    return _estimate(lo, mid, hi, "kind_default_area", inputs)


def open_space_capacity(area_m2: float, *, p_per_m2: float = OPEN_SPACE_P_PER_M2[1]) -> int:
    """People an open area holds at a density (ordinary peak by default; pass EVENT_P_PER_M2 for an event)."""
    return math.floor(area_m2 * p_per_m2)
