"""Queries on the jobs table; never commits (the service's unit of work does)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from bastion.jobs.enums import TERMINAL
from bastion.jobs.enums import JobState
from bastion.jobs.models import Job
from bastion.jobs.models import JobFile
from bastion.kernel.db.base import rows_changed
from bastion.kernel.errors import NotFound


class JobRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, job_id: int) -> Job:
        job = self.s.get(Job, job_id)
        if job is None:
            raise NotFound(f"job {job_id} does not exist", hint="list jobs with `bastion jobs list`")
        return job

    def by_key(self, actor: str, key: str) -> Job | None:
        return self.s.scalars(select(Job).where(Job.actor == actor, Job.idempotency_key == key)).first()

    def claim(self, worker: str, now: dt.datetime) -> int | None:
        """Take the oldest queued job: None when there is none (or another worker took it first).

        PostgreSQL: the candidate row is locked with FOR UPDATE SKIP LOCKED, so concurrent workers pick different
        jobs without waiting. SQLite (no row locks; one writer at a time): the UPDATE ... WHERE state = 'queued'
        is the claim, and only the worker whose UPDATE changed the row owns it."""
        q = select(Job.id).where(Job.state == JobState.QUEUED).order_by(Job.id).limit(1)
        if self.s.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        for _ in range(5):  # SQLite: another worker may take the candidate first; look again
            job_id = self.s.scalar(q)
            if job_id is None:
                return None
            if self.set_queued_to_running(job_id, worker, now):
                return job_id
        return None

    def set_queued_to_running(self, job_id: int, worker: str, now: dt.datetime) -> bool:
        """The atomic claim of one job: True when this call moved it from queued to running."""
        changed = self.s.execute(
            update(Job).where(Job.id == job_id, Job.state == JobState.QUEUED)
            .values(state=JobState.RUNNING, started_at=now, heartbeat_at=now, attempts=Job.attempts + 1,
                    worker=worker[:120], progress=0.0, message="")
        )
        return rows_changed(changed) == 1

    def set_running(self, job_id: int, **values: Any) -> bool:
        """Update a job that is still running (False: it was marked interrupted or cancelled meanwhile)."""
        r = self.s.execute(update(Job).where(Job.id == job_id, Job.state == JobState.RUNNING).values(**values))
        return rows_changed(r) == 1

    def heartbeat(self, job_ids: Sequence[int], now: dt.datetime) -> None:
        if job_ids:
            self.s.execute(update(Job).where(Job.id.in_(list(job_ids)), Job.state == JobState.RUNNING)
                           .values(heartbeat_at=now))

    def mark_stale(self, before: dt.datetime, now: dt.datetime, error: dict[str, Any]) -> list[int]:
        ids = list(self.s.scalars(select(Job.id).where(
            Job.state == JobState.RUNNING, or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < before))))
        if ids:
            self.s.execute(update(Job).where(Job.id.in_(ids), Job.state == JobState.RUNNING)
                           .values(state=JobState.INTERRUPTED, finished_at=now, error=error))
        return ids

    def finished_before(self, cutoff: dt.datetime) -> list[int]:
        """Jobs in a terminal state that finished before ``cutoff`` (queued and running jobs never match)."""
        return list(self.s.scalars(select(Job.id).where(Job.state.in_([str(x) for x in TERMINAL]),
                                                        Job.finished_at.is_not(None), Job.finished_at < cutoff)
                                   .order_by(Job.id)))

    def delete(self, job_ids: Sequence[int]) -> int:
        """Delete jobs and their files (explicitly: SQLite enforces ON DELETE CASCADE only with foreign keys on)."""
        if not job_ids:
            return 0
        ids = list(job_ids)
        self.s.execute(delete(JobFile).where(JobFile.job_id.in_(ids)))
        return rows_changed(self.s.execute(delete(Job).where(Job.id.in_(ids), Job.state.in_(
            [str(x) for x in TERMINAL]))))

    def listing(self, *, states: Sequence[str] = (), kind: str | None = None, region_id: int | None = None,
                requested_by: int | None = None, actor: str | None = None,
                visible_regions: frozenset[int] | None = None) -> Sequence[Job]:
        """Jobs newest first. ``visible_regions``: besides the caller's own jobs (requested_by/actor), jobs in
        these regions (None: in every region)."""
        q = select(Job).order_by(Job.id.desc())
        if states:
            q = q.where(Job.state.in_(list(states)))
        if kind:
            q = q.where(Job.kind == kind)
        if region_id is not None:
            q = q.where(Job.region_id == region_id)
        own = Job.requested_by == requested_by if requested_by is not None else Job.actor == actor
        if visible_regions is not None:
            q = q.where(or_(own, Job.region_id.in_(list(visible_regions))) if visible_regions else own)
        return self.s.scalars(q).all()
