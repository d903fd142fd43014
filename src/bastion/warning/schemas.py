"""Wire schemas for early warning. Counts below the small-count threshold (3) are null in every read."""

from __future__ import annotations

import datetime as dt
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from bastion.kernel.pagination import Page
from bastion.warning.enums import MAX_WEEKLY_COUNT

AttackType = Literal["marauding_attack", "vehicle_as_weapon", "ied", "fire_as_weapon", "cbr", "cyber", "other"]
SUPPRESSED = "null when 0 < count < 3 (small-count suppression, docs/models/warning.md)"


class WarningImportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["gtd", "acled"] = Field(description="GTD codebook or ACLED export column names")
    file_label: str = Field("upload.csv", min_length=1, max_length=120, pattern=r"^[^/\\<>&]+$",
                            description="the file's name, for the import record")
    csv: str = Field(min_length=1, max_length=50_000_000, description="the CSV text, header first (only date, "
                     "attack type, target type, casualty and country columns are read; no other value is kept); "
                     "the recorded sha256 is that of this text in UTF-8")
    country: str | None = Field(None, max_length=80, description="keep only rows of this country (GTD code or "
                                "ACLED country name)")


class WarningImportRead(BaseModel):
    id: int
    region_id: int
    dataset: str
    sha256: str
    duplicate: bool = Field(description="the same file was imported before: nothing changed")
    rows_read: int
    rows_used: int
    rows_undated: int
    rows_filtered: int
    cells: int = Field(description="week x attack type x target type cells")
    columns_kept: list[str]
    columns_dropped: int = Field(description="columns never read (person, actor, note and other columns)")
    first_week: dt.date | None
    last_week: dt.date | None
    runtime_s: float | None = None


class ManualCountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    week: str = Field(description="ISO week '2026-W40' or any date of the week", max_length=10)
    attack_type: AttackType
    target_type: int = Field(ge=1, le=22, description="GTD target type code (targtype1)")
    events: int = Field(ge=0, le=MAX_WEEKLY_COUNT)
    fatalities: int = Field(0, ge=0, le=MAX_WEEKLY_COUNT)
    injured: int = Field(0, ge=0, le=MAX_WEEKLY_COUNT)


class ManualCountsCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    counts: list[ManualCountIn] = Field(min_length=1, max_length=5000)


class ManualCountsRead(BaseModel):
    region_id: int
    stored: int


class SeriesRead(BaseModel):
    dataset: str
    attack_type: str
    target_type: int
    target_label: str
    site_categories: list[str]
    events: int | None = Field(description=f"events over the series; {SUPPRESSED}")
    weeks_with_events: int
    first_week: dt.date
    last_week: dt.date
    open_alerts: int


class SeriesDataRead(BaseModel):
    dataset: str
    attack_type: str
    target_type: int
    weeks: list[dt.date] = Field(description="Mondays of the ISO weeks")
    events: list[int | None] = Field(description=f"events per week; {SUPPRESSED}")
    alerts: list[AlertRead]


class DetectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["farrington", "cusum"] = "farrington"
    weeks: int = Field(1, ge=1, le=520, description="weeks to decide, ending at `through` (it runs as a job)")
    through: dt.date | None = Field(None, description="last week decided (default: latest week with data)")


class DetectRead(BaseModel):
    region_id: int
    method: str
    through: dt.date | None
    series: int
    decided: int
    alarms: int
    new_alerts: list[int]
    extended_alerts: list[int]
    runtime_s: float


class AlertRead(BaseModel):
    id: int
    region_id: int
    dataset: str
    attack_type: str
    target_type: int
    target_label: str
    site_categories: list[str]
    method: str
    week: dt.date
    last_week: dt.date
    alarm_weeks: int
    observed: int | None = Field(description=f"events in the first alarm week; {SUPPRESSED}")
    expected: float = Field(description="expected events per week")
    upper: float = Field(description="threshold, events per week")
    p_value: float | None
    level_shift: bool
    suppressed_until: dt.date
    status: str
    current_level: str
    recommended_action: str = Field(description="monitor | raise: a recommendation only; the posture domain decides")
    recommended_level: str
    decision: str
    evidence: dict[str, Any]


class AlertUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "acknowledged", "closed"]


class ShareRead(BaseModel):
    key: str
    label: str
    prior: float
    local_count: int | None = Field(description=SUPPRESSED)
    posterior: float
    lower: float
    upper: float


class SiteRiskChangeRead(BaseModel):
    site_id: int
    site_label: str
    category: str
    old_total: float
    new_total: float
    old_rating: str
    new_rating: str


class PriorsRead(BaseModel):
    region_id: int
    since: dt.date | None
    n_local: int | None = Field(description=SUPPRESSED)
    target_weight: float
    mix_weight: float
    target_shares: list[ShareRead]
    mix: dict[str, list[ShareRead]]
    sites: list[SiteRiskChangeRead]


class BacktestAlertRead(BaseModel):
    dataset: str
    attack_type: str
    target_type: int
    week: dt.date
    observed: int | None = Field(description=SUPPRESSED)
    expected: float
    upper: float
    level_shift: bool
    events_after: int | None = Field(description=SUPPRESSED)
    followed: bool


class BacktestRead(BaseModel):
    region_id: int
    month: str
    method: str
    horizon_weeks: int
    series: int
    weeks_decided: int
    alarm_weeks: int
    alerts: list[BacktestAlertRead]
    followed_share: float | None
    runtime_s: float


SeriesDataRead.model_rebuild()
WarningImportList = Page[WarningImportRead]
SeriesList = Page[SeriesRead]
AlertList = Page[AlertRead]
