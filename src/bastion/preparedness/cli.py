"""`bastion eplans ...` and `bastion exercises ...`: emergency plans and the exercise cycle (thin adapters)."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
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

plans_app = typer.Typer(help="Emergency plans per site and scenario: draft, edit, approve, completeness, printable "
                             "plan.", no_args_is_help=True)
exercises_app = typer.Typer(help="Exercise programme (HSEEP): calendar, iCalendar, injects, evaluation, after-action "
                                 "report.", no_args_is_help=True)
SITE_HELP = "Site id or exact name."


def _region_id(ref: str) -> int:
    from bastion.regions.repository import RegionRepo

    with session_factory()() as s:
        return RegionRepo(s).get_by_ref(ref).id


def _site_id(ref: str) -> int:
    from bastion.sites.service import site_id_by_ref

    with session_factory()() as s:
        return site_id_by_ref(s, ref, None)


def _pairs(values: list[str], opt: str) -> dict[str, str]:
    out = {}
    for v in values:
        if "=" not in v:
            raise InvalidInput(f"{opt} must be KEY=VALUE, got {v!r}", field=opt.lstrip("-"))
        k, val = v.rsplit("=", 1)
        out[k.strip()] = val.strip()
    return out


def _read_json(path: Path, opt: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise InvalidInput(f"{opt}: cannot read JSON from {path}: {e}", field=opt.lstrip("-")) from None


def _plan_dict(p: Any) -> dict[str, Any]:
    return {"id": p.id, "site_id": p.site_id, "threat": p.threat, "version": p.version, "status": p.status,
            "source": p.source, "review_date": p.review_date, "evacuation": p.evacuation, "sections": p.sections,
            "data": p.data, "approved_at": p.approved_at}


# ---------------------------------------------------------------- plans


@plans_app.command("draft")
@handle_errors
def draft(region: str = region_option(),
          site: list[str] = typer.Option([], "--site", help="Site id or exact name (repeatable; default: every site)."),
          threats: int = typer.Option(3, "--threats", min=1, max=6, help="Draft the site's top N threats."),
          as_json: bool = json_option()) -> None:
    """Draft plans from data for every site of a region (idempotent; prints the time taken). Runs the
    preparedness.draft_region job here with a progress bar (recorded: `bastion jobs list`)."""
    from bastion.jobs.foreground import run_with_bar
    from bastion.preparedness.jobs import DRAFT_REGION

    rid = _region_id(region)
    ids = [_site_id(x) for x in site] or None
    t0 = time.perf_counter()
    params = {"region_id": rid, "site_ids": ids, "threats_per_site": threats, "now": parse_now(None).isoformat()}
    if as_json:  # no bar on stdout: the JSON is the whole output
        from bastion.jobs.foreground import cli_principal
        from bastion.jobs.service import run_foreground

        job = run_foreground(session_factory(), DRAFT_REGION, params, principal=cli_principal(), region_id=rid)
    else:
        job = run_with_bar(DRAFT_REGION, params, region_id=rid, title="drafting emergency plans")
    r = job.result or {}
    wall = time.perf_counter() - t0
    if as_json:
        print_json({**r, "wall_s": round(wall, 3), "job_id": job.id})
    else:
        console.print(f"region {rid}: {r['sites']} sites, {r['plans_created']} plans drafted, {r['unchanged']} "
                      f"unchanged in {r['seconds']:.2f} s (wall {wall:.2f} s; job {job.id})")


@plans_app.command("list")
@handle_errors
def list_plans(site: str = typer.Option(..., "--site", help=SITE_HELP), as_json: bool = json_option()) -> None:
    """Every version of a site's plans."""
    from bastion.preparedness import service as svc

    sid = _site_id(site)
    with session_factory()() as s:
        rows = svc.site_plans(s, sid)
        if as_json:
            print_items([_plan_dict(p) for p in rows])
            return
        t = Table("id", "threat", "version", "status", "source", "review by", "evacuation (min)", title=f"site {sid}")
        for p in rows:
            ev = p.evacuation or {}
            t.add_row(str(p.id), p.threat, str(p.version), p.status, p.source, str(p.review_date),
                      "—" if ev.get("time_min") is None else f"{ev['time_min']} ({ev['time_low_min']}–"
                      f"{ev['time_high_min']})")
        console.print(t)


@plans_app.command("show")
@handle_errors
def show(plan_id: int = typer.Argument(...), as_json: bool = json_option()) -> None:
    """One plan version with its sections and modelled data."""
    from bastion.preparedness import service as svc

    with session_factory()() as s:
        d = _plan_dict(svc.get_plan(s, plan_id))
    if as_json:
        print_json(d)
    else:
        console.print_json(json.dumps(d, default=str, ensure_ascii=False))


@plans_app.command("save")
@handle_errors
def save(site: str = typer.Option(..., "--site", help=SITE_HELP),
         threat: str = typer.Option(..., "--threat", help="Scenario: the threat type."),
         file: Path = typer.Option(..., "--file", help="JSON file of the four procedure sections.")) -> None:
    """Store a new draft version of a site's plan from a JSON file of sections."""
    from bastion.preparedness import service as svc

    p = svc.save_plan(session_factory(), _site_id(site), threat, _read_json(file, "--file"), now=parse_now(None))
    console.print(f"plan {p.id}: {p.threat} version {p.version} (draft)")


@plans_app.command("approve")
@handle_errors
def approve(plan_id: int = typer.Argument(...),
            login: str = typer.Option(..., "--as", help="The approving account's login (not the plan's author).")) -> None:
    """Approve the newest draft as a second account (four eyes)."""
    from sqlalchemy import select

    from bastion.access.models import User
    from bastion.preparedness import service as svc

    with session_factory()() as s:
        uid = s.scalar(select(User.id).where(User.login == login))
    if uid is None:
        raise InvalidInput(f"--as: no account with login {login!r}", field="as")
    p = svc.approve_plan(session_factory(), plan_id, account_id=uid, now=parse_now(None))
    console.print(f"plan {p.id} approved ({p.threat} version {p.version})")


@plans_app.command("readiness")
@handle_errors
def readiness(site: str = typer.Option(..., "--site", help=SITE_HELP), as_json: bool = json_option()) -> None:
    """Requirement level, top three threats, missing plans and each plan's completeness flags."""
    from bastion.preparedness import service as svc

    with session_factory()() as s:
        r = svc.readiness(s, _site_id(site), now=parse_now(None))
    if as_json:
        print_json(r.__dict__)
        return
    console.print(f"site {r.site_id} {r.site_name or ''}: level {r.level}; top threats {list(r.top_threats)}; "
                  f"missing plans {list(r.missing_scenarios)}; trained {r.training[0]} of {r.training[1]}")
    for threat, flags in r.plans.items():
        console.print(f"  {threat}: {', '.join(flags) or 'complete'}")


@plans_app.command("tasks")
@handle_errors
def tasks(site: str = typer.Option(..., "--site", help=SITE_HELP),
          agency: str = typer.Option(None, "--agency", help="Owner agency (default: the site's operator)."),
          deadline_days: int = typer.Option(60, "--deadline-days", min=1, max=3650)) -> None:
    """A rectification task per top-three threat without a plan (idempotent)."""
    from bastion.preparedness import service as svc

    created, existing = svc.create_plan_tasks(session_factory(), _site_id(site), now=parse_now(None),
                                              owner_agency=agency, deadline_days=deadline_days)
    console.print(f"tasks created {created}; already open {existing}")


@plans_app.command("print")
@handle_errors
def print_plan(plan_id: int = typer.Argument(...),
               lang: str = typer.Option("en", "--lang", help="en or zh-CN."),
               out: Path = typer.Option(..., "--out", help="Output file: .html or .pdf.")) -> None:
    """Write the printable plan (HTML or PDF by the file's suffix)."""
    from bastion.kernel.db.base import utcnow
    from bastion.preparedness import render
    from bastion.preparedness import service as svc
    from bastion.sites.repository import SiteRepo

    with session_factory()() as s:
        p = svc.get_plan(s, plan_id)
        r = svc.readiness(s, p.site_id, now=utcnow())
        html = render.plan_html(p, SiteRepo(s).get(p.site_id), flags=r.plans.get(p.threat, ()), lang=lang,
                                generated_at=utcnow(), invacuation=r.invacuation)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(render.to_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
    console.print(f"wrote {out}")


@plans_app.command("exits")
@handle_errors
def exits(site: str = typer.Option(..., "--site", help=SITE_HELP),
          exit_: list[str] = typer.Option([], "--exit", help="LABEL=WIDTH_M (repeatable; replaces the site's exits).")) -> None:
    """Record a site's exits with their clear widths (metres)."""
    from bastion.preparedness import service as svc

    rows = []
    for label, w in _pairs(exit_, "--exit").items():
        try:
            rows.append({"label": label, "width_m": float(w)})
        except ValueError:
            raise InvalidInput(f"--exit {label}: width must be metres, got {w!r}", field="exit") from None
    got = svc.set_exits(session_factory(), _site_id(site), rows)
    console.print(f"{len(got)} exits, {sum(e.width_m for e in got):.2f} m clear width in total")


@plans_app.command("spaces")
@handle_errors
def spaces(site: str = typer.Option(..., "--site", help=SITE_HELP),
           protected: list[str] = typer.Option([], "--protected", help=(
               "LABEL=AREA_M2 or LABEL=AREA_M2:CAPACITY or LABEL=:CAPACITY (repeatable): a protected space "
               "for invacuation.")),
           lockable: list[str] = typer.Option([], "--lockable", help="LABEL (repeatable): a lockable zone."),
           show: bool = typer.Option(False, "--show", help="Only show the spaces and the capacity; change nothing.")
           ) -> None:
    """Record a site's protected spaces (usable area m2 and/or capacity) and lockable zones (replaces the site's
    entries); prints the invacuation capacity against the peak-hour people."""
    from bastion.preparedness import service as svc
    from bastion.preparedness import spaces as sp_svc

    sid = _site_id(site)
    if not show:
        rows: list[dict[str, object]] = []
        for label, v in _pairs(protected, "--protected").items():
            area, _, cap = v.partition(":")
            try:
                rows.append({"kind": "protected_space", "label": label,
                             "area_m2": float(area) if area else None, "capacity": int(cap) if cap else None})
            except ValueError:
                raise InvalidInput(f"--protected {label}: give AREA_M2[:CAPACITY] as numbers, got {v!r}",
                                   field="protected") from None
        rows += [{"kind": "lockable_zone", "label": x} for x in lockable]
        sp_svc.set_spaces(session_factory(), sid, rows)
    with session_factory()() as s:
        view = svc.site_spaces_view(s, sid)
    inv = view.invacuation
    print_json({"site_id": sid, "spaces": [{"kind": r.kind, "label": r.label, "area_m2": r.area_m2,
                                             "capacity": r.capacity, "source": r.source} for r in view.rows],
                "protected_spaces": view.protected_spaces, "lockable_zones": view.lockable_zones,
                "invacuation": {k: inv[k] for k in ("people", "capacity", "enough", "shortfall", "area_needed_m2",
                                                    "m2_per_person")}})


@plans_app.command("exits-osm")
@handle_errors
def exits_osm(file: Path = typer.Argument(..., help="The OSM extract (.osm.pbf) the region was imported from."),
              region: str = region_option()) -> None:
    """Attach OSM entrance=* nodes on site outlines as exits (width tag, or 0.9 m assumed)."""
    from bastion.preparedness import osm_exits

    r = osm_exits.attach(session_factory(), _region_id(region), osm_exits.read_entrances(file))
    console.print(f"{r.entrances} entrance nodes; {r.attached} attached to {r.sites} sites "
                  f"({r.assumed_width} with the assumed width)")


@plans_app.command("training")
@handle_errors
def training(site: str = typer.Option(..., "--site", help=SITE_HELP),
             position: str = typer.Option(..., "--position", help="A position (duty_manager, steward, ...)."),
             trained: int = typer.Option(..., "--trained", min=0), expected: int = typer.Option(..., "--expected", min=0)
             ) -> None:
    """Record 'N of M staff in a position trained' (counts, never who)."""
    from bastion.preparedness import service as svc

    r = svc.set_training(session_factory(), _site_id(site), position, trained=trained, expected=expected,
                         now=parse_now(None))
    console.print(f"{r.position}: {r.trained} of {r.expected} trained")


# ---------------------------------------------------------------- exercises


def _ex_dict(e: Any) -> dict[str, Any]:
    return {"id": e.id, "uid": e.uid, "mode": e.mode, "name": e.name, "type": e.type, "threat": e.threat,
            "start": e.start, "end": e.end, "status": e.status, "site_ids": e.site_ids, "agencies": e.agencies,
            "objectives": e.objectives, "msel": e.msel, "evaluation": e.evaluation, "aar": e.aar}


def _when(v: str, opt: str) -> dt.datetime:
    try:
        d = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{opt} must be an ISO time like 2027-03-09T10:00Z, got {v!r}", field=opt[2:]) from None
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


@exercises_app.command("list")
@handle_errors
def ex_list(region: str = region_option(), year: int = typer.Option(None, "--year"), as_json: bool = json_option()) -> None:
    """The region's exercises (every record is mode EXERCISE)."""
    from bastion.preparedness import exercises as ex

    with session_factory()() as s:
        rows = ex.list_exercises(s, _region_id(region), year=year)
        if as_json:
            print_items([_ex_dict(e) for e in rows])
            return
        t = Table("id", "mode", "name", "type", "start", "status", "sites")
        for e in rows:
            t.add_row(str(e.id), e.mode, e.name, e.type, e.start.strftime("%Y-%m-%d %H:%M"), e.status,
                      ",".join(map(str, e.site_ids)))
        console.print(t)


@exercises_app.command("show")
@handle_errors
def ex_show(exercise_id: int = typer.Argument(...), as_json: bool = json_option()) -> None:
    """One exercise with its injects, evaluation and after-action report."""
    from bastion.preparedness import exercises as ex

    with session_factory()() as s:
        d = _ex_dict(ex.get_exercise(s, exercise_id))
    if as_json:
        print_json(d)
    else:
        console.print_json(json.dumps(d, default=str, ensure_ascii=False))


@exercises_app.command("add")
@handle_errors
def ex_add(region: str = region_option(), name: str = typer.Option(..., "--name"),
           type_: str = typer.Option("drill", "--type", help="seminar, workshop, tabletop, game, drill, functional, "
                                                            "full_scale."),
           start: str = typer.Option(..., "--start", help="ISO time (UTC if no zone)."),
           duration_h: float = typer.Option(3.0, "--duration-h", min=0.25, max=240, help="Duration in hours."),
           site: list[str] = typer.Option(..., "--site", help="Site id or exact name (repeatable)."),
           threat: str = typer.Option(None, "--threat", help="Scenario: the threat type."),
           agency: list[str] = typer.Option([], "--agency", help="Participating agency (repeatable).")) -> None:
    """Add an exercise to the programme."""
    from bastion.preparedness import exercises as ex

    s0 = _when(start, "--start")
    e = ex.create_exercise(session_factory(), _region_id(region), name=name, type=type_, start=s0,
                           end=s0 + dt.timedelta(hours=duration_h), site_ids=[_site_id(x) for x in site], threat=threat,
                           agencies=agency, now=parse_now(None))
    console.print(f"exercise {e.id} ({e.mode}): {e.name}")


@exercises_app.command("calendar")
@handle_errors
def ex_calendar(region: str = region_option(), first_year: int = typer.Option(..., "--first-year"),
                years: int = typer.Option(3, "--years", min=1, max=10),
                schedule: bool = typer.Option(False, "--schedule", help="Store the proposals as planned exercises."),
                as_json: bool = json_option()) -> None:
    """Gaps against the frequency rules, conflicts, and proposals that fill every gap."""
    from bastion.preparedness import exercises as ex

    rid = _region_id(region)
    if schedule:
        made = ex.schedule_proposals(session_factory(), rid, first_year=first_year, years=years, now=parse_now(None))
        console.print(f"{len(made)} exercises scheduled")
    with session_factory()() as s:
        c = ex.calendar(s, rid, first_year=first_year, years=years)
    if as_json:
        print_json({"gaps": [g.__dict__ for g in c["gaps"]], "conflicts": [k.__dict__ for k in c["conflicts"]],
                    "proposals": [p.__dict__ for p in c["proposals"]], "exercises": len(c["exercises"])})
        return
    console.print(f"{len(c['exercises'])} exercises; {len(c['gaps'])} gaps; {len(c['conflicts'])} conflicts; "
                  f"{len(c['proposals'])} proposals")
    for g in c["gaps"][:30]:
        console.print(f"  gap: site {g.site_id} {g.rule_id} {g.period_start}..{g.period_end} held {g.held}/{g.required}")
    for k in c["conflicts"][:30]:
        console.print(f"  conflict ({k.kind} {k.key}): exercises {k.first} and {k.second} overlap")


def _read_text(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInput(f"cannot read {file}: {e}", field="file") from None


@exercises_app.command("pack-check")
@handle_errors
def ex_pack_check(file: Path = typer.Argument(..., help="A calendar rule pack (.yaml).")) -> None:
    """Validate a calendar rule pack (every rule cites its source; errors name the rule and field)."""
    from bastion.preparedness import calendar_packs

    pack = calendar_packs.load_yaml(_read_text(file))
    console.print(f"{pack.id}@{pack.version}: {len(pack.rules)} rules valid "
                  f"({sum(r.assumption for r in pack.rules)} marked as assumptions)")


@exercises_app.command("pack-set")
@handle_errors
def ex_pack_set(file: Path = typer.Argument(..., help="A calendar rule pack (.yaml)."),
                region: str = region_option()) -> None:
    """Load the region's own calendar rule pack (replaces any earlier one)."""
    from bastion.preparedness import calendar_packs

    pack = calendar_packs.set_region_pack(session_factory(), _region_id(region), _read_text(file),
                                          now=parse_now(None))
    console.print(f"region uses {pack.id}@{pack.version} ({len(pack.rules)} rules)")


@exercises_app.command("pack-show")
@handle_errors
def ex_pack_show(region: str = region_option(),
                 clear: bool = typer.Option(False, "--clear", help="Drop the region's own pack first (back to the "
                                                                    "bundled default).")) -> None:
    """Show the calendar rule pack in force for the region (its own, else the bundled default)."""
    from bastion.preparedness import calendar_packs

    rid = _region_id(region)
    if clear:
        calendar_packs.clear_region_pack(session_factory(), rid)
    with session_factory()() as s:
        pack, source = calendar_packs.region_pack(s, rid)
    print_json({"source": source, **calendar_packs.pack_document(pack)})


@exercises_app.command("export")
@handle_errors
def ex_export(region: str = region_option(), out: Path = typer.Option(..., "--out", help="The .ics file to write.")
              ) -> None:
    """Write the programme as iCalendar (RFC 5545)."""
    from bastion.preparedness import exercises as ex
    from bastion.preparedness import ical

    with session_factory()() as s:
        rows = ex.list_exercises(s, _region_id(region))
        out.write_bytes(ical.to_ics(rows, now=parse_now(None)))
    console.print(f"wrote {len(rows)} exercises to {out}")


@exercises_app.command("import")
@handle_errors
def ex_import(file: Path = typer.Argument(..., help="An iCalendar (.ics) file."), region: str = region_option(),
              site: list[str] = typer.Option([], "--site", help="Site id or exact name for events without "
                                                              "X-BASTION-SITES (repeatable)."),
              horizon_years: int = typer.Option(3, "--horizon-years", min=1, max=10)) -> None:
    """Upsert exercises by UID from an iCalendar file (RRULEs expanded)."""
    from bastion.preparedness import ical

    try:
        data = file.read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read {file}: {e}", field="file") from None
    r = ical.import_ics(session_factory(), _region_id(region), data, now=parse_now(None),
                        default_site_ids=[_site_id(x) for x in site], horizon_years=horizon_years)
    console.print(f"created {len(r.created)}, updated {len(r.updated)}, unchanged {len(r.unchanged)}, "
                  f"finalised (left as they are) {len(r.skipped_finalised)}")


@exercises_app.command("msel")
@handle_errors
def ex_msel(exercise_id: int = typer.Argument(...), as_json: bool = json_option()) -> None:
    """Generate the injects from the models and print the timeline."""
    from bastion.preparedness import exercises as ex

    e = ex.generate_msel(session_factory(), exercise_id)
    if as_json:
        print_items(e.msel)
        return
    t = Table("no", "T+ (s)", "inject", "to", "expected action", title=f"exercise {e.id} MSEL (EXERCISE)")
    for i in e.msel:
        t.add_row(str(i["no"]), str(i["offset_s"]), i["synopsis"], i["to"], i["expected_action"])
    console.print(t)


@exercises_app.command("msel-export")
@handle_errors
def ex_msel_export(exercise_id: int = typer.Argument(...),
                   out: Path = typer.Option(..., "--out", help="Output file: .csv or .xlsx.")) -> None:
    """Write the exercise's injects (MSEL) as CSV or XLSX (by the file's suffix); every row EXERCISE."""
    from bastion.preparedness import exercises as ex
    from bastion.preparedness import msel_io

    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput(f"--out must end in .csv or .xlsx, got {out.name!r}", field="out")
    with session_factory()() as s:
        e = ex.get_exercise(s, exercise_id)
        if suffix == ".csv":
            out.write_text(msel_io.to_csv(e.msel), encoding="utf-8", newline="")
        else:
            out.write_bytes(msel_io.to_xlsx(e.msel, title=e.name, created=e.created_at))
        n = len(e.msel)
    console.print(f"wrote {n} injects to {out}")


@exercises_app.command("clock")
@handle_errors
def ex_clock(exercise_id: int = typer.Argument(...),
             action: str = typer.Argument("status", help="status | start | pause | resume | speed | run"),
             speed: float | None = typer.Option(None, "--speed", min=1, max=120, help=(
                 "Speed-up factor (tabletop and other discussion-based exercises only).")),
             tick_s: float = typer.Option(1.0, "--tick-s", min=0.1, max=30, help="run: seconds between ticks.")
             ) -> None:
    """The exercise clock: start, pause, resume, change the speed, or `run` (release each inject at its
    scheduled exercise time in this process until all are released — where no server runs the ticker)."""
    from bastion.kernel.db.base import utcnow
    from bastion.preparedness import clock as ex_clock_svc
    from bastion.preparedness import exercises as ex

    sf = session_factory()
    if action in ex_clock_svc.ACTIONS:
        ex_clock_svc.act(sf, exercise_id, action, now=utcnow(), speed=speed)
    elif action == "run":
        while True:
            for n in ex_clock_svc.release_due(sf, now=utcnow()).get(exercise_id, []):
                console.print(f"{utcnow():%H:%M:%S} EXERCISE inject {n} released")
            with sf() as s:
                v = ex_clock_svc.view(ex.get_exercise(s, exercise_id), now=utcnow())
            if v["next"] is None or v["state"] != "running":
                break
            time.sleep(tick_s)
    elif action != "status":
        raise InvalidInput(f"action must be status, run or one of {list(ex_clock_svc.ACTIONS)}, got {action!r}",
                           field="action")
    with sf() as s:
        print_json(ex_clock_svc.view(ex.get_exercise(s, exercise_id), now=utcnow()))


@exercises_app.command("evaluate")
@handle_errors
def ex_evaluate(exercise_id: int = typer.Argument(...),
                rating: list[str] = typer.Option([], "--rating", help="CAPABILITY=P|S|M|U (repeatable)."),
                arrival: list[str] = typer.Option([], "--arrival", help="UNIT=SECONDS observed from the call."),
                drill: list[str] = typer.Option([], "--drill", help="PROCEDURE=OBSERVED_S/TARGET_S, e.g. "
                                                                  "lockdown=360/120.")) -> None:
    """Record ratings, observed arrivals and drill times."""
    from bastion.preparedness import exercises as ex

    arr: dict[str, float] = {}
    for k, v in _pairs(arrival, "--arrival").items():
        try:
            arr[k] = float(v)
        except ValueError:
            raise InvalidInput(f"--arrival {k}: seconds expected, got {v!r}", field="arrival") from None
    drills = []
    for k, v in _pairs(drill, "--drill").items():
        obs, _, tgt = v.partition("/")
        try:
            drills.append({"procedure": k, "observed_s": float(obs), "target_s": float(tgt)})
        except ValueError:
            raise InvalidInput(f"--drill {k}: give OBSERVED_S/TARGET_S, got {v!r}", field="drill") from None
    e = ex.evaluate(session_factory(), exercise_id, ratings=_pairs(rating, "--rating"), observed_arrivals_s=arr,
                    drills=drills)
    for a in e.evaluation["arrivals"]:
        if a["observed_s"] is not None:
            console.print(f"{a['unit']}: observed {a['observed_s']:.0f} s vs modelled {a['modelled_s']:.0f} s"
                          f"{'  LATE (> 2x modelled)' if a['late'] else ''}")
    for d in e.evaluation["drills"]:
        console.print(f"drill {d['procedure']}: {d['observed_s']:.0f} s vs target {d['target_s']:.0f} s: {d['outcome']}")


@exercises_app.command("aar")
@handle_errors
def ex_aar(exercise_id: int = typer.Argument(...),
           file: Path = typer.Option(..., "--file", help="JSON {strengths: [...], improvements: [...]}.")) -> None:
    """Record the after-action report and improvement plan."""
    from bastion.preparedness import exercises as ex

    d = _read_json(file, "--file")
    if not isinstance(d, dict):
        raise InvalidInput("--file must hold a JSON object", field="file")
    e = ex.set_aar(session_factory(), exercise_id, strengths=d.get("strengths", []),
                   improvements=d.get("improvements", []), now=parse_now(None))
    console.print(f"exercise {e.id}: {len(e.aar['improvements'])} improvement items; weak capabilities without an "
                  f"action: {ex.uncovered_weak(e) or 'none'}")


@exercises_app.command("aar-print")
@handle_errors
def ex_aar_print(exercise_id: int = typer.Argument(...),
                 lang: str = typer.Option("en", "--lang", help="en or zh-CN."),
                 out: Path = typer.Option(..., "--out", help="Output file: .html or .pdf.")) -> None:
    """Write the after-action report and improvement plan (HTML or PDF by the file's suffix)."""
    from bastion.kernel.db.base import utcnow
    from bastion.preparedness import aar
    from bastion.preparedness import render

    with session_factory()() as s:
        html = render.aar_html(aar.aar_report(s, exercise_id), lang=lang, generated_at=utcnow())
    if out.suffix.lower() == ".pdf":
        out.write_bytes(render.to_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
    console.print(f"wrote {out}")


@exercises_app.command("finalise")
@handle_errors
def ex_finalise(exercise_id: int = typer.Argument(...)) -> None:
    """Finalise: improvement items become rectification tasks; drill results update vulnerability."""
    from bastion.preparedness import exercises as ex

    e, tasks_ = ex.finalise(session_factory(), exercise_id, now=parse_now(None))
    console.print(f"exercise {e.id} finalised: tasks {tasks_}; drill updates {e.aar.get('drill_updates', [])}")
