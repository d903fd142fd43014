"""Job routes: list, read, cancel, re-run, and progress as Server-Sent Events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter
from fastapi import Query
from fastapi import Request
from fastapi import Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from bastion.access.http import GuardDep
from bastion.access.http import client_address
from bastion.access.http import region_resource
from bastion.access.http import require
from bastion.access.policy import Permission
from bastion.jobs import service as svc
from bastion.jobs.enums import TERMINAL
from bastion.jobs.enums import JobState
from bastion.jobs.models import Job
from bastion.jobs.schemas import JobList
from bastion.jobs.schemas import JobRead
from bastion.jobs.schemas import job_read
from bastion.kernel.http import MAX_ID
from bastion.kernel.http import IdPath
from bastion.kernel.http import SessionFactoryDep
from bastion.kernel.pagination import PageDep

router = APIRouter(prefix="/api/v1", tags=["jobs"])
JOB_READ = require(Permission.JOB_READ)
EVENT_POLL_S = 0.25  # how often the event stream looks at the job
KEEPALIVE_S = 15.0
STREAM_MAX_S = 3600.0  # a stream ends after this (an `EventSource` reconnects by itself)


@router.get("/jobs", response_model=JobList, dependencies=[JOB_READ])
def list_jobs(
    sf: SessionFactoryDep, guard: GuardDep, page: PageDep,
    state: Annotated[list[JobState] | None, Query(description="only jobs in these states")] = None,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    region_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    mine: Annotated[bool, Query(description="only the jobs I asked for")] = False,
) -> JobList:
    """My jobs; for a coordinator, every job in its regions. Results are read one job at a time."""
    rows = svc.listing(sf, guard.principal, states=[s.value for s in state or ()], kind=kind, region_id=region_id,
                       mine=mine)
    return JobList.mapped(rows, page, lambda j: job_read(j, with_result=False))


def _visible(sf: SessionFactoryDep, guard: GuardDep, job_id: int) -> Job:
    """The job, when the caller may see it: job:read over its region (403/404 by the policy, audited), then
    its own job or, for a coordinator, any job of the region (404 otherwise)."""
    region_id = svc.region_of(sf, job_id)
    if region_id is not None:
        guard.check(Permission.JOB_READ, region_resource(region_id), object_type="job", object_id=job_id)
    return svc.get(sf, job_id, guard.principal)


@router.get("/jobs/{job_id}", response_model=JobRead, dependencies=[JOB_READ])
def get_job(job_id: IdPath, sf: SessionFactoryDep, guard: GuardDep) -> JobRead:
    job = _visible(sf, guard, job_id)
    if job.result is not None:
        guard.sensitive_read("job", job_id, "job_result")
    return job_read(job)


@router.post("/jobs/{job_id}/cancel", response_model=JobRead, dependencies=[JOB_READ])
def cancel_job(job_id: IdPath, request: Request, sf: SessionFactoryDep, guard: GuardDep) -> JobRead:
    """Cancel a queued job now, or ask a running one to stop at its next step (a finished job is left as is)."""
    _visible(sf, guard, job_id)
    return job_read(svc.cancel(sf, job_id, guard.principal, client=client_address(request)), with_result=False)


@router.post("/jobs/{job_id}/rerun", response_model=JobRead, status_code=202, dependencies=[JOB_READ])
def rerun_job(job_id: IdPath, request: Request, response: Response, sf: SessionFactoryDep,
              guard: GuardDep) -> JobRead:
    """Queue a finished job (interrupted, failed, cancelled or succeeded) again with the same params: the same
    result, no duplicate rows (409 while it is queued or running)."""
    _visible(sf, guard, job_id)
    job = svc.rerun(sf, job_id, guard.principal, client=client_address(request))
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return job_read(job, with_result=False)


@router.get("/jobs/{job_id}/file", response_model=None, dependencies=[JOB_READ],
            responses={200: {"description": "the file the job made (a PDF report)", "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
def job_file(job_id: IdPath, sf: SessionFactoryDep, guard: GuardDep) -> Response:
    _visible(sf, guard, job_id)
    f = svc.file_of(sf, job_id, guard.principal)
    guard.sensitive_read("job", job_id, "job_file")
    return Response(f.content, media_type=f.media_type,
                    headers={"Content-Disposition": f'inline; filename="{f.filename}"', "Cache-Control": "no-store"})


def _frame(event: str, data: object) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, default=str, separators=(',', ':'))}\n\n".encode()


@router.get("/jobs/{job_id}/events", response_model=None, dependencies=[JOB_READ],
            responses={200: {"description": "text/event-stream: `progress` events ({state, progress, message}) "
                                            "while the job runs, then one `end` event with the job",
                             "content": {"text/event-stream": {"schema": {"type": "string"}}}}})
def job_events(job_id: IdPath, request: Request, sf: SessionFactoryDep, guard: GuardDep) -> StreamingResponse:
    principal = guard.principal
    _visible(sf, guard, job_id)  # 403/404 outside the caller's scope, before the stream starts

    async def stream() -> AsyncIterator[bytes]:
        last: tuple[str, float, str] | None = None
        idle = streamed = 0.0
        yield b"retry: 2000\n\n"
        while True:
            job = await run_in_threadpool(svc.get, sf, job_id, principal)
            now = (str(job.state), round(job.progress, 4), job.message)
            if now != last:
                last, idle = now, 0.0
                yield _frame("progress", {"id": job.id, "state": now[0], "progress": now[1], "message": now[2]})
            if JobState(job.state) in TERMINAL:
                yield _frame("end", job_read(job, with_result=False).model_dump(mode="json"))
                return
            if await request.is_disconnected():
                return
            await asyncio.sleep(EVENT_POLL_S)
            idle += EVENT_POLL_S
            streamed += EVENT_POLL_S
            if streamed >= STREAM_MAX_S:
                return
            if idle >= KEEPALIVE_S:
                idle = 0.0
                yield b": keep-alive\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
