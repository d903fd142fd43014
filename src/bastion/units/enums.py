"""Response unit vocabularies: the one source for schemas, CLI options, services and GET /api/v1/meta."""

from __future__ import annotations

from enum import IntEnum
from enum import StrEnum


class UnitType(StrEnum):
    """What a response unit is (a team or a base, never a person)."""

    POST = "post"  # fixed post at a hub or key target
    FOOT_POST = "foot_post"
    PATROL_CAR = "patrol_car"
    MOTORCYCLE = "motorcycle"
    POLICE_STATION = "police_station"
    SPECIAL_UNIT = "special_unit"
    FIRE_ENGINE = "fire_engine"
    FIRE_STATION = "fire_station"


class SpeedProfileName(StrEnum):
    """The routing speed profile a unit travels with (bastion.algorithms.routing.PROFILES defines each one)."""

    PATROL_CAR = "patrol_car"
    MOTORCYCLE = "motorcycle"
    FOOT = "foot"


class ResponseStandard(IntEnum):
    """Response-time standards, seconds: the 1/3/5-minute rings."""

    ONE_MINUTE = 60
    THREE_MINUTES = 180
    FIVE_MINUTES = 300


DEFAULT_STANDARD_S = ResponseStandard.THREE_MINUTES

# type -> (default speed profile, default standard)
UNIT_DEFAULTS: dict[UnitType, tuple[SpeedProfileName, ResponseStandard]] = {
    UnitType.POST: (SpeedProfileName.FOOT, ResponseStandard.ONE_MINUTE),  # on-site, 1 minute
    UnitType.FOOT_POST: (SpeedProfileName.FOOT, ResponseStandard.ONE_MINUTE),
    UnitType.PATROL_CAR: (SpeedProfileName.PATROL_CAR, ResponseStandard.THREE_MINUTES),
    UnitType.MOTORCYCLE: (SpeedProfileName.MOTORCYCLE, ResponseStandard.THREE_MINUTES),
    UnitType.POLICE_STATION: (SpeedProfileName.PATROL_CAR, ResponseStandard.FIVE_MINUTES),
    UnitType.SPECIAL_UNIT: (SpeedProfileName.PATROL_CAR, ResponseStandard.FIVE_MINUTES),
    UnitType.FIRE_ENGINE: (SpeedProfileName.PATROL_CAR, ResponseStandard.FIVE_MINUTES),
    UnitType.FIRE_STATION: (SpeedProfileName.PATROL_CAR, ResponseStandard.FIVE_MINUTES),
}
