"""Site and region risk reports (HTML/PDF)."""

from __future__ import annotations

from typing import Annotated
from typing import Literal

from fastapi import APIRouter
from fastapi import Query
from fastapi import Response
from fastapi.responses import HTMLResponse

from bastion.access.http import GuardDep
from bastion.access.http import require
from bastion.access.policy import Permission
from bastion.kernel.http import AtQ
from bastion.kernel.http import IdPath
from bastion.kernel.http import SessionDep
from bastion.reports import service as reports
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
