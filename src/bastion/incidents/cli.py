"""`bastion incidents` (open, list, show, note, update, units, unit, recommend, dispatch, cordon, moveups, warn,
approve, close, report, import, schedule, sitreps, sitrep, tick, run-card)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from bastion.incidents import csvimport
from bastion.incidents import dispatch
from bastion.incidents import render
from bastion.incidents import runcards
from bastion.incidents import service as svc
from bastion.incidents import sitreps
from bastion.incidents import warnings as cap
from bastion.incidents.enums import Capability
from bastion.incidents.enums import IncidentType
from bastion.incidents.enums import Mode
from bastion.incidents.enums import Severity
from bastion.incidents.enums import UnitStatus
from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import json_option
from bastion.kernel.cli import parse_local_time
from bastion.kernel.cli import parse_lonlat
from bastion.kernel.cli import parse_now
from bastion.kernel.cli import print_items
from bastion.kernel.cli import print_json
from bastion.kernel.cli import region_option
from bastion.kernel.cli import session_factory
from bastion.kernel.db.base import utcnow
from bastion.kernel.errors import InvalidInput
from bastion.regions.repository import RegionRepo

incidents_app = typer.Typer(help="Incidents: M/ETHANE intake, timeline, unit status, dispatch, cordons, move-ups, "
                                 "warnings (counts and call signs, never people).", no_args_is_help=True)


def _actor() -> svc.Actor:
    try:
        who = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        who = "unknown"
    return svc.Actor(f"cli:{who}", None, "local")


def _inc_dict(i: object) -> dict[str, object]:
    keys = ("id", "region_id", "mode", "status", "incident_type", "severity", "title", "major_incident", "site_id",
            "lon", "lat", "location_text", "hazards", "access", "casualties", "services_present", "services_required",
            "device", "version", "opened_at", "closed_at")
    return {k: getattr(i, k) for k in keys}


def _casualties(text: str | None) -> dict[str, int]:
    if not text:
        return {}
    out = {}
    for part in text.split(","):
        k, _, v = part.partition("=")
        if not v.strip().isdigit():
            raise InvalidInput(f"--casualties {part!r}: write category=count, e.g. immediate=2,urgent=1",
                               field="casualties")
        out[k.strip()] = int(v)
    return out


@incidents_app.command("open")
@handle_errors
def open_(
    region: str = region_option(),
    incident_type: str = typer.Option(..., "--type", help=", ".join(IncidentType)),
    severity: str = typer.Option(..., "--severity", help=", ".join(Severity)),
    title: str = typer.Option(..., "--title"),
    mode: str = typer.Option("real", "--mode", help=", ".join(Mode)),
    at: str | None = typer.Option(None, "--at", help="lon,lat of the incident"),
    site: str | None = typer.Option(None, "--site", help="a site id or exact name in the region (instead of --at)"),
    casualties: str | None = typer.Option(None, "--casualties", help="immediate=2,urgent=1,delayed=0,dead=0"),
    hazards: str | None = typer.Option(None, "--hazards"),
    access: str | None = typer.Option(None, "--access"),
    major: str = typer.Option("not_declared", "--major", help="not_declared, standby, declared, stand_down, cancelled"),
    device: str | None = typer.Option(None, "--device", help="NCTC chart device, e.g. sedan"),
    as_json: bool = json_option(),
) -> None:
    """Open an incident (an M/ETHANE report)."""
    lon, lat = parse_lonlat(at, "--at") if at else (None, None)
    site_id = int(site) if site is not None and site.strip().isdigit() else None
    site_query = site if site is not None and site_id is None else None
    inc = svc.create_incident(session_factory(), svc.IncidentSpec(
        region=region, incident_type=incident_type, severity=severity, title=title, mode=mode, lon=lon, lat=lat,
        site_query=site_query, site_id=site_id, casualties=_casualties(casualties), hazards=hazards, access=access,
        major_incident=major, device=device), actor=_actor(), now=utcnow())
    if as_json:
        print_json(_inc_dict(inc))
        return
    console.print(f"incident {inc.id} opened ({inc.mode}, {inc.incident_type}, {inc.severity}), version {inc.version}")


@incidents_app.command("import")
@handle_errors
def import_(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="a CSV of incidents"),
            region: str = region_option()) -> None:
    """Import incidents from CSV (all rows or none; a ref already imported is skipped). Columns: ref, mode,
    incident_type, severity, title, opened_at, site_id | site | lon + lat, location_text, hazards, access,
    major_incident, immediate, urgent, delayed, expectant, dead, services_present, services_required, device."""
    r = csvimport.import_csv(session_factory(), region, file.read_text(encoding="utf-8-sig"), actor=_actor(),
                             now=utcnow())
    console.print(f"{r.rows} rows: {len(r.created)} incidents created, {len(r.existing)} already imported")


@incidents_app.command("list")
@handle_errors
def list_(region: str | None = region_option(None), modes: str = typer.Option("real", "--modes",
          help="comma-separated: real,exercise,test"), status: str | None = typer.Option(None, "--status"),
          as_json: bool = json_option()) -> None:
    """List incidents (real only unless --modes says otherwise), newest first."""
    with session_factory()() as s:
        rids = None if region is None else [RegionRepo(s).get_by_ref(region).id]
        rows = svc.list_incidents(s, region_ids=rids, modes=[m.strip() for m in modes.split(",")], status=status)
    if as_json:
        print_items([_inc_dict(i) for i in rows])
        return
    t = Table("id", "mode", "status", "type", "severity", "title", "casualties", "opened", title=f"{len(rows)} incidents")
    for i in rows:
        t.add_row(str(i.id), i.mode, i.status, i.incident_type, i.severity, i.title,
                  str(svc.triage_total(i.casualties)), i.opened_at.strftime("%Y-%m-%d %H:%M"))
    console.print(t)


@incidents_app.command("show")
@handle_errors
def show(incident_id: int = typer.Argument(...), as_json: bool = json_option()) -> None:
    """An incident and its timeline."""
    with session_factory()() as s:
        inc = svc.get_incident(s, incident_id)
        tl = svc.timeline(s, incident_id)
    if as_json:
        print_json({**_inc_dict(inc), "timeline": [{"seq": e.seq, "at": e.at, "kind": e.kind, "text": e.text,
                                                    "actor": e.actor, "audit_seq": e.audit_seq} for e in tl]})
        return
    console.print(f"incident {inc.id} [{inc.mode}] {inc.status}: {inc.title} ({inc.incident_type}, {inc.severity}), "
                  f"casualties {inc.casualties}, version {inc.version}")
    t = Table("#", "time (UTC)", "kind", "entry", "by", title="timeline")
    for e in tl:
        t.add_row(str(e.seq), e.at.strftime("%H:%M:%S"), e.kind, e.text, e.actor)
    console.print(t)


@incidents_app.command("note")
@handle_errors
def note(incident_id: int = typer.Argument(...), text: str = typer.Option(..., "--text")) -> None:
    """Append a message or action to the timeline."""
    e = svc.add_note(session_factory(), incident_id, text, actor=_actor(), now=utcnow())
    console.print(f"timeline entry {e.seq} added to incident {incident_id}")


@incidents_app.command("update")
@handle_errors
def update(incident_id: int = typer.Argument(...), version: int = typer.Option(..., "--version"),
           severity: str | None = typer.Option(None, "--severity"), casualties: str | None = typer.Option(None,
           "--casualties"), hazards: str | None = typer.Option(None, "--hazards"),
           major: str | None = typer.Option(None, "--major")) -> None:
    """Edit an incident (give the --version you read: a stale one is refused)."""
    ch: dict[str, object] = {}
    if severity is not None:
        ch["severity"] = severity
    if casualties is not None:
        ch["casualties"] = _casualties(casualties)
    if hazards is not None:
        ch["hazards"] = hazards
    if major is not None:
        ch["major_incident"] = major
    inc = svc.update_incident(session_factory(), incident_id, ch, expected_version=version, actor=_actor(), now=utcnow())
    console.print(f"incident {inc.id} updated, version {inc.version}")


@incidents_app.command("units")
@handle_errors
def units_(region: str = region_option(), as_json: bool = json_option()) -> None:
    """The region's units with their live status and last known position."""
    with session_factory()() as s:
        views = svc.unit_views(s, [RegionRepo(s).get_by_ref(region).id])
    items = [{"unit_id": v.unit.id, "call_sign": v.unit.name, "type": v.unit.unit_type, "status": v.state.status,
              "lon": v.position[0], "lat": v.position[1], "incident_id": v.state.incident_id,
              "crew_count": v.state.crew_count, "capabilities": sorted(v.capabilities), "version": v.state.version}
             for v in views]
    if as_json:
        print_items(items)
        return
    t = Table("id", "call sign", "type", "status", "incident", "crew", "capabilities", "version",
              title=f"{len(items)} units")
    for x in items:
        t.add_row(str(x["unit_id"]), str(x["call_sign"]), str(x["type"]), str(x["status"]),
                  str(x["incident_id"] or ""), str(x["crew_count"] or ""), ",".join(x["capabilities"]),  # type: ignore[arg-type]
                  str(x["version"]))
    console.print(t)


@incidents_app.command("unit")
@handle_errors
def unit(unit_id: int = typer.Argument(...), version: int = typer.Option(..., "--version"),
         status: str | None = typer.Option(None, "--status", help=", ".join(UnitStatus)),
         incident: int | None = typer.Option(None, "--incident"), at: str | None = typer.Option(None, "--at",
         help="position report lon,lat"), crew: int | None = typer.Option(None, "--crew"),
         capabilities: str | None = typer.Option(None, "--capabilities", help=", ".join(Capability))) -> None:
    """Change a unit's status (state machine), position, crew count or capabilities."""
    lon, lat = parse_lonlat(at, "--at") if at else (None, None)
    caps = None if capabilities is None else [c.strip() for c in capabilities.split(",") if c.strip()]
    v = svc.change_unit(session_factory(), unit_id, svc.UnitChange(status=status, incident_id=incident, lon=lon,
                                                                   lat=lat, crew_count=crew, capabilities=caps),
                        expected_version=version, actor=_actor(), now=utcnow())
    console.print(f"unit {unit_id} ({v.unit.name}): {v.state.status}, version {v.state.version}")


@incidents_app.command("recommend")
@handle_errors
def recommend(incident_id: int = typer.Argument(...), limit_s: float = typer.Option(900, "--limit-s"),
              top: int = typer.Option(10, "--top"), as_json: bool = json_option()) -> None:
    """Rank available units by road ETA (one bounded reverse search from the incident)."""
    with session_factory()() as s:
        rec = dispatch.recommend(s, incident_id, limit_s=limit_s)
    items = [{"unit_id": r.unit_id, "call_sign": rec.call_signs[r.unit_id], "eta_s": None if r.eta_s == float("inf")
              else round(r.eta_s, 1), "meets_s": list(r.meets_s), "missing": list(r.capability_missing)}
             for r in rec.ranked[:top]]
    if as_json:
        print_items(items, total=len(rec.ranked))
        return
    t = Table("unit", "call sign", "ETA", "meets", "missing capability",
              title=f"needs {', '.join(rec.required) or 'nothing special'}; {len(rec.ranked)} units")
    for r in rec.ranked[:top]:
        eta = "beyond bound" if r.eta_s == float("inf") else f"{r.eta_s:.0f} s"
        t.add_row(str(r.unit_id), rec.call_signs[r.unit_id], eta, ",".join(f"{m}s" for m in r.meets_s),
                  ",".join(r.capability_missing))
    console.print(t)


@incidents_app.command("dispatch")
@handle_errors
def dispatch_(incident_id: int = typer.Argument(...), units: str = typer.Option(..., "--units",
              help="unit ids, comma-separated")) -> None:
    """Commit units to an incident (status dispatched, on the timeline)."""
    ids = [int(x) for x in units.split(",") if x.strip()]
    out = dispatch.dispatch_units(session_factory(), incident_id, ids, actor=_actor(), now=utcnow())
    console.print(f"{len(out)} units dispatched to incident {incident_id}")


@incidents_app.command("cordon")
@handle_errors
def cordon(incident_id: int = typer.Argument(...), device: str | None = typer.Option(None, "--device"),
           inner_m: float | None = typer.Option(None, "--inner-m"), outer_m: float | None = typer.Option(None,
           "--outer-m"), lift: bool = typer.Option(False, "--lift"), at: str | None = typer.Option(None, "--at",
           help="local time for the people expected, e.g. 2026-12-05T21:00"), as_json: bool = json_option()) -> None:
    """Draw or redraw the cordon; list sites, schools and hospitals inside each ring and the people expected."""
    sf = session_factory()
    dispatch.draw_cordon(sf, incident_id, actor=_actor(), now=utcnow(), inner_m=inner_m, outer_m=outer_m,
                         device=device, active=not lift)
    with sf() as s:
        view = dispatch.cordon_view(s, incident_id, at=parse_local_time(at) or utcnow())
    c = view.cordon
    if as_json:
        print_json({"inner_m": c.inner_m, "outer_m": c.outer_m, "source": c.source, "people_inner": view.people_inner,
                    "people_outer": view.people_outer, "closed_road_nodes": view.closed_road_nodes,
                    "sites": [x.__dict__ for x in view.sites]})
        return
    console.print(f"cordon inner {c.inner_m:.0f} m, outer {c.outer_m:.0f} m ({c.source}); people expected: inner "
                  f"{view.people_inner:.0f}, outer {view.people_outer:.0f}; {view.closed_road_nodes} road nodes closed")
    t = Table("ring", "site", "kind", "distance (m)", "people", title=f"{len(view.sites)} sites inside")
    for x in view.sites:
        flag = " (school)" if x.school else " (hospital)" if x.hospital else ""
        t.add_row(x.ring, f"{x.name or x.site_id}{flag}", x.kind, f"{x.distance_m:.0f}", f"{x.people_expected:.0f}")
    console.print(t)


@incidents_app.command("moveups")
@handle_errors
def moveups(region: str = region_option(), max_moves: int = typer.Option(3, "--max-moves"),
            as_json: bool = json_option()) -> None:
    """Crowded places that lost 3-minute coverage, and at most K moves of idle units restoring the most."""
    with session_factory()() as s:
        p = dispatch.propose_moveups(s, region, max_moves=max_moves, at=utcnow())
    data = {"moves": [{"unit_id": m[0], "call_sign": m[1], "to_lon": m[3], "to_lat": m[4]} for m in p.moves],
            "before_people": p.before_people, "committed_people": p.committed_people, "after_people": p.after_people,
            "lost_sites": list(p.lost_sites), "restored_sites": list(p.restored_sites), "status": p.status,
            "runtime_s": round(p.runtime_s, 3)}
    if as_json:
        print_json(data)
        return
    console.print(f"people covered within 3 min: {p.before_people:.0f} before, {p.committed_people:.0f} with "
                  f"{p.committed_units} units committed, {p.after_people:.0f} after {len(p.moves)} moves "
                  f"({len(p.lost_sites)} sites lost, {len(p.restored_sites)} restored; {p.status}, {p.runtime_s:.2f} s)")
    for m in data["moves"]:  # type: ignore[attr-defined]
        console.print(f"  move {m['call_sign']} (unit {m['unit_id']}) to {m['to_lon']:.5f},{m['to_lat']:.5f}")


@incidents_app.command("warn")
@handle_errors
def warn(incident_id: int = typer.Argument(...), headline: str = typer.Option(..., "--headline"),
         instruction: str = typer.Option(..., "--instruction"), radius_m: float | None = typer.Option(None,
         "--radius-m")) -> None:
    """Draft a CAP 1.2 public warning (published only after a second person approves it)."""
    w = cap.draft(session_factory(), incident_id, headline=headline, instruction=instruction, radius_m=radius_m,
                  actor=_actor(), now=utcnow())
    console.print(f"warning {w.id} drafted ({w.identifier}); a second person approves it with "
                  f"`bastion incidents approve {w.id}`")


@incidents_app.command("approve")
@handle_errors
def approve(warning_id: int = typer.Argument(...),
            out: Path | None = typer.Option(None, "--out", help="write the CAP XML here")) -> None:
    """Approve and publish a drafted warning: a second person (another OS account than the drafter's)."""
    w = cap.approve(session_factory(), warning_id, actor=_actor(), now=utcnow())
    if out is not None:
        out.write_text(w.xml or "", encoding="utf-8")
    console.print(f"warning {w.id} published ({w.identifier}); CAP 1.2 schema-valid")


@incidents_app.command("close")
@handle_errors
def close(incident_id: int = typer.Argument(...), version: int = typer.Option(..., "--version"),
          lessons: Path | None = typer.Option(None, "--lessons", help="JSON list of {text, owner_agency, "
                                                                      "deadline_days, site_id}")) -> None:
    """Close an incident; lessons become rectification tasks."""
    items = json.loads(lessons.read_text(encoding="utf-8")) if lessons else []
    if not isinstance(items, list):
        raise InvalidInput("--lessons must hold a JSON list", field="lessons")
    specs = [svc.LessonSpec(str(x.get("text", "")), str(x.get("owner_agency", "")), int(x.get("deadline_days", 30)),
                            x.get("site_id")) for x in items]
    inc, tasks = svc.close_incident(session_factory(), incident_id, expected_version=version, actor=_actor(),
                                    now=utcnow(), lessons=specs)
    console.print(f"incident {inc.id} closed; rectification tasks {tasks}")


@incidents_app.command("report")
@handle_errors
def report(incident_id: int = typer.Argument(...), out: Path = typer.Option(..., "--out", help=".html or .pdf"),
           lang: str = typer.Option("en", "--lang", help="the report's language: en or zh-CN")) -> None:
    """Situation report (ICS-209-like) as HTML or PDF."""
    with session_factory()() as s:
        html = render.sitrep_html(s, incident_id, at=utcnow(), lang=lang)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(render.to_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
    console.print(f"report written to {out}")


@incidents_app.command("schedule")
@handle_errors
def schedule(incident_id: int = typer.Argument(...),
             every: int | None = typer.Option(None, "--every", help="minutes between reports (5 to 1440)"),
             at: str | None = typer.Option(None, "--at", help="fixed daily UTC times, e.g. 06:00,18:00"),
             lang: str = typer.Option("en", "--lang", help="the reports' language: en or zh-CN"),
             stop: bool = typer.Option(False, "--stop", help="stop the schedule (reports made are kept)")) -> None:
    """Situation reports on a schedule: every N minutes or at fixed times, until the incident closes."""
    from bastion.jobs.foreground import cli_principal
    from bastion.jobs.service import principal_snapshot

    if stop:
        sitreps.stop_schedule(session_factory(), incident_id, actor=_actor(), now=utcnow())
        console.print(f"incident {incident_id}: situation report schedule stopped")
        return
    times = [x.strip() for x in at.split(",") if x.strip()] if at else None
    sched = sitreps.set_schedule(session_factory(), incident_id, interval_min=every, times_utc=times, lang=lang,
                                 actor=_actor(), principal=principal_snapshot(cli_principal()), now=utcnow())
    rule = f"every {sched.interval_min} min" if sched.interval_min else f"at {', '.join(sched.times_utc or [])} UTC"
    console.print(f"incident {incident_id}: situation reports {rule} ({sched.lang}); next due "
                  f"{sched.next_due_at:%Y-%m-%d %H:%M} UTC")


@incidents_app.command("sitreps")
@handle_errors
def sitreps_(incident_id: int = typer.Argument(...), as_json: bool = json_option()) -> None:
    """The incident's generated situation reports (newest first) with their generation time and counts."""
    with session_factory()() as s:
        rows = sitreps.list_sitreps(s, incident_id=incident_id)
    items = [{"id": r.id, "report_no": r.report_no, "mode": r.mode, "lang": r.lang, "due_at": r.due_at,
              "generated_at": r.generated_at, "counts": r.counts, "job_id": r.job_id} for r in rows]
    if as_json:
        print_items(items)
        return
    t = Table("id", "no.", "generated (UTC)", "lang", "mode", "casualties", "units committed", "timeline entries",
              title=f"{len(rows)} situation reports of incident {incident_id}")
    for r in rows:
        t.add_row(str(r.id), str(r.report_no), f"{r.generated_at:%Y-%m-%d %H:%M}", r.lang, r.mode,
                  str(r.counts.get("casualties_total")), str(r.counts.get("units_committed")),
                  str(r.counts.get("timeline_entries")))
    console.print(t)


@incidents_app.command("sitrep")
@handle_errors
def sitrep(incident_id: int = typer.Argument(...), sitrep_id: int = typer.Argument(..., help="a report id"),
           out: Path = typer.Option(..., "--out", help=".html or .pdf")) -> None:
    """Write one generated situation report, exactly as it was made."""
    with session_factory()() as s:
        rep = sitreps.get_sitrep(s, incident_id, sitrep_id)
        html, pdf = rep.html, rep.pdf
    if out.suffix.lower() == ".pdf":
        if pdf is None:
            raise InvalidInput(f"situation report {sitrep_id} has no PDF; write .html", field="out")
        out.write_bytes(pdf)
    else:
        out.write_text(html, encoding="utf-8")
    console.print(f"situation report {sitrep_id} written to {out}")


@incidents_app.command("tick")
@handle_errors
def tick(now: str | None = typer.Option(None, "--now", help="ISO time with zone (default now)")) -> None:
    """Generate the situation reports due now, here (the server's periodic check does this every 20 s and
    leaves the jobs to its workers)."""
    from bastion.incidents.sitreps import SITREP
    from bastion.jobs import service as jobs

    def run_here(sf: Any, params: dict[str, Any], principal: dict[str, Any], region_id: int) -> int:
        return int(jobs.run_foreground(sf, SITREP, params, principal=jobs.principal_of(principal),
                                       region_id=region_id).id)

    done = sitreps.run_due(session_factory(), parse_now(now), submit=run_here)
    console.print(f"{len(done)} situation reports generated (jobs {done})")


@incidents_app.command("run-card")
@handle_errors
def run_card(site_id: int = typer.Argument(..., help="a site id"),
             first: int = typer.Option(5, "--first", help="how many first units (1 to 20)"),
             out: Path | None = typer.Option(None, "--out", help="write it to print: .html or .pdf"),
             lang: str = typer.Option("en", "--lang", help="en or zh-CN"), as_json: bool = json_option()) -> None:
    """A site's run card: first units by road travel time from their bases; per incident type the nearest unit
    holding each capability it needs."""
    from dataclasses import asdict

    with session_factory()() as s:
        card = runcards.run_card(s, site_id, first=first)
    if out is not None:
        html = runcards.run_card_html(card, lang=lang, at=utcnow())
        if out.suffix.lower() == ".pdf":
            out.write_bytes(render.to_pdf(html))
        else:
            out.write_text(html, encoding="utf-8")
        console.print(f"run card of site {site_id} written to {out}")
        return
    if as_json:
        print_json(asdict(card))
        return
    t = Table("#", "call sign", "type", "travel (s)", "meets", "capabilities",
              title=f"run card: {card.site_name or site_id}")
    for i, u in enumerate(card.first, start=1):
        t.add_row(str(i), u.call_sign, u.unit_type, f"{u.travel_s:.0f}", ", ".join(f"{m // 60} min" for m in u.meets_s),
                  ", ".join(u.capabilities))
    console.print(t)


@incidents_app.command("verify")
@handle_errors
def verify(incident_id: int = typer.Argument(...)) -> None:
    """Check an incident's timeline against the audit chain (exit 1 when an entry was altered or removed)."""
    with session_factory()() as s:
        check = svc.verify_timeline(s, incident_id)
    if not check.ok:
        console.print(f"timeline of incident {incident_id} BROKEN at entry {check.broken_seq}: {check.reason}")
        raise typer.Exit(1)
    console.print(f"timeline of incident {incident_id}: {check.checked} entries match the audit chain")
