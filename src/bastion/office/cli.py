"""`bastion office ...`: responsibility rules and matrix, duties, campaigns, notices, escalation, deliveries,
scorecards (and `bastion office briefing`, added by the posture domain)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import typer
from rich.table import Table

from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import json_option
from bastion.kernel.cli import parse_now
from bastion.kernel.cli import print_items
from bastion.kernel.cli import print_json
from bastion.kernel.cli import region_option
from bastion.kernel.cli import session_factory
from bastion.kernel.errors import InvalidInput
from bastion.regions.repository import RegionRepo

if TYPE_CHECKING:
    from bastion.kernel.jobs import JobKind

app = typer.Typer(help="Lead office: responsibility rules, duties, campaigns, escalation, notifications, "
                       "scorecards.", no_args_is_help=True)


def _rid(region: str) -> int:
    with session_factory()() as s:
        return RegionRepo(s).get_by_ref(region).id


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--{name} must be a date like 2026-11-30, got {value!r}", field=name) from None


@app.command("import-rules")
@handle_errors
def import_rules(csv_file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                                 help="CSV: role,agency,region,category,tier,site_id,reason"),
                 as_json: bool = json_option()) -> None:
    """Import responsibility rules and per-site exceptions (all rows checked first; nothing written on error)."""
    from bastion.office import responsibility as resp

    r = resp.import_csv(session_factory(), csv_file.read_text(encoding="utf-8-sig"))
    if as_json:
        print_json(r.__dict__)
        return
    console.print(f"{r.rows} rows: {r.rules_created} rules created, {r.rules_changed} changed, "
                  f"{r.exceptions_created} exceptions created, {r.exceptions_changed} changed, {r.unchanged} unchanged")


@app.command("matrix")
@handle_errors
def matrix(region: str = region_option(), as_json: bool = json_option()) -> None:
    """The responsibility matrix: each site's operator, supervising agency and lead office."""
    from bastion.office import responsibility as resp

    with session_factory()() as s:
        rows, res = resp.matrix(s, _rid(region))
    def name(cell: tuple[int, str, str] | None) -> str | None:
        return None if cell is None else cell[1]

    if as_json:
        print_items([{"site_id": r.site_id, "site": r.site_name, "category": r.category, "tiers": list(r.tiers),
                      "operator": name(r.operator), "supervising": name(r.supervising), "lead": name(r.lead)}
                     for r in rows])
        return
    t = Table("site", "name", "category", "operator", "supervising", "lead", title=f"{len(rows)} sites")
    for r in rows:
        t.add_row(str(r.site_id), r.site_name or "", r.category, name(r.operator) or "—",
                  name(r.supervising) or "—", name(r.lead) or "—")
    console.print(t)
    if res.conflicts:
        console.print(f"{len(res.conflicts)} sites with equally specific rules naming different agencies "
                      "(lowest rule id used)")


@app.command("duties")
@handle_errors
def duties(region: str | None = region_option(None), on: str | None = typer.Option(None, "--on",
           help="A day of the period (default today)."), as_json: bool = json_option()) -> None:
    """Generate the duties of the periods containing --on (idempotent: running it again creates nothing). Runs
    the office.duties job here with a progress bar (recorded: `bastion jobs list`)."""
    from bastion.office.jobs import DUTIES

    day = _date(on, "on") or dt.date.today()
    rid = _rid(region) if region else None
    params = {"region_id": rid, "on": day.isoformat(), "now": parse_now(None).isoformat()}
    r, job_id = _run(DUTIES, params, rid, "generating duties", as_json)
    if as_json:
        print_json({**r, "job_id": job_id})
        return
    console.print(f"{r['sites']} sites: {r['created']} duties created, {r['existing']} already there, "
                  f"{r['unassigned']} with no agency for the role, in {r['runtime_s']:.2f} s (job {job_id})")


@app.command("coverage-refresh")
@handle_errors
def coverage_refresh(region: str = region_option(), now: str | None = typer.Option(None, "--now"),
                     as_json: bool = json_option()) -> None:
    """Store the region's per-site response coverage (1/3/5 min) that the scorecards' coverage figure reads."""
    from bastion.office.jobs import COVERAGE

    rid = _rid(region)
    r, job_id = _run(COVERAGE, {"region_id": rid, "now": parse_now(now).isoformat()}, rid, "coverage", as_json)
    if as_json:
        print_json({**r, "job_id": job_id})
        return
    within = ", ".join(f"{n} within {s // 60} min" for n, s in zip(r["within"], r["standards_s"], strict=True))
    console.print(f"{r['sites']} sites stored ({r['flagged']} off the road graph, {r['units']} units): {within} "
                  f"(job {job_id})")


@app.command("duty-done")
@handle_errors
def duty_done(duty_id: int = typer.Argument(...),
              evidence: str = typer.Option(..., "--evidence", help="What shows it was done: a record reference, a "
                                           "date or counts (never names)."),
              now: str | None = typer.Option(None, "--now")) -> None:
    """Mark a duty done with its evidence."""
    from bastion.office import duties as svc

    d = svc.complete_duty(session_factory(), duty_id, now=parse_now(now), evidence=evidence)
    console.print(f"duty {d.id} ({d.code}, {d.period}) done")


@app.command("campaign")
@handle_errors
def campaign(name: str = typer.Argument(...), region: str = region_option(),
             category: list[str] = typer.Option([], "--category", help="Site category (repeat); none = all."),
             tier: list[str] = typer.Option([], "--tier", help="'<standard>:<tier>' (repeat); none = all."),
             measure: list[str] = typer.Option([], "--measure", help="Checklist measure (repeat); none = all."),
             days: int = typer.Option(10, "--days", help="Deadline in days."),
             clock: str = typer.Option("business", "--clock", help="business (skips holidays) or calendar."),
             holidays: str | None = typer.Option(None, "--holidays", help="Holiday region, e.g. GB-ENG, CN, MC."),
             now: str | None = typer.Option(None, "--now", help="ISO time with zone (default now)."),
             as_json: bool = json_option()) -> None:
    """Launch a supervision campaign: one inspection per site in scope, for its supervising agency. Runs the
    office.campaign job here with a progress bar (recorded: `bastion jobs list`)."""
    from bastion.office import campaigns
    from bastion.office.jobs import CAMPAIGN

    rid = _rid(region)
    campaigns.validate(campaigns.CampaignSpec(name, rid, category, tier, measure, days, clock, holidays))
    at = parse_now(now)
    params = {"region_id": rid, "name": name, "categories": category, "tiers": tier, "checklist": measure,
              "deadline_days": days, "clock": clock, "holiday_region": holidays, "actor": "cli",
              "now": at.isoformat()}
    r, job_id = _run(CAMPAIGN, params, rid, "launching campaign", as_json)
    with session_factory()() as s:
        board = campaigns.board(s, int(r["campaign_id"]), now=at)
    if as_json:
        print_json({"id": r["campaign_id"], "deadline": r["deadline"], "job_id": job_id,
                    "board": [b.__dict__ for b in board]})
        return
    console.print(f"campaign {r['campaign_id']}: deadline {r['deadline'][:16].replace('T', ' ')} UTC (job {job_id})")
    t = Table("agency", "sites", "completed", "overdue", "rectifications open")
    for b in board:
        t.add_row(b.agency, str(b.sites), str(b.completed), str(b.overdue), str(b.tasks_open))
    console.print(t)


def _run(kind: JobKind, params: dict[str, Any], rid: int | None, title: str,
         as_json: bool) -> tuple[dict[str, Any], int]:
    """Queue ``kind`` and run it in the foreground (a progress bar unless the output is JSON)."""
    from bastion.jobs.foreground import cli_principal
    from bastion.jobs.foreground import run_with_bar
    from bastion.jobs.service import run_foreground

    if as_json:
        job = run_foreground(session_factory(), kind, params, principal=cli_principal(), region_id=rid)
    else:
        job = run_with_bar(kind, params, region_id=rid, title=title)
    return dict(job.result or {}), job.id


@app.command("notice")
@handle_errors
def notice(site_id: int = typer.Argument(...), campaign: int | None = typer.Option(None, "--campaign"),
           lang: str = typer.Option("en", "--lang", help="en or zh-CN"),
           out: Path = typer.Option(..., "--out", help="File to write (.html or .pdf).")) -> None:
    """Write a printable rectification notice (整改通知书) for a site."""
    from bastion.kernel.db.base import utcnow
    from bastion.kernel.i18n import check_lang
    from bastion.office import campaigns
    from bastion.office import render

    with session_factory()() as s:
        n = campaigns.notice(s, site_id, campaign_id=campaign, now=utcnow(), lang=check_lang(lang))
    html = render.notice_html(n, lang=lang)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(render.to_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
    console.print(f"notice {n.notice_no}: {len(n.issues)} issues -> {out}")


@app.command("tick")
@handle_errors
def tick(now: str | None = typer.Option(None, "--now", help="ISO time with zone (default now)."),
         ladder: str | None = typer.Option(None, "--ladder", help="e.g. -24h:owner,2bd:supervising,5bd:lead")) -> None:
    """Run the escalation ladders and deliver pending notifications once (the server does this every 20 s)."""
    from bastion.office import escalation
    from bastion.office import notify

    sf = session_factory()
    at = parse_now(now)
    fired = (escalation.run_due(sf, at, ladder=escalation.parse_ladder(ladder)) if ladder
             else escalation.run_due(sf, at))
    rep = notify.deliver_pending(sf, at)
    console.print(f"{len(fired)} escalation steps fired; {rep.sent} sent, {rep.retrying} to retry, {rep.failed} failed")


@app.command("endpoint")
@handle_errors
def endpoint(agency_id: int = typer.Argument(...), channel: str = typer.Argument(..., help="email or webhook"),
             address: str = typer.Argument(..., help="An agency duty mailbox or a webhook URL.")) -> None:
    """Set where an agency receives notifications."""
    from bastion.office import notify

    notify.set_endpoint(session_factory(), agency_id, channel, address)
    console.print(f"agency {agency_id}: {channel} -> {address}")


@app.command("scorecards")
@handle_errors
def scorecards(region: str | None = region_option(None), by: str = typer.Option("agency", "--by",
               help="agency or region"), start: str | None = typer.Option(None, "--start"),
               end: str | None = typer.Option(None, "--end"), as_json: bool = json_option()) -> None:
    """Scorecards per agency or per jurisdiction (never per person); window [start, end), default 30 days."""
    from bastion.office import scorecards as svc

    e = _date(end, "end") or dt.date.today() + dt.timedelta(days=1)
    st = _date(start, "start") or e - dt.timedelta(days=30)
    if by not in ("agency", "region"):
        raise InvalidInput("--by must be agency or region", field="by")
    with session_factory()() as s:
        cards = svc.scorecards(s, start=st, end=e, by=by, region_id=_rid(region) if region else None)
    items = [{"name": c.name, "due": c.rectification.due + c.duties.due,
              "rectification_on_time_pct": c.rectification.on_time_pct,
              "rectification_median_days": c.rectification.median_days_to_close,
              "duties_on_time_pct": c.duties.on_time_pct, "inspections_on_time": c.inspections_on_time,
              "inspections_due": c.inspections_due, "drills": f"{c.drills_done}/{c.drills_due}",
              "coverage_sites": c.coverage.sites if c.coverage else 0,
              "coverage_180s_pct": c.coverage.share_pct[1] if c.coverage else None} for c in cards]
    if as_json:
        print_items(items)
        return
    t = Table("name", "due", "rect. on time %", "median days", "duties on time %", "inspections", "drills",
              "sites ≤ 3 min %", title=f"window {st} – {e} (exclusive); coverage: latest refresh")
    for i in items:
        t.add_row(str(i["name"]), str(i["due"]), str(i["rectification_on_time_pct"] or "—"),
                  str(i["rectification_median_days"] or "—"), str(i["duties_on_time_pct"] or "—"),
                  f"{i['inspections_on_time']}/{i['inspections_due']}", str(i["drills"]),
                  f"{i['coverage_180s_pct']} ({i['coverage_sites']})" if i["coverage_sites"] else "—")
    console.print(t)
