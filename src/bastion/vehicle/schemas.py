"""Wire schemas for hostile-vehicle assessments."""

from __future__ import annotations

import datetime as dt
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from bastion.vehicle.enums import VehicleClassKey

VehicleKey = VehicleClassKey  # the schemas' short name for the vehicle class vocabulary


class VehicleAssessmentRun(BaseModel):
    """Run an assessment. Omitted fields take the documented defaults (docs/models/vehicle.md)."""

    model_config = ConfigDict(extra="forbid")

    vehicles: list[VehicleKey] = Field(default=list(VehicleClassKey), min_length=1,
                                       max_length=len(VehicleClassKey), description="vehicle classes to assess")
    wrong_way: bool = Field(default=False, description="ignore one-way rules (an attacker may drive the wrong way)")
    site_ids: list[int] | None = Field(default=None, min_length=1, max_length=100_000,
                                       description="only these sites of the region (default: every current site)")
    max_distance_m: float = Field(default=300.0, ge=20, le=2000, description="run-up searched before the perimeter, m")
    friction: float = Field(default=0.6, ge=0.1, le=2.0, description="side friction on bends, central")
    friction_low: float = Field(default=0.5, ge=0.1, le=2.0)
    friction_high: float = Field(default=1.0, ge=0.1, le=2.0)
    standoff_m: float = Field(default=1.0, ge=0, le=100, description="room behind the barrier line, m")


class WorstApproach(BaseModel):
    site_id: int
    site_name: str | None
    vehicle: str
    speed_kph: float
    required: str = Field(description="ISO 22343-1 need of the fastest approach")
    status: str


class VehicleAssessmentReport(BaseModel):
    region_id: int
    region_name: str
    vehicles: list[str]
    wrong_way: bool
    sites_assessed: int
    sites_reached: int
    entry_points: int
    gaps: int
    inserted: int
    replaced: int
    unchanged: int
    rows_changed: int
    compute_s: float
    write_s: float
    worst: list[WorstApproach]


class RatingNeedRead(BaseModel):
    standard: str
    vehicle_class: str
    test_mass_kg: float
    test_speed_kph: float | None = Field(description="null: above every tested speed (no certified rating covers it)")
    max_penetration_m: float
    label: str
    coverable: bool


class BarrierCheckRead(BaseModel):
    key: str
    kind: str
    rated: bool
    standard: str | None
    rating: str | None = Field(description="certified rating, verbatim")
    need: str | None = Field(description="the need it was compared with, under its own standard")
    satisfied: bool
    reason: str


class SpeedBand(BaseModel):
    low: float
    central: float
    high: float


class LonLat(BaseModel):
    lon: float
    lat: float


class LimitingBend(BaseModel):
    radius_m: float
    lon: float | None
    lat: float | None


class TimingRead(BaseModel):
    detection_distance_m: float
    delay_s: float
    required_s: float
    margin_s: float
    ok: bool


class ApproachRead(BaseModel):
    rank: int = Field(description="0 = fastest")
    entry: LonLat
    way_id: int
    wrong_way: bool
    impact_speed_kph: float
    impact_speed_band_kph: SpeedBand
    kinetic_energy_kj: float
    run_up_m: float
    path_length_m: float
    limited_by: str
    limiting_bend: LimitingBend | None
    needs: list[RatingNeedRead]
    barriers: list[BarrierCheckRead]
    status: Literal["protected", "gap", "not_coverable"]
    active_barrier_min_detection_m: float | None = Field(
        description="active barrier: detect the vehicle at least this far out (guard 3 s + deploy 2 s); null: "
        "even the whole run-up is too short")
    path: dict[str, Any] = Field(description="GeoJSON LineString, start .. perimeter")
    timing: TimingRead | None = None


class AssessmentRead(BaseModel):
    vehicle: str
    wrong_way: bool
    status: str
    entry_points: int
    worst_speed_kph: float | None
    gaps: int
    computed_at: dt.datetime
    parameters: dict[str, Any]
    approaches: list[ApproachRead]


class SiteVehicleRead(BaseModel):
    site_id: int
    site_name: str | None
    region_id: int
    assessed: bool
    assessments: list[AssessmentRead]
    barrier_note: str


class VehicleTasksCreate(BaseModel):
    """Turn a site's unmet vehicle requirements into rectification tasks."""

    model_config = ConfigDict(extra="forbid")

    owner_agency: str | None = Field(default=None, min_length=1, max_length=200,
                                     description="agency that must rectify (default: the site's operator agency)")
    deadline_days: int = Field(default=30, ge=1, le=3650, description="days until the deadline")


class VehicleTasksRead(BaseModel):
    site_id: int
    gaps: int = Field(description="unmet approaches (all vehicle classes and scenarios)")
    entries: int = Field(description="distinct entry points among them (one task each)")
    created: list[int] = Field(description="new task ids")
    existing: list[int] = Field(description="tasks already open for an entry (left as they are)")
    inspection_id: int | None = Field(description="desk-review record the new tasks belong to")
