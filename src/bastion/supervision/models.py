"""Risk and supervision tables: measures and facts recorded per site, region threat settings, stored
assessments, inspections, rectification tasks and their history.

Only properties of places are stored. An inspector is a user account id (when accounts exist) or the name of
an inspecting agency; owners of tasks are agencies. No names, contact details or footage anywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bastion.kernel.db.base import Base
from bastion.kernel.db.base import utcnow

EVIDENCE_NOTE_MAX = 1000  # characters of one checklist answer's evidence note


class Inspection(Base):
    """A checklist generated from the site's tier requirements, answered by an inspector."""

    __tablename__ = "inspections"
    # one open inspection per site, also under concurrent starts (partial unique index, SQLite and PostgreSQL)
    __table_args__ = (Index("uq_inspections_open_site", "site_id", unique=True,
                            sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # optimistic concurrency
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | completed
    inspector_account_id: Mapped[int | None] = mapped_column(Integer)
    inspector_agency: Mapped[str | None] = mapped_column(String(200))
    standard_versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column()
    completed_by_account_id: Mapped[int | None] = mapped_column(Integer)  # separation of duties: who closed it


class InspectionItem(Base):
    __tablename__ = "inspection_items"
    __table_args__ = (UniqueConstraint("inspection_id", "item_id", name="uq_inspection_items_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(100))  # "<standard_id>:<measure>"
    standard_id: Mapped[str] = mapped_column(String(60))
    tier: Mapped[str] = mapped_column(String(40))
    measure: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    clause: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    suggested: Mapped[str] = mapped_column(String(20))  # prefill from the measures on record
    answer: Mapped[str | None] = mapped_column(String(20))  # pass | fail | not_applicable
    answered_at: Mapped[dt.datetime | None] = mapped_column()
    answered_by_account_id: Mapped[int | None] = mapped_column(Integer)  # the account that gave the answer
    # what the inspector saw, about the place (never a person): refused when it looks like personal data
    evidence_note: Mapped[str | None] = mapped_column(String(EVIDENCE_NOTE_MAX))


class RectificationTask(Base):
    """A failed inspection item to be put right: open -> in_progress -> fixed -> verified (by re-inspection)."""

    __tablename__ = "rectification_tasks"
    __table_args__ = (Index("ix_rectification_tasks_site_item", "site_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # optimistic concurrency
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(100))
    measure: Mapped[str] = mapped_column(String(40))
    standard_id: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    owner_agency: Mapped[str] = mapped_column(String(200))  # the agency's name
    owner_agency_id: Mapped[int | None] = mapped_column(Integer)  # its account-system id, once accounts exist
    deadline: Mapped[dt.datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="open")
    overdue: Mapped[bool] = mapped_column(default=False)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    verified_by_inspection_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TaskEvent(Base):
    """One row per change of a task (status, escalation, owner, deadline): the full history."""

    __tablename__ = "task_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column()
    event: Mapped[str] = mapped_column(String(30))  # created | status | escalated | reassigned | rescheduled
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    inspection_id: Mapped[int | None] = mapped_column(Integer)
    actor_account_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(String(300))
