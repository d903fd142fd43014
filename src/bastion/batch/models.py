"""One row per (region, step) of a batch run: a re-run replaces it (unique key), never adds one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bastion.kernel.db.base import Base
from bastion.kernel.db.base import utcnow


class BatchResult(Base):
    __tablename__ = "batch_results"
    __table_args__ = (UniqueConstraint("region_id", "step", name="uq_batch_results_region_step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(20))  # enums.Step
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the step's figures (no timings)
    result_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the summary: equal runs, equal hashes
    runtime_s: Mapped[float] = mapped_column(Float)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
