"""Wire schemas for emergency plans and exercises (Create / Update / Read)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

Threat = Literal["marauding_attack", "vehicle_as_weapon", "ied", "fire_as_weapon", "cbr", "cyber"]
ExerciseType = Literal["seminar", "workshop", "tabletop", "game", "drill", "functional", "full_scale"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanSave(_In):
    """A new version of the site's plan for one scenario. ``sections``: evacuation, invacuation, lockdown,
    communication, each {triggers, decision_role, roles[{position, actions}], steps, exits, assembly_points,
    protected_spaces, lockable_zones, means, informs_emergency_services}; roles are positions, never names."""

    threat: Threat
    sections: dict[str, Any]
    review_date: dt.date | None = None


class DraftCreate(_In):
    threat: Threat


class RegionDraftCreate(_In):
    site_ids: list[int] | None = Field(default=None, min_length=1, max_length=100_000)
    threats_per_site: int = Field(default=3, ge=1, le=6)


class RegionDraftRead(BaseModel):
    region_id: int
    sites: int
    plans_created: int
    unchanged: int
    seconds: float


class PlanRead(BaseModel):
    id: int
    site_id: int
    threat: str
    version: int
    status: str
    source: str
    sections: dict[str, Any]
    data: dict[str, Any]
    evacuation: dict[str, Any] | None
    review_date: dt.date | None
    created_by_account_id: int | None
    created_at: dt.datetime
    approved_by_account_id: int | None
    approved_at: dt.datetime | None


class ReadinessRead(BaseModel):
    site_id: int
    site_name: str | None
    level: str | None = Field(description="enhanced | standard | null (the site is in no tier)")
    tiers: list[list[str]]
    top_threats: list[str]
    missing_scenarios: list[str]
    plans: dict[str, list[str]] = Field(description="threat -> completeness flags of its current plan")
    trained: int
    expected: int
    invacuation: dict[str, Any] | None = Field(
        default=None, description="protected-space capacity vs the peak-hour people: people, capacity, enough, "
        "shortfall, area_needed_m2, m2_per_person (ICC 500 / FEMA P-361 density), spaces")


class PlanTasksCreate(_In):
    owner_agency: str | None = Field(default=None, max_length=200)
    deadline_days: int = Field(default=60, ge=1, le=3650)


class PlanTasksRead(BaseModel):
    site_id: int
    created: list[int]
    existing: list[int]


class ExitIn(_In):
    label: str = Field(min_length=1, max_length=100)
    width_m: float = Field(gt=0.3, le=100, description="clear width, metres")
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)


class ExitsUpdate(_In):
    exits: list[ExitIn] = Field(max_length=200)


class ExitRead(BaseModel):
    id: int
    label: str
    width_m: float
    lon: float | None
    lat: float | None
    source: str


class ExitsRead(BaseModel):
    site_id: int
    exits: list[ExitRead]
    clear_width_m: float


class SpaceIn(_In):
    kind: Literal["protected_space", "lockable_zone"]
    label: str = Field(min_length=1, max_length=100, description="a place, e.g. 'basement hall B1' (no names)")
    area_m2: float | None = Field(default=None, gt=0, le=1_000_000, description="usable floor area, m2")
    capacity: int | None = Field(default=None, ge=0, le=1_000_000, description="people it holds, if known")


class SpacesUpdate(_In):
    spaces: list[SpaceIn] = Field(max_length=100)


class SpaceRead(BaseModel):
    id: int
    kind: str
    label: str
    area_m2: float | None
    capacity: int | None
    source: str


class SpacesRead(BaseModel):
    site_id: int
    spaces: list[SpaceRead]
    protected_spaces: list[str] = Field(description="the plan's protected_spaces lines for these spaces")
    lockable_zones: list[str] = Field(description="the plan's lockable_zones lines for these spaces")
    invacuation: dict[str, Any]


class TrainingUpdate(_In):
    position: str = Field(max_length=40)
    trained: int = Field(ge=0, le=100_000)
    expected: int = Field(ge=0, le=100_000)


class TrainingRead(BaseModel):
    position: str
    trained: int
    expected: int
    updated_at: dt.datetime


class ObjectiveIn(_In):
    objective: str = Field(min_length=1, max_length=500)
    capability: str = Field(max_length=60)


class ExerciseCreate(_In):
    name: str = Field(min_length=1, max_length=200)
    type: ExerciseType
    start: dt.datetime
    end: dt.datetime
    site_ids: list[int] = Field(min_length=1, max_length=500)
    agencies: list[str] = Field(default_factory=list, max_length=50)
    objectives: list[ObjectiveIn] = Field(default_factory=list, max_length=50)
    threat: Threat | None = None


class ExerciseRead(BaseModel):
    id: int
    region_id: int
    uid: str
    mode: Literal["EXERCISE"]
    name: str
    type: str
    threat: str | None
    start: dt.datetime
    end: dt.datetime
    status: str
    site_ids: list[int]
    agencies: list[str]
    objectives: list[dict[str, Any]]
    msel: list[dict[str, Any]]
    evaluation: dict[str, Any]
    aar: dict[str, Any]
    created_at: dt.datetime
    finalised_at: dt.datetime | None


class DrillIn(_In):
    procedure: Literal["evacuation", "invacuation", "lockdown", "communication"]
    observed_s: float = Field(gt=0, le=86_400)
    target_s: float = Field(gt=0, le=86_400)


class EvaluationUpdate(_In):
    ratings: dict[str, Literal["P", "S", "M", "U"]] = Field(description="core capability -> HSEEP rating")
    observed_arrivals_s: dict[str, float] = Field(default_factory=dict,
                                                  description="unit -> observed seconds from the call")
    drills: list[DrillIn] = Field(default_factory=list, max_length=20)
    notes: list[str] = Field(default_factory=list, max_length=50)


class ImprovementIn(_In):
    capability: str = Field(max_length=60)
    issue: str = Field(min_length=1, max_length=500)
    corrective_action: str = Field(min_length=1, max_length=500)
    element: Literal["planning", "organization", "equipment", "training", "exercises"] = "planning"
    owner_agency: str = Field(min_length=1, max_length=200)
    due: dt.date
    site_id: int | None = None
    position: str | None = Field(default=None, max_length=40)


class AarUpdate(_In):
    strengths: list[str] = Field(default_factory=list, max_length=50)
    improvements: list[ImprovementIn] = Field(default_factory=list, max_length=100)


class FinaliseRead(BaseModel):
    exercise: ExerciseRead
    task_ids: list[int]


class GapRead(BaseModel):
    site_id: int
    rule_id: str
    period_start: dt.date
    period_end: dt.date
    held: int
    required: int


class ClashRead(BaseModel):
    kind: str
    key: str
    first: str
    second: str


class ProposalRead(BaseModel):
    type: str
    start: dt.datetime
    end: dt.datetime
    site_ids: list[int]


class CalendarRead(BaseModel):
    region_id: int
    first_year: int
    years: int
    mode: Literal["EXERCISE"]
    pack: str = Field(default="", description="the rule pack in force: id@version")
    pack_source: str = Field(default="bundled", description="region (its own pack) | bundled (the default)")
    rules: list[dict[str, Any]]
    exercises: list[ExerciseRead]
    gaps: list[GapRead]
    conflicts: list[ClashRead]
    proposals: list[ProposalRead]


class IcsImportCreate(_In):
    ics: str = Field(min_length=1, max_length=2_000_000, description="an iCalendar (RFC 5545) file's text")
    default_site_ids: list[int] = Field(default_factory=list, max_length=500)
    default_type: ExerciseType = "drill"
    horizon_years: int = Field(default=3, ge=1, le=10)


class IcsImportRead(BaseModel):
    created: list[int]
    updated: list[int]
    unchanged: list[int]
    skipped_finalised: list[int]


class CalendarPackUpdate(_In):
    yaml: str = Field(min_length=1, max_length=200_000, description="the rule pack as YAML: {id, version, rules: "
                      "[{id, standard_id, tiers, period, min_count, types?, label?, source, assumption?}]}")


class CalendarPackRead(BaseModel):
    region_id: int
    source: Literal["region", "bundled"]
    pack: dict[str, Any]


class ClockAction(_In):
    action: Literal["start", "pause", "resume", "speed"]
    speed: float | None = Field(default=None, ge=1, le=120, description="speed-up factor (discussion-based "
                                "exercises only; drills, functional and full-scale run at 1)")


class ClockRead(BaseModel):
    exercise_id: int
    mode: Literal["EXERCISE"]
    state: Literal["stopped", "running", "paused"]
    speed: float
    exercise_s: float = Field(description="exercise time, seconds from the start")
    started_at: dt.datetime | None
    events: list[dict[str, Any]] = Field(description="the clock's timeline: start, pause, resume, speed")
    released: list[dict[str, Any]] = Field(description="released injects: no, offset_s, released_at")
    next: dict[str, Any] | None = Field(description="the next inject due: no, offset_s")
    total: int
