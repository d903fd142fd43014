"""Batch result queries; never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.batch.models import BatchResult
from bastion.kernel.db.base import utcnow


def put_result(s: Session, region_id: int, step: str, summary: dict[str, Any], result_hash: str,
               runtime_s: float) -> None:
    """Replace the (region, step) row (delete + insert in the caller's transaction)."""
    s.execute(delete(BatchResult).where(BatchResult.region_id == region_id, BatchResult.step == step))
    s.add(BatchResult(region_id=region_id, step=step, summary=summary, result_hash=result_hash,
                      runtime_s=runtime_s, computed_at=utcnow()))
    s.flush()


def get_result(s: Session, region_id: int, step: str) -> BatchResult | None:
    return s.scalars(select(BatchResult).where(BatchResult.region_id == region_id,
                                               BatchResult.step == step)).one_or_none()


def results(s: Session, region_ids: Sequence[int] | None = None) -> list[BatchResult]:
    q = select(BatchResult).order_by(BatchResult.region_id, BatchResult.id)
    if region_ids is not None:
        q = q.where(BatchResult.region_id.in_(list(region_ids)))
    return list(s.scalars(q))
