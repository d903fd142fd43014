"""Grade separation of a road from its OSM tags: can a vehicle on it touch a ground-level perimeter?

A road in a tunnel, on a bridge, under a cover or on another ``layer`` passes under or over what lies
beside it in plan: a vehicle on it cannot leave the road there. Only at the ends of such a road, where
it meets a ground-level road (a tunnel portal, a bridge abutment), is the vehicle back at ground level.
Protected perimeters are taken to be at ground level (layer 0).

Tag rules (first that applies; https://wiki.openstreetmap.org/wiki/Key:tunnel, Key:bridge, Key:covered,
Key:layer, Key:location):
    tunnel=building_passage|avalanche_protector  -> covered  (a passage under a building or a gallery)
    tunnel=* other than no|culvert               -> tunnel   (tunnel=culvert: water passes under the road)
    location=underground                         -> tunnel
    bridge=* other than no                       -> bridge
    covered=* other than no                      -> covered
    layer < 0                                    -> below    (a cutting or underpass without a tunnel tag)
    layer > 0                                    -> above    (an elevated road without a bridge tag)
    otherwise                                    -> ground
"""

from __future__ import annotations

from collections.abc import Mapping

GROUND = "ground"
ROAD_GRADES = (GROUND, "tunnel", "bridge", "covered", "below", "above")
GRADE_TAGS = ("tunnel", "bridge", "covered", "layer", "location")
_NO = frozenset({"no", "false", "0"})
_COVERED_TUNNELS = frozenset({"building_passage", "avalanche_protector"})


def parse_layer(value: str | None) -> int:
    """OSM layer as an integer (0 when missing or unreadable; the first of ``-1;0`` style lists)."""
    if not value:
        return 0
    head = value.split(";")[0].strip()
    try:
        return int(float(head))
    except ValueError:
        return 0


def road_grade(tags: Mapping[str, str]) -> str:
    """The grade of a road way from its tags: one of ROAD_GRADES (see the module doc for the rules)."""
    tunnel = tags.get("tunnel", "").strip().lower()
    if tunnel and tunnel not in _NO and tunnel != "culvert":
        return "covered" if tunnel in _COVERED_TUNNELS else "tunnel"
    if tags.get("location", "").strip().lower() == "underground":
        return "tunnel"
    bridge = tags.get("bridge", "").strip().lower()
    if bridge and bridge not in _NO:
        return "bridge"
    covered = tags.get("covered", "").strip().lower()
    if covered and covered not in _NO:
        return "covered"
    layer = parse_layer(tags.get("layer"))
    if layer < 0:
        return "below"
    if layer > 0:
        return "above"
    return GROUND
