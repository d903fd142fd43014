"""`bastion risk | measures | inspect | tasks | threat-level | report`: tiers, risk, the supervision loop."""

from __future__ import annotations

from pathlib import Path

import typer

from bastion.kernel.cli import (
    console,
    handle_errors,
    parse_local_time,
    session_factory,
)
from bastion.kernel.errors import InvalidInput
from bastion.regions.repository import RegionRepo
from bastion.reports import service as reports

report_app = typer.Typer(help="HTML/PDF risk reports per site and per region.", no_args_is_help=True)


def _write(html_text: str, html_out: Path | None, pdf: Path | None) -> None:
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
def report_site(site_id: int = typer.Argument(...), pdf: Path | None = typer.Option(None, "--pdf"),
                html_out: Path | None = typer.Option(None, "--html"), at: str | None = typer.Option(None, "--at")) -> None:
    """Site report: tiers under three regimes, risk per threat, gaps, open tasks."""
    with session_factory()() as s:
        _write(reports.site_report_html(s, site_id, at=parse_local_time(at)), html_out, pdf)


@report_app.command("region")
@handle_errors
def report_region(region: str = typer.Argument(...), pdf: Path | None = typer.Option(None, "--pdf"),
                  html_out: Path | None = typer.Option(None, "--html"), at: str | None = typer.Option(None, "--at")) -> None:
    """Region report: ranking table, 4×4 risk matrix and bar chart."""
    with session_factory()() as s:
        _write(reports.region_report_html(s, RegionRepo(s).get_by_ref(region).id, at=parse_local_time(at)), html_out, pdf)
