"""The jobs table: the queue and the record of every long piece of work (no person data: an account id, the
actor string the audit log also records, and a snapshot of the account's grants)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bastion.kernel.db.base import Base
from bastion.kernel.db.base import utcnow


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("actor", "idempotency_key", name="uq_jobs_actor_idempotency_key"),
        Index("ix_jobs_state_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))  # "patrol.plan"
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(20), default="queued")  # enums.JobState
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # fraction 0..1
    message: Mapped[str] = mapped_column(String(300), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    result_url: Mapped[str | None] = mapped_column(String(300), nullable=True)  # the domain resource it made
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # {"code", "message", "field"}
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True,
                                                     index=True)
    actor: Mapped[str] = mapped_column(String(120))  # as in the audit log: user:<login>, cli:<os user>
    principal: Mapped[dict[str, Any]] = mapped_column(default=dict)  # grants snapshot the job runs with
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), nullable=True,
                                                  index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    worker: Mapped[str | None] = mapped_column(String(120), nullable=True)  # host:pid:thread holding it


class JobFile(Base):
    """A file a job made (a PDF report): served by GET /jobs/{id}/file within the job's scope."""

    __tablename__ = "job_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
