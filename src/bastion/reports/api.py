"""Site and region risk reports (HTML/PDF)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from typing import Literal

from fastapi import APIRouter
from fastapi import Query
from fastapi import Request
from fastapi import Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from bastion.access.http import GuardDep
from bastion.access.http import require
from bastion.access.policy import Permission
from bastion.jobs.http import ACCEPTED_DOC
from bastion.jobs.http import accept
from bastion.jobs.schemas import JobRead
from bastion.kernel.http import AtQ
from bastion.kernel.http import IdPath
from bastion.kernel.http import SessionDep
from bastion.reports import service as reports
from bastion.reports.jobs import REGION_PDF
from bastion.reports.jobs import SITE_PDF
from bastion.sites.guards import region_in_scope
from bastion.sites.guards import site_in_scope

router = APIRouter(prefix="/api/v1", tags=["reports"])
P = Permission


DOC_RESPONSES: dict[int | str, dict[str, object]] = {200: {"description": "the report as HTML or PDF", "content": {
    "text/html": {"schema": {"type": "string"}},
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}
Fmt = Annotated[Literal["html", "pdf"], Query(description="html (default) or pdf")]


def _doc(html: str, fmt: str, filename: str) -> Response:
    if fmt == "pdf":
        return Response(reports.to_pdf(html), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{filename}.pdf"'})
    return HTMLResponse(html)


@router.get("/sites/{site_id}/report", response_model=None, dependencies=[require(P.SITE_SENSITIVE_READ)],
            responses=DOC_RESPONSES)
def site_report(site_id: IdPath, session: SessionDep, guard: GuardDep, format: Fmt = "html", at: AtQ = None) -> Response:
    site_in_scope(session, guard, site_id, P.SITE_SENSITIVE_READ, "report")
    return _doc(reports.site_report_html(session, site_id, at=at), format, f"site-{site_id}")


@router.get("/regions/{region_id}/report", response_model=None, dependencies=[require(P.SITE_SENSITIVE_READ)],
            responses=DOC_RESPONSES)
def region_report(region_id: IdPath, session: SessionDep, guard: GuardDep, format: Fmt = "html",
                  at: AtQ = None) -> Response:
    region_in_scope(session, guard, region_id, P.SITE_SENSITIVE_READ, "report")
    return _doc(reports.region_report_html(session, region_id, at=at), format, f"region-{region_id}")


class ReportJobCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: dt.datetime | None = Field(None, description="local wall-clock time for occupancy, e.g. 2026-11-28T21:00")


@router.post("/sites/{site_id}/report-jobs", response_model=JobRead, status_code=202,
             dependencies=[require(P.SITE_SENSITIVE_READ)], responses=ACCEPTED_DOC)
def site_report_job(site_id: IdPath, body: ReportJobCreate, request: Request, response: Response,
                    session: SessionDep, guard: GuardDep) -> JobRead:
    """Print the site's report to PDF as a job (~12 s): 202 with Location /api/v1/jobs/{id}; the job's result links
    the PDF (GET /jobs/{id}/file). GET /sites/{id}/report?format=pdf still prints it within the request."""
    site = site_in_scope(session, guard, site_id, P.SITE_SENSITIVE_READ, "report")
    params = {"site_id": site_id, "at": body.at.isoformat() if body.at else None}
    return accept(request, response, SITE_PDF, params, region_id=site.region_id)


@router.post("/regions/{region_id}/report-jobs", response_model=JobRead, status_code=202,
             dependencies=[require(P.SITE_SENSITIVE_READ)], responses=ACCEPTED_DOC)
def region_report_job(region_id: IdPath, body: ReportJobCreate, request: Request, response: Response,
                      session: SessionDep, guard: GuardDep) -> JobRead:
    """Print the region's report to PDF as a job: 202 with Location /api/v1/jobs/{id}; the result links the PDF."""
    region_in_scope(session, guard, region_id, P.SITE_SENSITIVE_READ, "report")
    params = {"region_id": region_id, "at": body.at.isoformat() if body.at else None}
    return accept(request, response, REGION_PDF, params, region_id=region_id)
