"""Vehicle speed profiles: how fast each vehicle type moves on each road class (docs/models/routing.md).

Kept apart from the graph code (no scipy here), so naming or checking a profile is cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from types import MappingProxyType

from bastion.kernel.errors import InvalidInput


@dataclass(frozen=True)
class RoadSpeedProfile:
    """How fast one vehicle type moves on each road class. Every field is an editable default.

    Drive profiles: speed = (class_speed_kph[highway] if set and (the edge has no tagged maxspeed or
    use_maxspeed is False) else the network's edge_speed_kph) * speed_factor, capped at max_speed_kph.
    Foot profiles (walking_speed_kph set): every allowed edge is walked at walking_speed_kph.
    """

    name: str
    speed_factor: float = 1.0  # multiplies the legal/default speed (1.0 = drive at the limit)
    max_speed_kph: float = 130.0  # cap after the factor, km/h
    class_speed_kph: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    use_maxspeed: bool = True  # trust tagged maxspeed over class_speed_kph
    walking_speed_kph: float | None = None  # set => foot profile: one speed on every allowed edge
    ignore_oneway: bool = False  # True => a one-way edge is also usable backwards
    excluded_highways: frozenset[str] = frozenset()  # classes this vehicle may not use

    def __post_init__(self) -> None:
        if not self.speed_factor > 0:
            raise InvalidInput(f"speed_factor must be > 0, got {self.speed_factor}; use 1.0 to drive at the limit")
        if not self.max_speed_kph > 0:
            raise InvalidInput(f"max_speed_kph must be > 0, got {self.max_speed_kph}")
        if self.walking_speed_kph is not None and not self.walking_speed_kph > 0:
            raise InvalidInput(f"walking_speed_kph must be > 0 or None, got {self.walking_speed_kph}")
        for cls, v in self.class_speed_kph.items():
            if not v > 0:
                raise InvalidInput(f"class_speed_kph[{cls!r}] must be > 0 km/h, got {v}")
        object.__setattr__(self, "class_speed_kph", MappingProxyType(dict(self.class_speed_kph)))


PATROL_CAR = RoadSpeedProfile(name="patrol_car")
MOTORCYCLE = RoadSpeedProfile(
    name="motorcycle",
    # Filtering through slow urban traffic: minor urban classes a little faster than a car's default.
    class_speed_kph={"residential": 35.0, "living_street": 15.0, "service": 25.0, "unclassified": 45.0},
)
FOOT = RoadSpeedProfile(
    name="foot",
    walking_speed_kph=5.0,  # 1.39 m/s, brisk walk of an equipped officer
    ignore_oneway=True,
    excluded_highways=frozenset({"motorway", "motorway_link", "trunk", "trunk_link"}),
)
PROFILES: Mapping[str, RoadSpeedProfile] = MappingProxyType(
    {p.name: p for p in (PATROL_CAR, MOTORCYCLE, FOOT)}
)
