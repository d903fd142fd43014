"""OSM tags -> (category, kind): the documented site taxonomy (docs/models/sites.md).

Rules are tried in order; the first match wins. Tags about people or beliefs (religion, denomination)
are never read: a place of worship is classified by amenity=place_of_worship alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CATEGORIES: dict[str, tuple[str, ...]] = {
    "transport": ("railway_station", "subway_station", "bus_station", "airport", "heliport", "ferry_terminal"),
    "retail": ("mall", "department_store", "marketplace", "supermarket"),
    "venue": (
        "stadium", "arena", "theatre", "cinema", "concert_hall", "casino", "exhibition_centre",
        "conference_centre", "nightclub", "events_venue", "arts_centre",
    ),
    "education": ("school", "university", "college", "kindergarten", "childcare"),
    "health": ("hospital", "clinic"),
    "worship": ("place_of_worship",),
    "government": ("townhall", "courthouse", "embassy", "ministry", "government_office", "police", "fire_station"),
    "tourism": ("attraction", "museum", "zoo", "theme_park", "aquarium"),
    "hotel": ("hotel",),
    "public_space": ("square", "pedestrian_zone"),
    "infrastructure": ("power_plant", "substation", "water_works", "wastewater_plant", "fuel_depot", "telecom"),
}

KIND_TO_CATEGORY: dict[str, str] = {k: c for c, kinds in CATEGORIES.items() for k in kinds}

# Keys whose presence makes an object a candidate (used by the importer to filter in C++ before Python).
CANDIDATE_KEYS: tuple[str, ...] = (
    "railway", "station", "public_transport", "amenity", "aeroway", "shop", "leisure", "tourism",
    "place", "power", "man_made", "industrial", "telecom", "office", "healthcare", "highway",
)

# Tags kept on a site. Everything else (and in particular religion/denomination) is dropped.
KEPT_TAG_PREFIXES: tuple[str, ...] = ("name", "addr:", "alt_name", "official_name", "short_name")
KEPT_TAGS: frozenset[str] = frozenset(
    {
        "amenity", "shop", "leisure", "tourism", "railway", "station", "public_transport", "aeroway",
        "place", "power", "man_made", "industrial", "telecom", "office", "government", "healthcare",
        "highway", "area", "building", "building:levels", "levels", "height", "capacity", "seats", "opening_hours",
        "operator", "website", "wikidata", "wikipedia", "start_date", "substation", "voltage",
        "plant:source", "theatre:type", "sport", "diplomatic", "barrier",
    }
)
FORBIDDEN_TAGS: frozenset[str] = frozenset({"religion", "denomination", "diocese", "deanery", "parish"})


@dataclass(frozen=True)
class Classification:
    category: str
    kind: str


def _is(tags: Mapping[str, str], key: str, *values: str) -> bool:
    return tags.get(key) in values


def _kind(tags: Mapping[str, str], *, is_area: bool, is_line: bool) -> str | None:  # noqa: C901 - a flat rule list
    amenity = tags.get("amenity")
    shop = tags.get("shop")
    leisure = tags.get("leisure")
    tourism = tags.get("tourism")
    # transport hubs
    if (
        _is(tags, "railway", "station", "halt")
        or _is(tags, "public_transport", "station")
        and tags.get("train") == "yes"
    ):
        if tags.get("station") in ("subway", "light_rail") or tags.get("subway") == "yes":
            return "subway_station"
        return "railway_station"
    if _is(tags, "station", "subway"):
        return "subway_station"
    if amenity == "bus_station" or (_is(tags, "public_transport", "station") and tags.get("bus") == "yes"):
        return "bus_station"
    if _is(tags, "aeroway", "aerodrome") and tags.get("aerodrome:type") != "private":
        return "airport"
    if _is(tags, "aeroway", "heliport"):
        return "heliport"
    if amenity == "ferry_terminal":
        return "ferry_terminal"
    # health, education, emergency and government before retail/venue: they are more specific
    if amenity == "hospital" or _is(tags, "healthcare", "hospital"):
        return "hospital"
    if amenity == "clinic" or _is(tags, "healthcare", "clinic"):
        return "clinic"
    if amenity in ("school", "university", "college", "kindergarten", "childcare"):
        return amenity
    if amenity == "police":
        return "police"
    if amenity == "fire_station":
        return "fire_station"
    if amenity == "townhall":
        return "townhall"
    if amenity == "courthouse":
        return "courthouse"
    if amenity == "embassy" or (_is(tags, "office", "diplomatic") and tags.get("diplomatic") in ("embassy", None)):
        return "embassy"
    if _is(tags, "office", "government"):
        return "ministry" if tags.get("government") == "ministry" else "government_office"
    if amenity == "place_of_worship":
        return "place_of_worship"
    # retail
    if shop == "mall":
        return "mall"
    if shop == "department_store":
        return "department_store"
    if amenity == "marketplace":
        return "marketplace"
    if shop == "supermarket":
        return "supermarket"
    # venues
    if leisure == "stadium":
        return "stadium"
    if leisure in ("sports_hall",) or amenity == "arena":
        return "arena"
    if amenity == "theatre":
        return "concert_hall" if tags.get("theatre:type") == "concert_hall" else "theatre"
    if amenity in ("concert_hall", "music_venue"):
        return "concert_hall"
    if amenity in ("cinema", "casino", "nightclub", "events_venue", "arts_centre"):
        return amenity
    if amenity in ("exhibition_centre", "conference_centre"):
        return amenity
    # tourism
    if tourism in ("museum", "zoo", "theme_park", "aquarium", "attraction"):
        return tourism
    if tourism == "hotel":
        return "hotel"
    # public space
    if _is(tags, "place", "square"):
        return "square"
    if _is(tags, "highway", "pedestrian") and (is_area or (is_line and "name" in tags)):
        return "pedestrian_zone"
    # critical infrastructure
    if _is(tags, "power", "plant"):
        return "power_plant"
    if _is(tags, "power", "substation") and tags.get("substation") not in ("minor_distribution",):
        return "substation"
    if _is(tags, "man_made", "water_works"):
        return "water_works"
    if _is(tags, "man_made", "wastewater_plant"):
        return "wastewater_plant"
    if tags.get("industrial") in ("fuel_depot", "oil") or (
        _is(tags, "man_made", "storage_tank") and tags.get("content") in ("fuel", "oil", "gas", "petroleum")
    ):
        return "fuel_depot"
    if tags.get("telecom") in ("exchange", "data_center") or _is(tags, "building", "data_center"):
        return "telecom"
    return None


def classify(tags: Mapping[str, str], *, is_area: bool = False, is_line: bool = False) -> Classification | None:
    """Classify an OSM object's tags; None when it is not a key target or crowded place."""
    kind = _kind(tags, is_area=is_area, is_line=is_line)
    if kind is None:
        return None
    return Classification(KIND_TO_CATEGORY[kind], kind)


def kept_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """The whitelisted subset of tags stored with a site (never religion, denomination or people)."""
    return {
        k: v
        for k, v in tags.items()
        if k not in FORBIDDEN_TAGS and (k in KEPT_TAGS or k.startswith(KEPT_TAG_PREFIXES))
    }
