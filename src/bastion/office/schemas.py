"""Wire models of the office domain."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

Role = Literal["operator", "supervising", "lead"]


class RuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role
    agency_id: int
    region_id: int | None = None
    category: str | None = Field(default=None, max_length=40)
    tier: str | None = Field(default=None, max_length=80, description="'<standard>:<tier>'")


class RuleRead(BaseModel):
    id: int
    role: str
    agency_id: int
    region_id: int | None
    category: str | None
    tier: str | None


class RulesImport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    csv: str = Field(max_length=5_000_000, description="role,agency,region,category,tier,site_id,reason")


class ImportRead(BaseModel):
    rows: int
    rules_created: int
    rules_changed: int
    exceptions_created: int
    exceptions_changed: int
    unchanged: int


class ExceptionSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role
    agency_id: int
    reason: str | None = Field(default=None, max_length=300)


class Holder(BaseModel):
    agency_id: int
    agency: str
    source: str


class MatrixRowRead(BaseModel):
    site_id: int
    site_name: str | None
    category: str
    tiers: list[str]
    operator: Holder | None
    supervising: Holder | None
    lead: Holder | None


class MatrixRead(BaseModel):
    region_id: int
    rows: list[MatrixRowRead]
    conflicts: list[tuple[int, str, list[int]]]


class DutiesGenerate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: dt.date | None = None


class DutyReportRead(BaseModel):
    on: dt.date
    sites: int
    drafts: int
    created: int
    existing: int
    unassigned: int
    runtime_s: float


class DutyRead(BaseModel):
    id: int
    site_id: int
    code: str
    period: str
    role: str
    agency_id: int | None
    due_on: dt.date
    title: str
    evidence: str
    source: str
    status: str
    done_at: dt.datetime | None = None
    evidence_given: str | None = None


class DutyComplete(BaseModel):
    model_config = ConfigDict(extra="forbid")
    evidence: str = Field(min_length=1, max_length=500, description="What shows it was done: a record reference, "
                          "a date or counts (never names or personal details)")


class EndpointSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    address: str = Field(min_length=3, max_length=300, description="An agency duty mailbox (email) or an http(s) "
                         "URL (webhook); never a person's contact")


class EndpointRead(BaseModel):
    agency_id: int
    channel: Literal["email", "webhook"]
    address: str


class LadderSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spec: str = Field(min_length=3, max_length=300, description="Steps '<offset>h|bd:<target>' separated by commas, "
                      "e.g. -24h:owner,2bd:supervising,5bd:lead (h = hours from the deadline, bd = business days)")


class LadderStepRead(BaseModel):
    level: int
    offset: int
    clock: Literal["calendar", "business"]
    target: Literal["owner", "supervising", "lead"]


class LadderRead(BaseModel):
    region_id: int
    spec: str
    steps: list[LadderStepRead]
    default: bool = Field(description="true: no ladder set for the jurisdiction, the default applies")
    updated_by: str | None = None
    updated_at: dt.datetime | None = None


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    categories: list[str] = Field(default_factory=list, max_length=50)
    tiers: list[str] = Field(default_factory=list, max_length=50)
    checklist: list[str] = Field(default_factory=list, max_length=50)
    deadline_days: int = Field(default=10, ge=1, le=365)
    clock: Literal["calendar", "business"] = "business"
    holiday_region: str | None = Field(default=None, max_length=20)


class BoardRowRead(BaseModel):
    agency_id: int | None
    agency: str
    sites: int
    completed: int
    completed_on_time: int
    open: int
    overdue: int
    tasks_open: int
    tasks_closed: int


class CampaignRead(BaseModel):
    id: int
    name: str
    region_id: int
    categories: list[str]
    tiers: list[str]
    checklist: list[str]
    deadline: dt.datetime
    clock: str
    holiday_region: str
    status: str
    board: list[BoardRowRead]


class ScoreRead(BaseModel):
    due: int
    closed_on_time: int
    on_time_pct: float | None
    closed: int
    median_days_to_close: float | None
    open_overdue: int


class CoverageRead(BaseModel):
    sites: int = Field(description="the key's sites with a stored coverage result (crowded places)")
    standards_s: list[int]
    within: list[int] = Field(description="sites the first response unit reaches within each standard")
    share_pct: list[float | None]


class CardRead(BaseModel):
    key: int
    name: str
    window_start: dt.date
    window_end: dt.date
    rectification: ScoreRead
    duties: ScoreRead
    inspections_due: int
    inspections_on_time: int
    drills_due: int
    drills_done: int
    plan_reviews_due: int
    plan_reviews_done: int
    coverage: CoverageRead | None = None


class NotificationRead(BaseModel):
    id: int
    event: str
    channel: str
    subject: str
    body: str
    tlp: str
    status: str
    receipt: str | None
    created_at: dt.datetime


class PreferencesSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channels: list[Literal["inpage", "email", "webhook"]] = Field(max_length=3)
    digest: bool = True
