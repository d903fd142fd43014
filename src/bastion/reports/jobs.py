"""PDF reports as jobs: WeasyPrint takes ~12 s for a site and longer for a region, so the API queues them; the PDF
is kept with the job (GET /api/v1/jobs/{id}/file)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bastion.kernel.jobs import JobContext
from bastion.kernel.jobs import JobKind


def _at(params: dict[str, Any]) -> dt.datetime | None:
    return dt.datetime.fromisoformat(params["at"]) if params.get("at") else None


def run_site_pdf(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    from bastion.access.policy import Permission
    from bastion.access.policy import Resource
    from bastion.access.policy import allows
    from bastion.kernel.errors import PermissionDenied
    from bastion.reports import service as reports
    from bastion.sites.repository import SiteRepo

    site_id = int(params["site_id"])
    with ctx.session_factory() as s:
        site = SiteRepo(s).get(site_id)
        if not allows(ctx.principal, Permission.SITE_SENSITIVE_READ,
                      Resource(region_id=site.region_id, operator_agency_id=site.operator_agency_id)):
            raise PermissionDenied(f"the account that asked no longer holds site:sensitive_read for site {site_id}")
        ctx.progress(0.1, "writing the report")
        html = reports.site_report_html(s, site_id, at=_at(params))
    ctx.check_cancelled()
    ctx.progress(0.3, "printing to PDF")
    pdf = reports.to_pdf(html)
    url = ctx.save_file(f"site-{site_id}.pdf", "application/pdf", pdf)
    return {"site_id": site_id, "file_url": url, "size_bytes": len(pdf)}


def run_region_pdf(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    from bastion.reports import service as reports

    region_id = int(params["region_id"])
    ctx.progress(0.1, "writing the report")
    with ctx.session_factory() as s:
        html = reports.region_report_html(s, region_id, at=_at(params))
    ctx.check_cancelled()
    ctx.progress(0.3, "printing to PDF")
    pdf = reports.to_pdf(html)
    url = ctx.save_file(f"region-{region_id}.pdf", "application/pdf", pdf)
    return {"region_id": region_id, "file_url": url, "size_bytes": len(pdf)}


# the site report checks site:sensitive_read on the site itself (agency reach included) inside run()
SITE_PDF = JobKind("reports.site_pdf", (), run_site_pdf, result_link=lambda _p, r: str(r["file_url"]))
REGION_PDF = JobKind("reports.region_pdf", ("site:sensitive_read",), run_region_pdf,
                     result_link=lambda _p, r: str(r["file_url"]))
KINDS = (SITE_PDF, REGION_PDF)
