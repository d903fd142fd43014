"""What a domain route needs to answer long work with 202 Accepted and a job (docs/jobs.md):

    @router.post("/regions/{region_id}/patrol-plans", response_model=JobRead, status_code=202, ...)
    def create_plan(..., request: Request, response: Response, guard: GuardDep) -> JobRead:
        return accept(request, response, PLAN, params, region_id=region_id)
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi import Response

from bastion.access.http import client_address
from bastion.jobs import service as svc
from bastion.jobs.schemas import JobRead
from bastion.jobs.schemas import job_read
from bastion.kernel.jobs import JobKind

ACCEPTED_DOC: dict[int | str, dict[str, Any]] = {202: {
    "description": "accepted: the work runs as a job; Location is /api/v1/jobs/{id} (follow its events link for "
                   "progress, its result link when it succeeded)"}}


def accept(request: Request, response: Response, kind: JobKind, params: dict[str, Any], *,
           region_id: int | None) -> JobRead:
    """Queue ``kind`` for the request's principal (an ``Idempotency-Key`` header makes a retry return the same
    job) and answer 202 with Location."""
    job = svc.submit(request.app.state.session_factory, kind, params, principal=request.state.principal,
                     region_id=region_id, idempotency_key=request.headers.get("idempotency-key"),
                     client=client_address(request))
    response.status_code = 202
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return job_read(job, with_result=False)
