"""Wire schemas for response units, coverage and placement."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from bastion.coverage.enums import DEFAULT_WEIGHT_BASIS
from bastion.coverage.enums import MAX_TIME_LIMIT_S
from bastion.coverage.enums import MIN_TIME_LIMIT_S
from bastion.coverage.enums import TIME_LIMIT_S
from bastion.coverage.enums import PlacementModel
from bastion.coverage.enums import WeightBasis
from bastion.units.enums import DEFAULT_STANDARD_S
from bastion.units.enums import UnitType
from bastion.units.schemas import Profile


class StandardRead(BaseModel):
    standard_s: int
    covered_sites: int
    share_sites: float
    covered_weight: float
    share_weight: float
    uncovered: list[int]


class SiteCoverageRead(BaseModel):
    site_id: int
    name: str | None
    category: str
    lon: float
    lat: float
    weight: float
    unit_id: int | None
    unit_name: str | None
    time_s: float | None


class FlaggedRead(BaseModel):
    site_id: int
    name: str | None
    distance_m: float


class CoverageRead(BaseModel):
    region_id: int
    region_name: str
    standard_s: int
    weight_basis: WeightBasis
    n_units: int
    units_unsnapped: list[str]
    total_weight: float
    by_standard: list[StandardRead]
    sites: list[SiteCoverageRead]
    flagged: list[FlaggedRead]


class PlacementRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    standard_s: int = Field(int(DEFAULT_STANDARD_S), ge=1, le=3600)
    add: int = Field(1, ge=0, le=200, description="new units (ignored by lscp)")
    model: PlacementModel = PlacementModel.MCLP
    backup: bool = False
    speed_profile: Profile = Profile.PATROL_CAR
    unit_type: UnitType | None = None
    candidates: list[tuple[float, float]] | None = Field(None, max_length=5000, description="[[lon, lat], ...]")
    time_limit_s: float = Field(TIME_LIMIT_S, ge=MIN_TIME_LIMIT_S, le=MAX_TIME_LIMIT_S,
                                description="solver time limit, s")
    apply: bool = False
    weight: WeightBasis = Field(
        DEFAULT_WEIGHT_BASIS,
        description="demand weight: sites (1 each), capacity (people) or risk (stored total risk)")


class ProposedRead(BaseModel):
    lon: float
    lat: float
    road_node_osm_id: int
    gain_weight: float = Field(0.0, description="demand weight this unit adds, after the units listed before it")
    gain_sites: int = Field(0, description="sites this unit brings within the standard, after those before it")


class PlacementRead(BaseModel):
    region_id: int
    model: str
    standard_s: int
    status: str
    objective: float
    bound: float
    gap: float
    runtime_s: float
    solver: str
    n_demand: int
    n_candidates: int
    n_fixed: int
    before_weight: float
    after_weight: float
    total_weight: float
    before_sites: int
    after_sites: int
    n_sites: int
    proposed: list[ProposedRead]
    unreachable_sites: list[int]
    applied_unit_ids: list[int]
    weight_basis: WeightBasis


class WhatIfAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    speed_profile: Profile = Profile.PATROL_CAR
    name: str = Field("Proposed unit", min_length=1, max_length=200)


class WhatIfMove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_id: int
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class WhatIfRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    add: list[WhatIfAdd] = Field(default_factory=list, max_length=200)
    move: list[WhatIfMove] = Field(default_factory=list, max_length=200)
    remove: list[int] = Field(default_factory=list, max_length=200)


class WhatIfRead(BaseModel):
    before: list[StandardRead]
    after: list[StandardRead]
    n_units_before: int
    n_units_after: int
