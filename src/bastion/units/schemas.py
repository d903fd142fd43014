"""Wire schemas for response units, coverage and placement."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from bastion.kernel.pagination import Page
from bastion.units.enums import ResponseStandard
from bastion.units.enums import SpeedProfileName
from bastion.units.enums import UnitType

Profile = SpeedProfileName  # the schemas' short name for the speed profile vocabulary


Interval = tuple[int, int]


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_type: UnitType
    name: str = Field(min_length=1, max_length=200, description="A team, e.g. 'Patrol car 3', never a person")
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    standard_s: ResponseStandard | None = Field(None, description="response-time standard, s; default by unit type")
    speed_profile: Profile | None = None
    availability: list[Interval] | None = Field(
        None, description="weekly [start, end] minutes from Monday 00:00 (end <= 10080); null = 24/7")


class UnitUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_type: UnitType | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    standard_s: ResponseStandard | None = None
    speed_profile: Profile | None = None
    availability: list[Interval] | None = None
    version: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                description="the version you read (the same as If-Match; a stale one gets 409)")


class UnitRead(BaseModel):
    id: int
    region_id: int
    version: int = Field(default=1, description="the unit's version: send it back in If-Match to edit it")
    unit_type: UnitType
    name: str
    lon: float
    lat: float
    snap_osm_node: int | None
    snap_distance_m: float | None
    availability: list[list[int]] | None
    standard_s: int = Field(description="response-time standard, s (one of ResponseStandard)")
    speed_profile: SpeedProfileName
    source: str
    source_ref: str | None
    updated_at: dt.datetime


UnitList = Page[UnitRead]
