"""Wire schemas for patrol plans. Teams are numbered ("Team 1"), never named people."""

from __future__ import annotations

import datetime as dt
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from bastion.kernel.pagination import Page


class PatrolPlanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    teams: int = Field(ge=1, le=200, description="number of patrol teams")
    shift: str = Field("08:00-16:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$",
                       description="HH:MM-HH:MM, 24-hour; end <= start runs past midnight")
    days: int = Field(7, ge=1, le=366)
    seed: int | None = Field(None, ge=0, lt=2**63, description="unset (recommended): drawn from a cryptographic "
                             "source. The same options and seed give the same schedules, so the seed is secret")
    dwell_min: float = Field(10.0, ge=0, le=480, description="minutes on site at each stop")
    max_stops: int = Field(3, ge=1, le=4, description="stops per sortie")
    slot_min: float = Field(60.0, ge=5, le=1440, description="minutes per slot (one sortie from the base and back)")
    max_sites: int = Field(40, ge=1, le=200, description="highest-consequence sites taken as targets")
    start_weekday: int = Field(0, ge=0, le=6, description="weekday of day 1, 0 = Monday")
    interdiction_effectiveness: float = Field(0.8, gt=0, le=1, description="share of the consequence a patrol prevents")
    attacker_penalty: float = Field(0.5, ge=0, description="attacker's loss when interdicted, x consequence")
    closed_fraction: float = Field(0.05, ge=0, le=1, description="share of capacity present while closed")
    category_weights: dict[str, float] = Field(default_factory=dict, description="consequence multiplier per category")
    fill_idle: bool = Field(True, description="teams the sampled plan leaves idle patrol the best free sites")
    depot_lon: float | None = Field(None, ge=-180, le=180, description="teams' base; default: 1-median target site")
    depot_lat: float | None = Field(None, ge=-90, le=90)
    payoff: Literal["risk", "capacity"] | None = Field(
        None, description="consequence basis: stored total risk or capacity; default risk when the region is assessed")


class PatrolPlanRead(BaseModel):
    id: int
    region_id: int
    region: str
    teams: int
    shift: str
    days: int
    seed: int | None = Field(description="null unless the caller holds site:sensitive_read (with the options it "
                             "rebuilds every schedule); given by GET /patrol-plans/{id} only, and that read is audited")
    parameters: dict[str, Any]
    depot: dict[str, float]
    n_sites: int
    n_targets: int = Field(description="site x slot targets, over the weekdays solved")
    solver_status: str
    objective: float = Field(description="defender's expected utility at the attacked target, people (negative = loss)")
    attacker_utility: float = Field(description="attacker's best expected gain, people")
    gap: float
    runtime_s: float
    created_at: dt.datetime


PatrolPlanList = Page[PatrolPlanRead]


class PatrolStopRead(BaseModel):
    seq: int
    site_id: int
    site_name: str = Field(description="the site's name, or its kind when unnamed")
    name: str | None
    kind: str
    category: str
    lon: float
    lat: float
    slot: int
    arrival: str = Field(description="HH:MM")
    departure: str
    arrival_s: float = Field(description="seconds after the shift start")
    departure_s: float
    extra: bool = Field(description="visit by a team the sampled plan left idle (on top of the strategy)")


class PatrolScheduleRead(BaseModel):
    day: int
    team: int
    label: str
    stops: list[PatrolStopRead]
    path: list[list[list[float]]] = Field(description="one [lon, lat] line per sortie, base to base")


PatrolScheduleList = Page[PatrolScheduleRead]
