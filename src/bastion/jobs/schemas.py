"""Wire models of jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from pydantic import Field

from bastion.jobs.enums import JobState
from bastion.jobs.models import Job
from bastion.kernel.http_errors import ErrorBody
from bastion.kernel.pagination import Page


class JobLinks(BaseModel):
    self: str
    events: str = Field(description="Server-Sent Events of progress until the job ends")
    cancel: str
    rerun: str
    result: str | None = Field(None, description="the resource the job made (when it succeeded)")


class JobRead(BaseModel):
    id: int
    kind: str = Field(description="<domain>.<verb>, e.g. patrol.plan")
    state: JobState
    progress: float = Field(ge=0, le=1, description="fraction done, 0 to 1")
    message: str
    params: dict[str, Any]
    result: dict[str, Any] | None = Field(None, description="the job's result (GET /jobs/{id} only)")
    result_url: str | None = None
    error: ErrorBody | None = None
    region_id: int | None
    requested_by: int | None = Field(description="the account id that asked")
    actor: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    heartbeat_at: dt.datetime | None
    attempts: int
    cancel_requested: bool
    links: JobLinks


JobList = Page[JobRead]


SECRET_PARAMS = frozenset({"seed"})  # a patrol plan's seed rebuilds its schedules: never shown back


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (None if k in SECRET_PARAMS else _redact(v)) for k, v in value.items()}
    return value


def job_read(job: Job, *, with_result: bool = True) -> JobRead:
    base = f"/api/v1/jobs/{job.id}"
    return JobRead(
        id=job.id, kind=job.kind, state=JobState(job.state), progress=job.progress, message=job.message,
        params=_redact(job.params),
        result=job.result if with_result and job.state == JobState.SUCCEEDED else None, result_url=job.result_url,
        error=ErrorBody(**job.error) if job.error else None, region_id=job.region_id,
        requested_by=job.requested_by, actor=job.actor, created_at=job.created_at, started_at=job.started_at,
        finished_at=job.finished_at, heartbeat_at=job.heartbeat_at, attempts=job.attempts,
        cancel_requested=job.cancel_requested,
        links=JobLinks(self=base, events=f"{base}/events", cancel=f"{base}/cancel", rerun=f"{base}/rerun",
                       result=job.result_url),
    )
