"""Wire schemas for incidents, units' live status, dispatch, cordons, move-ups, board and warnings."""

from __future__ import annotations

import datetime as dt
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from bastion.incidents.enums import Capability
from bastion.incidents.enums import IncidentStatus
from bastion.incidents.enums import IncidentType
from bastion.incidents.enums import MajorIncident
from bastion.incidents.enums import Mode
from bastion.incidents.enums import Service
from bastion.incidents.enums import Severity
from bastion.incidents.enums import UnitStatus

Text = Field(None, max_length=2000, description="free text; personal data (phones, e-mails, IDs, plates) refused")


class IncidentCreate(BaseModel):
    """An M/ETHANE report. Location: exactly one of site_id, site_query (a site name) or lon + lat."""

    model_config = ConfigDict(extra="forbid")
    region_id: int = Field(ge=1)
    mode: Mode = Mode.REAL
    incident_type: IncidentType
    severity: Severity
    title: str = Field(min_length=1, max_length=200)
    major_incident: MajorIncident = MajorIncident.NOT_DECLARED
    site_id: int | None = Field(None, ge=1)
    site_query: str | None = Field(None, max_length=200)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    location_text: str | None = Text
    hazards: str | None = Text
    access: str | None = Text
    casualties: dict[str, int] = Field(default_factory=dict, description="counts by triage category")
    services_present: list[Service] = Field(default_factory=list)
    services_required: list[Service] = Field(default_factory=list)
    device: str | None = Field(None, description="NCTC chart device for explosive types, e.g. 'sedan'")


class IncidentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, description="the version you read; a stale one is refused with 409")
    title: str | None = Field(None, min_length=1, max_length=200)
    severity: Severity | None = None
    major_incident: MajorIncident | None = None
    location_text: str | None = Text
    hazards: str | None = Text
    access: str | None = Text
    casualties: dict[str, int] | None = None
    services_present: list[Service] | None = None
    services_required: list[Service] | None = None
    device: str | None = None


class IncidentRead(BaseModel):
    id: int
    region_id: int
    mode: Mode
    status: IncidentStatus
    incident_type: IncidentType
    severity: Severity
    title: str
    major_incident: MajorIncident
    site_id: int | None
    lon: float
    lat: float
    location_text: str | None
    hazards: str | None
    access: str | None
    casualties: dict[str, int]
    services_present: list[str]
    services_required: list[str]
    device: str | None
    version: int
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    updated_at: dt.datetime


class TimelineEntryRead(BaseModel):
    seq: int
    at: dt.datetime
    kind: str
    text: str
    details: dict[str, Any]
    actor: str
    audit_seq: int = Field(description="the audit record chaining this entry")
    audit_hash: str


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)


class RankedRead(BaseModel):
    unit_id: int
    call_sign: str
    status: UnitStatus
    travel_s: float | None = Field(description="road travel time, s; null beyond the search bound")
    eta_s: float | None
    meets_s: list[int] = Field(description="which of the 60/180/300 s standards the ETA meets")
    capability_match: list[str]
    capability_missing: list[str]


class RecommendationRead(BaseModel):
    incident_id: int
    required_capabilities: list[str]
    limit_s: float
    target_nodes: int = Field(description="1: the incident's road node; more: the inner cordon's access points")
    cordon_closed_nodes: int
    units: list[RankedRead]


class DispatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_ids: list[int] = Field(min_length=1, max_length=100)


class UnitStateRead(BaseModel):
    unit_id: int
    region_id: int
    call_sign: str
    unit_type: str
    status: UnitStatus
    lon: float
    lat: float
    position_at: dt.datetime | None
    incident_id: int | None
    crew_count: int | None
    capabilities: list[str]
    version: int


class UnitStateUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)
    status: UnitStatus | None = None
    incident_id: int | None = Field(None, ge=1)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    crew_count: int | None = Field(None, ge=0, le=500)
    capabilities: list[Capability] | None = None


class CordonPut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device: str | None = None
    inner_m: float | None = Field(None, gt=0, le=20000)
    outer_m: float | None = Field(None, gt=0, le=20000)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    active: bool = True


class SiteInRingRead(BaseModel):
    site_id: int
    name: str | None
    category: str
    kind: str
    ring: str
    distance_m: float
    people_expected: float
    school: bool
    hospital: bool


class CordonRead(BaseModel):
    incident_id: int
    lon: float
    lat: float
    inner_m: float
    outer_m: float
    device: str | None
    source: str
    active: bool
    version: int
    people_inner: float
    people_outer: float
    closed_road_nodes: int
    sites: list[SiteInRingRead]


class MoveRead(BaseModel):
    unit_id: int
    call_sign: str
    to_lon: float
    to_lat: float


class MoveUpRead(BaseModel):
    moves: list[MoveRead]
    before_people: float
    committed_people: float
    after_people: float
    lost_site_ids: list[int]
    restored_site_ids: list[int]
    idle_units: int
    committed_units: int
    status: str
    runtime_s: float


class BoardRowRead(BaseModel):
    incident: IncidentRead
    units_committed: int
    elapsed_s: int
    casualties_total: int


class BoardRead(BaseModel):
    changes: int = Field(description="the change counter the stream reports")
    rows: list[BoardRowRead]


class LessonCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)
    owner_agency: str = Field(min_length=1, max_length=200)
    deadline_days: int = Field(30, ge=1, le=3650)
    site_id: int | None = Field(None, ge=1)


class CloseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)
    lessons: list[LessonCreate] = Field(default_factory=list, max_length=100)


class CloseRead(BaseModel):
    incident: IncidentRead
    task_ids: list[int]


class WarningCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    headline: str = Field(min_length=1, max_length=160)
    instruction: str = Field(min_length=1, max_length=1000)
    radius_m: float | None = Field(None, ge=10, le=50000)


class WarningRead(BaseModel):
    id: int
    incident_id: int
    identifier: str
    state: str
    msg_type: str
    headline: str
    instruction: str
    radius_m: float
    drafted_by: str
    approved_by: str | None
    created_at: dt.datetime
    published_at: dt.datetime | None


class FrameRead(BaseModel):
    seq: int
    at: dt.datetime
    kind: str
    text: str
    casualties: dict[str, int]
    severity: str | None
    major_incident: str | None
    units: dict[int, dict[str, Any]]
    cordon: dict[str, Any] | None


class SitrepSchedulePut(BaseModel):
    """Situation reports on a schedule: every ``interval_min`` minutes (5 to 1440) from now, or at fixed
    ``times_utc`` ("HH:MM", UTC) each day; exactly one of the two."""

    model_config = ConfigDict(extra="forbid")
    interval_min: int | None = Field(None, ge=5, le=1440, description="minutes between reports (5 to 1440)")
    times_utc: list[str] | None = Field(None, min_length=1, max_length=24,
                                        description='fixed daily times, 24-hour "HH:MM" UTC')
    lang: Literal["en", "zh-CN"] = Field("en", description="the reports' language")


class SitrepScheduleRead(BaseModel):
    incident_id: int
    active: bool = Field(description="false: no schedule, stopped, or the incident closed")
    interval_min: int | None = None
    times_utc: list[str] | None = None
    lang: str = "en"
    next_due_at: dt.datetime | None = None
    set_at: dt.datetime | None = None
    set_by: str | None = None
    version: int = 0


class SitrepCountsRead(BaseModel):
    casualties: dict[str, int] = Field(description="counts by triage category")
    casualties_total: int
    units_committed: int
    units_listed: int
    timeline_entries: int = Field(description="timeline entries before this report's own entry")


class SitrepRead(BaseModel):
    id: int
    incident_id: int
    report_no: int
    mode: Mode
    lang: str
    due_at: dt.datetime
    generated_at: dt.datetime
    counts: SitrepCountsRead
    job_id: int | None
    html_url: str
    pdf_url: str | None


class IncidentImport(BaseModel):
    """A CSV of incidents (header row; see `bastion incidents import --help` for the columns)."""

    model_config = ConfigDict(extra="forbid")
    csv: str = Field(min_length=1, max_length=5_000_000)


class IncidentImportRead(BaseModel):
    rows: int
    created: list[int] = Field(description="ids of the incidents created, in file order")
    existing: list[str] = Field(description="refs already imported in the region (skipped, unchanged)")


class CardUnitRead(BaseModel):
    unit_id: int
    call_sign: str
    unit_type: str
    travel_s: float | None = Field(description="road travel time from the unit's base (s); null: beyond the limit")
    meets_s: list[int] = Field(description="the response standards (60, 180, 300 s) this travel time meets")
    capabilities: list[str]


class AttendanceRead(BaseModel):
    incident_type: IncidentType
    capability: Capability
    unit: CardUnitRead | None = Field(description="the nearest unit with that capability; null: none in the limit")


class RunCardRead(BaseModel):
    site_id: int
    site_name: str | None
    region_id: int
    lon: float
    lat: float
    limit_s: float
    first: list[CardUnitRead]
    attendance: list[AttendanceRead]
