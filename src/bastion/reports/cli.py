"""`bastion report site | region`: HTML/PDF risk reports."""

from __future__ import annotations

from pathlib import Path

import typer

from bastion.kernel.cli import audit_read
from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import parse_local_time
from bastion.kernel.cli import region_option
from bastion.kernel.cli import session_factory
from bastion.kernel.errors import InvalidInput
from bastion.regions.repository import RegionRepo

report_app = typer.Typer(help="HTML/PDF risk reports per site and per region.", no_args_is_help=True)

PDF = typer.Option(None, "--pdf", help="PDF file to write.")
HTML = typer.Option(None, "--html", help="HTML file to write.")
AT = typer.Option(None, "--at", help="Local time for occupancy, e.g. 2026-11-28T21:00.")


def _write(html_text: str, html_out: Path | None, pdf: Path | None) -> None:
    from bastion.reports import service as reports

    if html_out is None and pdf is None:
        raise InvalidInput("give --html FILE and/or --pdf FILE", field="pdf")
    for p in (html_out, pdf):
        if p is not None and not p.parent.exists():
            raise InvalidInput(f"folder {str(p.parent)!r} does not exist", field="pdf" if p is pdf else "html")
    if html_out is not None:
        html_out.write_text(html_text, encoding="utf-8")
        console.print(f"wrote {html_out}")
    if pdf is not None:
        pdf.write_bytes(reports.to_pdf(html_text))
        console.print(f"wrote {pdf}")


@report_app.command("site")
@handle_errors
def report_site(site_id: int = typer.Argument(..., help="Site id."), pdf: Path | None = PDF,
                html_out: Path | None = HTML, at: str | None = AT) -> None:
    """Site report: tiers under three regimes, risk per threat, gaps, open tasks."""
    from bastion.reports import service as reports

    with session_factory()() as s:
        _write(reports.site_report_html(s, site_id, at=parse_local_time(at)), html_out, pdf)
    audit_read("report", object_type="site", object_id=site_id)


@report_app.command("region")
@handle_errors
def report_region(region: str = region_option(), pdf: Path | None = PDF, html_out: Path | None = HTML,
                  at: str | None = AT) -> None:
    """Region report: ranking table, 4×4 risk matrix and bar chart."""
    from bastion.reports import service as reports

    with session_factory()() as s:
        rid = RegionRepo(s).get_by_ref(region).id
        _write(reports.region_report_html(s, rid, at=parse_local_time(at)), html_out, pdf)
    audit_read("report", object_type="region", object_id=rid)
