"""Posture tables: declarations (proposed -> active -> ended/expired/rejected, two different accounts) and the
temporary tasks a posture creates per site. Reasons and measure titles are need-to-know (TLP:AMBER or above)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bastion.kernel.db.base import Base
from bastion.kernel.db.base import utcnow


class Declaration(Base):
    __tablename__ = "posture_declarations"
    __table_args__ = (Index("uq_posture_active", "region_id", "scheme", unique=True,
                            sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="proposed")  # proposed|active|ended|expired|rejected
    proposed_by: Mapped[int | None] = mapped_column(Integer)  # account id (None: local operator)
    proposed_actor: Mapped[str] = mapped_column(String(120))
    approved_by: Mapped[int | None] = mapped_column(Integer)
    approved_actor: Mapped[str | None] = mapped_column(String(120))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[dt.datetime | None] = mapped_column()
    expires_at: Mapped[dt.datetime | None] = mapped_column()
    ended_at: Mapped[dt.datetime | None] = mapped_column()
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PostureTask(Base):
    """A measure or temporary task a posture requires at a site, owned by the site's operator agency."""

    __tablename__ = "posture_tasks"
    __table_args__ = (Index("uq_posture_tasks_open", "site_id", "rule_id", unique=True,
                            sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
                      Index("ix_posture_tasks_region_status", "region_id", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[int | None] = mapped_column(Integer)
    region_id: Mapped[int] = mapped_column(Integer)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(Integer)
    due_at: Mapped[dt.datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | done | closed
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    closed_reason: Mapped[str | None] = mapped_column(String(40))
