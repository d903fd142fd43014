"""Wire schemas for regions and sites."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from bastion.kernel.pagination import Page


class RegionRead(BaseModel):
    id: int
    name: str
    slug: str
    bbox: list[float] | None = Field(description="[minlon, minlat, maxlon, maxlat], degrees WGS84")
    site_count: int
    osm_file: str | None
    osm_timestamp: str | None
    boundary_source: str | None


RegionList = Page[RegionRead]


class SiteRead(BaseModel):
    id: int
    region_id: int
    name: str | None
    category: str
    kind: str
    source: str
    osm_type: str | None
    osm_id: str | None
    user_list: str | None
    user_ref: str | None
    operator_agency_id: int | None = Field(default=None, description="agency operating the site (access control)")
    operator_agency: str | None = Field(default=None, description="the operating agency's name")
    version: int = Field(default=1, description="the record's version (also its ETag): send it back in If-Match "
                         "when editing the site, its facts, measures or operator")
    lon: float
    lat: float
    geometry: dict[str, Any]
    area_m2: float | None = Field(description="footprint area, m²")
    length_m: float | None = Field(description="length of a linear site, m")
    capacity: int | None = Field(description="effective capacity, people (override wins)")
    capacity_estimated: int | None
    capacity_method: str
    capacity_inputs: dict[str, Any]
    capacity_override: int | None
    capacity_low: int | None = Field(
        default=None, description="low end of the capacity band, people (override: itself)"
    )
    capacity_high: int | None = Field(default=None, description="high end of the capacity band, people")
    osm_members: list[str] = Field(
        default_factory=list, description="every OSM object this site stands for, e.g. way/12 (one site per place)"
    )
    opening_hours_raw: str | None
    opening_hours_valid: bool | None
    opening_hours_weekly: list[list[int]] | None = Field(description="open intervals, minutes from Monday 00:00")
    opening_hours_error: str | None
    tags: dict[str, str]
    notes: str | None
    missing_from_osm: bool
    updated_at: dt.datetime


SiteList = Page[SiteRead]


class SiteUpdate(BaseModel):
    """Fields a user may edit. Omitted fields are unchanged; null clears a field."""

    model_config = ConfigDict(extra="forbid")

    capacity_override: int | None = Field(default=None, ge=0, le=10_000_000, description="people")
    notes: str | None = Field(default=None, max_length=10_000)
    operator_agency: str | None = Field(default=None, max_length=200, description=(
        "the exact name of the agency operating the site (null or empty: none); needs site:edit over the whole "
        "region, like PUT /sites/{id}/operator"))
    version: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                description="the version you read (the same as If-Match; a stale one gets 409)")
