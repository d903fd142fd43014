"""Wire models of the posture domain."""

from __future__ import annotations

import datetime as dt
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

Scheme = Literal["uk", "cn", "ntas"]


class PostureChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scheme: Scheme
    level: str = Field(max_length=20)


class PostureCreate(PostureChange):
    reason: str = Field(min_length=1, max_length=2000, description="need-to-know (TLP:AMBER+STRICT)")
    expires_at: dt.datetime | None = None


class DeclarationRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    declaration_id: int


class AgencyChangeRead(BaseModel):
    agency_id: int | None
    agency: str
    tasks_added: int
    measures_added: int
    hvm_added: int
    closed: int
    extra_staff_h_per_day: float
    days_sustainable: int | None
    items: list[tuple[int, str, str, str]]


class PatrolRead(BaseModel):
    resources_before: float
    resources_after: float
    defender_eu_before: float
    defender_eu_after: float


class PreviewRead(BaseModel):
    region_id: int
    levels_before: dict[str, str]
    levels_after: dict[str, str]
    response_before: dict[str, str]
    response_after: dict[str, str]
    added: int
    closed: int
    agencies: list[AgencyChangeRead]
    patrol: PatrolRead | None
    rule_titles: dict[str, str]
    tlp: str = "TLP:AMBER"


class DeclarationRead(BaseModel):
    id: int
    region_id: int
    scheme: str
    level: str
    reason: str
    status: str
    proposed_actor: str
    approved_actor: str | None
    proposed_at: dt.datetime
    approved_at: dt.datetime | None
    expires_at: dt.datetime | None
    ended_at: dt.datetime | None
    summary: dict[str, Any]


class ApplyRead(BaseModel):
    declaration_id: int
    created: int
    closed: int
    runtime_s: float
