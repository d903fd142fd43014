"""Wire schemas for tiers, risk, measures, facts, threat levels, portfolio, inspections and tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from bastion.kernel.pagination import Page

Answer = Literal["pass", "fail", "not_applicable"]
TaskStatus = Literal["open", "in_progress", "fixed", "verified"]


class RequirementRead(BaseModel):
    measure: str
    params: dict[str, Any]
    clause: str
    assumption: bool


class TierRead(BaseModel):
    standard_id: str
    standard_name: str
    standard_version: str
    status: Literal["tiered", "not_in_scope", "unknown"]
    tier: str | None
    label: str
    score: int | None
    heightened_level: str | None
    reasons: list[str]
    requirements: list[RequirementRead]


class SiteTiersRead(BaseModel):
    site_id: int
    name: str | None
    tiers: list[TierRead]


class ThreatRiskRead(BaseModel):
    threat: str
    threat_index: float = Field(description="T, dimensionless index")
    vulnerability: float = Field(description="V, probability an attempted attack succeeds")
    consequence: float = Field(description="C, people-equivalents")
    risk: float
    likelihood_level: int
    impact_level: int
    rating: str


class GapRead(BaseModel):
    measure: str
    label: str
    risk_reduction: float
    cost_eur: float


class SiteRiskRead(BaseModel):
    site_id: int
    name: str | None
    threat_level: str
    minute_of_week: int | None
    total_risk: float
    worst_rating: str
    by_threat: list[ThreatRiskRead]
    gaps: list[GapRead] | None = Field(None, description="missing measures and the risk each would remove")


class StoredAssessmentRead(ThreatRiskRead):
    threat_level: str
    minute_of_week: int | None
    standard_versions: dict[str, str]
    computed_at: dt.datetime


class RankedSiteRead(BaseModel):
    rank: int
    site_id: int
    name: str | None
    category: str
    kind: str
    total_risk: float
    worst_rating: str
    tiers: dict[str, str | None]


class RegionRiskRead(BaseModel):
    region_id: int
    region: str
    threat_level: str
    n_sites: int
    matrix: list[list[int]] = Field(description="matrix[likelihood-1][impact-1] = number of (site, threat) pairs")
    tier_counts: dict[str, dict[str, int]]
    ranking: list[RankedSiteRead]
    runtime_s: float


class MeasureCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(max_length=40)
    params: dict[str, Any] = Field(default_factory=dict)
    version: int | None = Field(default=None, ge=0, le=2**31 - 1,
                                description="the site's version you read (the same as If-Match; a stale one gets 409)")


class MeasureKindRead(BaseModel):
    """One kind of measure in the catalogue."""

    kind: str
    label: str
    pillar: str
    params: list[str] = Field(description="the parameters a recorded measure of this kind may carry")
    default_cost_eur: float = Field(description="one-off planning cost, EUR (an editable modelling assumption)")


class MeasureRead(BaseModel):
    kind: str
    label: str
    pillar: str
    params: dict[str, Any]
    source: str
    inspection_id: int | None
    recorded_at: dt.datetime


class FactsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    facts: dict[str, bool | int | float | str | None]
    version: int | None = Field(default=None, ge=0, le=2**31 - 1,
                                description="the site's version you read (the same as If-Match; a stale one gets 409)")


class FactsRead(BaseModel):
    site_id: int
    facts: dict[str, Any]
    version: int = Field(default=1, description="the site's version (its ETag): send it in If-Match to edit")


class ThreatLevelUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    uk_threat_level: Literal["LOW", "MODERATE", "SUBSTANTIAL", "SEVERE", "CRITICAL"] | None = None
    cn_heightened_level: Literal["level_3", "level_2", "level_1"] | None = None
    scoring_scale: Literal["uk", "cn"] | None = None
    version: int | None = Field(default=None, ge=0, le=2**31 - 1,
                                description="the version you read (0: never set; the same as If-Match; stale: 409)")


class ThreatLevelRead(BaseModel):
    region_id: int
    uk_threat_level: str
    cn_heightened_level: str | None
    scoring_scale: str
    scoring_level: str
    version: int = Field(default=0, description="the setting's version (its ETag; 0: never set)")


class PortfolioCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    budget: float = Field(ge=0, le=1e12, description="EUR")
    max_candidates: int = Field(4, ge=0, le=6)


class AllocationRead(BaseModel):
    site_id: int
    name: str | None
    measures: list[str]
    cost_eur: float
    risk_reduction: float


class PlanRead(BaseModel):
    method: str
    status: str
    objective: float
    bound: float
    total_cost_eur: float
    runtime_s: float
    allocations: list[AllocationRead]


class PortfolioRead(BaseModel):
    region_id: int
    budget: float
    n_sites: int
    base_risk: float
    build_s: float
    exact: PlanRead
    greedy: PlanRead
    difference: float = Field(description="risk reduction the exact plan buys beyond greedy")
    difference_pct: float


class InspectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    inspector_agency: str | None = Field(None, max_length=200, description="the inspecting agency (never a person)")


class InspectionItemRead(BaseModel):
    item_id: str
    standard_id: str
    tier: str
    measure: str
    params: dict[str, Any]
    clause: str
    text: str
    title: str | None = Field(None, description="the requirement in the requested language (lang), for display")
    clause_title: str | None = Field(None, description="the cited clause in the requested language (lang)")
    suggested: Answer
    answer: Answer | None
    answered_by_account_id: int | None = Field(None, description="the account that gave the answer")
    evidence_note: str | None = Field(None, description="what the inspector saw for this item (about the place)")


class InspectionRead(BaseModel):
    id: int
    site_id: int
    status: str
    inspector_account_id: int | None
    inspector_agency: str | None
    started_at: dt.datetime
    completed_at: dt.datetime | None
    completed_by_account_id: int | None = Field(None, description="the account that completed the inspection")
    version: int = Field(default=1, description="the inspection's version (its ETag): send it in If-Match")
    items: list[InspectionItemRead]


class AnswersUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[str, Answer] = Field(default_factory=dict)
    notes: dict[str, str] = Field(default_factory=dict, description=(
        "evidence notes by item_id (at most 1,000 characters each, about the place: text that looks like "
        "personal data is refused); an empty note clears it"))
    version: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                description="the version you read (the same as If-Match; a stale one gets 409)")


class InspectionComplete(BaseModel):
    model_config = ConfigDict(extra="forbid")
    owner_agency: str = Field(min_length=1, max_length=200, description="agency that must rectify failed items")
    deadline_days: int = Field(30, ge=1, le=3650)
    version: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                description="the version you read (the same as If-Match; a stale one gets 409)")


class CompletionRead(BaseModel):
    inspection: InspectionRead
    failed: list[str]
    passed: list[str]
    not_applicable: list[str]
    tasks_created: list[int]
    tasks_reopened: list[int]
    tasks_verified: list[int]


class TaskEventRead(BaseModel):
    at: dt.datetime
    event: str
    from_status: str | None
    to_status: str | None
    escalation_level: int
    inspection_id: int | None
    detail: str | None


class TaskRead(BaseModel):
    id: int
    site_id: int
    inspection_id: int
    item_id: str
    measure: str
    standard_id: str
    text: str
    title: str | None = Field(None, description="the task in the requested language (lang), for display; generated "
                                                "wording translated, a user's own words as entered")
    owner_agency: str
    owner_agency_id: int | None
    deadline: dt.datetime
    status: TaskStatus
    overdue: bool
    escalation_level: int
    verified_by_inspection_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = Field(default=1, description="the task's version (its ETag): send it in If-Match to change it")
    history: list[TaskEventRead] | None = None


TaskList = Page[TaskRead]


class TaskUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: TaskStatus | None = None
    owner_agency: str | None = Field(None, min_length=1, max_length=200)
    deadline: dt.datetime | None = None
    version: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                description="the version you read (the same as If-Match; a stale one gets 409)")


class EscalateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # no fields: the clock is the server's (a client-chosen `now` could raise levels that never drop)


class EscalationRead(BaseModel):
    task_id: int
    site_id: int
    days_overdue: int
    from_level: int
    to_level: int
