"""Incident tables. Counts and places only: no caller, suspect, victim or responder identities anywhere;
units are teams (call sign, crew count)."""

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

from bastion.kernel.db.base import Base
from bastion.kernel.db.base import utcnow


class Incident(Base):
    """An incident as an M/ETHANE report; ``version`` guards edits (a stale version is a 409)."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_region_mode_status", "region_id", "mode", "status"),
                      Index("uq_incidents_region_source_ref", "region_id", "source_ref", unique=True))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(10))  # real | exercise | test
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    incident_type: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    major_incident: Mapped[str] = mapped_column(String(20), default="not_declared")  # M
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"))  # E: exact location
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    location_text: Mapped[str | None] = mapped_column(Text)
    hazards: Mapped[str | None] = mapped_column(Text)  # H
    access: Mapped[str | None] = mapped_column(Text)  # A
    casualties: Mapped[dict[str, Any]] = mapped_column(default=dict)  # N: triage category -> count
    services_present: Mapped[list[Any]] = mapped_column(default=list)  # E
    services_required: Mapped[list[Any]] = mapped_column(default=list)
    device: Mapped[str | None] = mapped_column(String(30))  # NCTC chart device, explosive types
    version: Mapped[int] = mapped_column(Integer, default=1)
    timeline_count: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_account_id: Mapped[int | None] = mapped_column(Integer)
    source_ref: Mapped[str | None] = mapped_column(String(80))  # the reference an imported row carried


class TimelineEntry(Base):
    """One append-only timeline entry; its audit record (seq, hash) puts it in the hash chain."""

    __tablename__ = "incident_timeline"
    __table_args__ = (UniqueConstraint("incident_id", "seq", name="uq_incident_timeline_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column()
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actor: Mapped[str] = mapped_column(String(120))  # account login or "cli:<os user>", never a named person field
    audit_seq: Mapped[int] = mapped_column(Integer)
    audit_hash: Mapped[str] = mapped_column(String(64))


class UnitState(Base):
    """A response unit's live status (owned by incidents, keyed by the unit): status, last known position,
    the incident it is committed to, crew count and capabilities."""

    __tablename__ = "incident_unit_states"

    unit_id: Mapped[int] = mapped_column(ForeignKey("response_units.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="available")
    lon: Mapped[float | None] = mapped_column(Float)  # last known position (None: at its base)
    lat: Mapped[float | None] = mapped_column(Float)
    position_at: Mapped[dt.datetime | None] = mapped_column()
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    crew_count: Mapped[int | None] = mapped_column(Integer)
    capabilities: Mapped[list[Any] | None] = mapped_column()  # None: the unit type's defaults
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Cordon(Base):
    """The incident's cordon (one per incident, redrawn in place; each redraw is a timeline entry)."""

    __tablename__ = "incident_cordons"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    inner_m: Mapped[float] = mapped_column(Float)
    outer_m: Mapped[float] = mapped_column(Float)
    device: Mapped[str | None] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Warning(Base):
    """A CAP 1.2 public warning: drafted, approved by a second person, then published (downloadable)."""

    __tablename__ = "incident_warnings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    identifier: Mapped[str] = mapped_column(String(120), unique=True)
    state: Mapped[str] = mapped_column(String(12), default="draft")  # draft | published
    msg_type: Mapped[str] = mapped_column(String(10), default="Alert")
    headline: Mapped[str] = mapped_column(String(160))
    instruction: Mapped[str] = mapped_column(Text)
    radius_m: Mapped[float] = mapped_column(Float)
    xml: Mapped[str | None] = mapped_column(Text)
    drafted_by: Mapped[str] = mapped_column(String(120))
    drafted_by_account_id: Mapped[int | None] = mapped_column(Integer)
    approved_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column()


class ChangeCounter(Base):
    """One row counting every incident-domain write: the board's SSE stream polls it (works across processes)."""

    __tablename__ = "incident_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    counter: Mapped[int] = mapped_column(Integer, default=0)


class SitrepSchedule(Base):
    """An open incident's situation-report schedule (one per incident, set by its commander): every
    ``interval_min`` minutes from when it was set, or at fixed ``times_utc`` each day. The server's periodic check
    queues one job per due time (``next_due_at``, claimed by a conditional UPDATE so two servers never both queue
    it); it stops when the incident closes. ``principal`` is the setter's grants: the jobs run with them."""

    __tablename__ = "incident_sitrep_schedules"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    interval_min: Mapped[int | None] = mapped_column(Integer)
    times_utc: Mapped[list[Any] | None] = mapped_column()  # ["06:00", "18:00"]
    lang: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    next_due_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    set_by: Mapped[str] = mapped_column(String(120))
    principal: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Sitrep(Base):
    """One generated situation report, kept as made (HTML and PDF) with the counts it showed; at most one per
    incident and due time (a re-run of its job finds it and adds nothing)."""

    __tablename__ = "incident_sitreps"
    __table_args__ = (UniqueConstraint("incident_id", "due_at", name="uq_incident_sitreps_due"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    report_no: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(10))  # the incident's: real | exercise | test
    lang: Mapped[str] = mapped_column(String(8))
    due_at: Mapped[dt.datetime] = mapped_column()
    generated_at: Mapped[dt.datetime] = mapped_column()
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    job_id: Mapped[int | None] = mapped_column(Integer)
