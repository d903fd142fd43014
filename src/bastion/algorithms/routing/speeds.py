"""Drivable highway classes, default speeds and maxspeed parsing (docs/models/routing.md).

Default speeds are modelling assumptions for urban free flow (km/h), editable; a parseable maxspeed tag wins.
"""

from __future__ import annotations

import re

DEFAULT_SPEED_KPH: dict[str, float] = {
    "motorway": 110.0, "trunk": 90.0, "primary": 60.0, "secondary": 50.0, "tertiary": 50.0,
    "unclassified": 40.0, "residential": 30.0, "living_street": 10.0, "service": 20.0, "road": 40.0,
    "motorway_link": 60.0, "trunk_link": 50.0, "primary_link": 40.0, "secondary_link": 40.0,
    "tertiary_link": 30.0,
}
DRIVABLE_HIGHWAYS: frozenset[str] = frozenset(DEFAULT_SPEED_KPH)

# Implicit national limits written as "CC:zone" (OSM wiki "Default speed limits"); generic by zone name.
ZONE_SPEED_KPH: dict[str, float] = {
    "urban": 50.0, "rural": 90.0, "motorway": 120.0, "trunk": 110.0, "living_street": 20.0,
    "walk": 7.0, "pedestrian_zone": 7.0, "bicycle_road": 30.0, "school": 30.0,
}
_NUM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$")
_ZONE_NUM = re.compile(r"^[A-Z]{2}:zone:?(\d+)$")


def parse_maxspeed(value: str | None) -> float | None:
    """A maxspeed tag in km/h, or None when absent, 'none', 'signals', 'variable' or not understood."""
    if not value:
        return None
    v = value.split(";")[0].strip()
    m = _NUM.match(v)
    if m:
        speed = float(m.group(1))
        unit = m.group(2)
        if unit == "mph":
            speed *= 1.609344
        elif unit == "knots":
            speed *= 1.852
        return speed if 0 < speed <= 200 else None
    if v == "walk":
        return ZONE_SPEED_KPH["walk"]
    m2 = _ZONE_NUM.match(v)
    if m2:
        return float(m2.group(1))
    if ":" in v:
        zone = v.split(":", 1)[1]
        return ZONE_SPEED_KPH.get(zone)
    return None


def oneway_direction(tags: dict[str, str]) -> int:
    """+1 one-way along the way, -1 one-way against it, 0 both ways."""
    ow = tags.get("oneway")
    if ow in ("yes", "true", "1"):
        return 1
    if ow in ("-1", "reverse"):
        return -1
    if ow in ("no", "false", "0"):
        return 0
    if tags.get("junction") in ("roundabout", "circular") or tags.get("highway") in ("motorway",):
        return 1
    return 0


def is_drivable(tags: dict[str, str]) -> bool:
    """Public drivable road for motor vehicles (access=no / motor_vehicle=no excluded; private kept)."""
    if tags.get("highway") not in DRIVABLE_HIGHWAYS:
        return False
    if tags.get("area") == "yes":
        return False
    for key in ("motor_vehicle", "motorcar", "vehicle", "access"):
        val = tags.get(key)
        if val is not None:
            return val != "no"
    return True
