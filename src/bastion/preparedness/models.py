"""Preparedness tables. Only places, positions and counts: no names, no contact details, no person records.

- ``emergency_plans``: one row per site x threat x version (sections JSON: the four procedures).
- ``site_exits``: exits of a site with clear widths (entered by users or from OSM ``entrance=*``).
- ``training_counts``: staff awareness training as counts per site and position.
- ``site_spaces``: protected spaces (invacuation) and lockable zones of a site, with area and/or capacity.
- ``exercises``: the exercise programme; ``mode`` is always EXERCISE (a check constraint keeps it so).
- ``exercise_calendar_packs``: a region's own calendar rule pack (validated YAML, stored as JSON).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bastion.kernel.db.base import Base
from bastion.kernel.db.base import utcnow


class EmergencyPlan(Base):
    __tablename__ = "emergency_plans"
    __table_args__ = (UniqueConstraint("site_id", "threat", "version", name="uq_emergency_plans_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    threat: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft | approved | superseded
    source: Mapped[str] = mapped_column(String(20), default="user")  # user | generated
    sections: Mapped[dict[str, Any]] = mapped_column(default=dict)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)  # modelled inputs: capacity, units, assembly...
    evacuation: Mapped[dict[str, Any] | None] = mapped_column()
    review_date: Mapped[dt.date | None] = mapped_column(Date)
    created_by_account_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    approved_by_account_id: Mapped[int | None] = mapped_column(Integer)
    approved_at: Mapped[dt.datetime | None] = mapped_column()


class SiteExit(Base):
    __tablename__ = "site_exits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    width_m: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20), default="user")  # user | osm


class SiteSpace(Base):
    __tablename__ = "site_spaces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # protected_space | lockable_zone
    label: Mapped[str] = mapped_column(String(100))
    area_m2: Mapped[float | None] = mapped_column(Float)  # usable floor area
    capacity: Mapped[int | None] = mapped_column(Integer)  # people, when the user knows it
    source: Mapped[str] = mapped_column(String(20), default="user")  # user | osm


class TrainingCount(Base):
    __tablename__ = "training_counts"
    __table_args__ = (UniqueConstraint("site_id", "position", name="uq_training_counts_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    position: Mapped[str] = mapped_column(String(40))
    trained: Mapped[int] = mapped_column(Integer)
    expected: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Exercise(Base):
    __tablename__ = "exercises"
    __table_args__ = (CheckConstraint("mode = 'EXERCISE'", name="mode_exercise"),
                      UniqueConstraint("uid", name="uq_exercises_uid"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    uid: Mapped[str] = mapped_column(String(200))  # iCalendar UID
    mode: Mapped[str] = mapped_column(String(10), default="EXERCISE")
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    threat: Mapped[str | None] = mapped_column(String(40))
    start: Mapped[dt.datetime] = mapped_column()
    end: Mapped[dt.datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="planned")  # planned | evaluated | finalised
    site_ids: Mapped[list[Any]] = mapped_column(default=list)
    agencies: Mapped[list[Any]] = mapped_column(default=list)
    objectives: Mapped[list[Any]] = mapped_column(default=list)  # [{objective, capability}]
    msel: Mapped[list[Any]] = mapped_column(default=list)
    evaluation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    aar: Mapped[dict[str, Any]] = mapped_column(default=dict)
    owner_agency_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finalised_at: Mapped[dt.datetime | None] = mapped_column()
    clock: Mapped[dict[str, Any] | None] = mapped_column()  # the conduct clock (exercise time, pause, speed)


class CalendarPack(Base):
    __tablename__ = "exercise_calendar_packs"
    __table_args__ = (UniqueConstraint("region_id", name="uq_exercise_calendar_packs_region"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    pack: Mapped[dict[str, Any]] = mapped_column()
    updated_by_account_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
