"""Early-warning tables. Counts only: region x ISO week x attack type x target type. No person, actor,
perpetrator, victim or free-text column exists (tests/warning/test_no_person_columns.py proves it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bastion.kernel.db.base import Base
from bastion.kernel.db.base import utcnow


class WarningImport(Base):
    """One imported file: its checksum and row counts (the rows themselves are never stored)."""

    __tablename__ = "warning_imports"
    __table_args__ = (UniqueConstraint("region_id", "sha256", name="uq_warning_imports_region_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    dataset: Mapped[str] = mapped_column(String(10))  # gtd | acled
    file_label: Mapped[str] = mapped_column(String(120))  # the file's base name, as given
    sha256: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_used: Mapped[int] = mapped_column(Integer)
    rows_undated: Mapped[int] = mapped_column(Integer)  # no month (GTD imonth 0) or no date: not counted
    rows_filtered: Mapped[int] = mapped_column(Integer)  # outside the country filter
    cells: Mapped[int] = mapped_column(Integer)  # week x attack type x target type cells written
    columns_kept: Mapped[list[Any]] = mapped_column(default=list)  # column names read
    columns_dropped: Mapped[int] = mapped_column(Integer)  # how many columns were never read
    first_week: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    last_week: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    licence: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WarningCount(Base):
    """Events in one region, ISO week (its Monday), attack type and GTD target type, from one dataset."""

    __tablename__ = "warning_counts"
    __table_args__ = (
        UniqueConstraint("region_id", "dataset", "week", "attack_type", "target_type",
                         name="uq_warning_counts_cell"),
        Index("ix_warning_counts_series", "region_id", "dataset", "attack_type", "target_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    dataset: Mapped[str] = mapped_column(String(10))  # gtd | acled | manual
    week: Mapped[dt.date] = mapped_column(Date)  # Monday of the ISO week
    attack_type: Mapped[str] = mapped_column(String(30))
    target_type: Mapped[int] = mapped_column(Integer)  # GTD targtype1 code
    events: Mapped[int] = mapped_column(Integer)
    fatalities: Mapped[int] = mapped_column(Integer, default=0)
    injured: Mapped[int] = mapped_column(Integer, default=0)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("warning_imports.id", ondelete="SET NULL"),
                                                  nullable=True, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WarningAlert(Base):
    """One alert episode on one series, with the posture it recommends and its evidence. The decision on the
    recommendation is taken in the posture domain and recorded here (``decision``), never made here."""

    __tablename__ = "warning_alerts"
    __table_args__ = (
        UniqueConstraint("region_id", "dataset", "attack_type", "target_type", "method", "week",
                         name="uq_warning_alerts_episode"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    dataset: Mapped[str] = mapped_column(String(10))
    attack_type: Mapped[str] = mapped_column(String(30))
    target_type: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(20))
    week: Mapped[dt.date] = mapped_column(Date)  # first alarm week (Monday)
    last_week: Mapped[dt.date] = mapped_column(Date)  # latest alarm week of the episode
    alarm_weeks: Mapped[list[Any]] = mapped_column(default=list)  # ISO dates of the episode's alarm weeks
    observed: Mapped[int] = mapped_column(Integer)  # events in the first alarm week
    peak_observed: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float] = mapped_column(Float)  # events per week
    upper: Mapped[float] = mapped_column(Float)  # threshold, events per week
    p_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    score: Mapped[float] = mapped_column(Float)
    level_shift: Mapped[bool] = mapped_column(Boolean, default=False)
    suppressed_until: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(15), default="open")
    current_level: Mapped[str] = mapped_column(String(15))  # the region's UK threat level when raised
    recommended_action: Mapped[str] = mapped_column(String(10))  # monitor | raise
    recommended_level: Mapped[str] = mapped_column(String(15))
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    decision: Mapped[str] = mapped_column(String(10), default="pending")
    decided_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    posture_change_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the posture domain's record
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
