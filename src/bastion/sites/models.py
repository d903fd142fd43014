"""SQLAlchemy 2 models. Geometries are stored as WKB (portable); bboxes as columns for spatial filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from bastion.kernel.db.base import Base
from bastion.kernel.db.base import utcnow
from bastion.regions.models import Region


class Site(Base):
    """A key target or crowded place. Natural key: (region, source, source_type, source_id)."""

    __tablename__ = "sites"
    __table_args__ = (
        UniqueConstraint("region_id", "source", "source_type", "source_id", name="uq_sites_natural_key"),
        UniqueConstraint("region_id", "user_list", "user_ref", name="uq_sites_user_ref"),
        Index("ix_sites_region_category", "region_id", "category"),
        Index("ix_sites_lonlat", "lon", "lat"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # optimistic concurrency
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # osm | user
    source_type: Mapped[str] = mapped_column(String(100))  # node|way|relation, or the user list's name
    source_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    geom_type: Mapped[str] = mapped_column(String(20))
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    area_m2: Mapped[float | None] = mapped_column(Float)
    length_m: Mapped[float | None] = mapped_column(Float)
    capacity_estimated: Mapped[int | None] = mapped_column(Integer)
    capacity_method: Mapped[str] = mapped_column(String(40))
    capacity_inputs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    capacity_override: Mapped[int | None] = mapped_column(Integer)
    capacity_low: Mapped[int | None] = mapped_column(Integer)  # band of the estimate, people
    capacity_high: Mapped[int | None] = mapped_column(Integer)
    # every OSM object this site stands for ("way/12", ...): a place mapped as several objects is one site,
    # keyed by its smallest reference (source_type/source_id) and found again by any member on re-import
    osm_members: Mapped[list[Any] | None] = mapped_column()
    opening_hours_raw: Mapped[str | None] = mapped_column(Text)
    opening_hours_valid: Mapped[bool | None] = mapped_column(Boolean)
    opening_hours_weekly: Mapped[list[Any] | None] = mapped_column()
    opening_hours_error: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notes: Mapped[str | None] = mapped_column(Text)
    osm_version: Mapped[int | None] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    missing_from_source: Mapped[bool] = mapped_column(Boolean, default=False)
    user_list: Mapped[str | None] = mapped_column(String(100))  # an office's own list this site is on
    user_ref: Mapped[str | None] = mapped_column(String(100))  # the office's own id for the site
    # the agency operating the site (access control). An agencies.id without a foreign key on purpose: adding one
    # on SQLite means copying the sites table, which cascades deletes into tables referencing sites; agencies are
    # never deleted (services check the id exists when it is set).
    operator_agency_id: Mapped[int | None] = mapped_column(Integer, index=True)
    first_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    region: Mapped[Region] = relationship()

    @property
    def capacity(self) -> int | None:
        """Effective capacity (people): a user override always wins over the estimate."""
        return self.capacity_override if self.capacity_override is not None else self.capacity_estimated

    @property
    def capacity_band(self) -> tuple[int | None, int | None]:
        """(low, high) people: the override's own figure when one is set, else the estimate's band."""
        if self.capacity_override is not None:
            return self.capacity_override, self.capacity_override
        low = self.capacity_low if self.capacity_low is not None else self.capacity_estimated
        high = self.capacity_high if self.capacity_high is not None else self.capacity_estimated
        return low, high


class SiteMeasure(Base):
    """A protective measure present at a site (one row per kind) and its parameters (JSON, verbatim)."""

    __tablename__ = "site_measures"
    __table_args__ = (UniqueConstraint("site_id", "kind", name="uq_site_measures_site_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source: Mapped[str] = mapped_column(String(20))  # user | inspection
    inspection_id: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SiteFact(Base):
    """A fact about a site used by tiering (e.g. ISC FSL factor scores, a police-designated grade)."""

    __tablename__ = "site_facts"
    __table_args__ = (UniqueConstraint("site_id", "key", name="uq_site_facts_site_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    value: Mapped[dict[str, Any]] = mapped_column()  # {"v": <scalar>} (JSON keeps the type)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
