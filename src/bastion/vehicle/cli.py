"""`bastion vehicle`: hostile-vehicle approach speeds and the barrier ratings they need."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from bastion.algorithms.vehicle import VEHICLES
from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import json_option
from bastion.kernel.cli import print_items
from bastion.kernel.cli import print_json
from bastion.kernel.cli import region_option
from bastion.kernel.cli import session_factory
from bastion.kernel.errors import InvalidInput
from bastion.regions.repository import RegionRepo

app = typer.Typer(help="Hostile-vehicle assessment: approach speeds and required barrier ratings.",
                  no_args_is_help=True)


STATUS_STYLE = {"protected": "green", "gap": "yellow", "not_coverable": "bold red"}


@app.command("assess")
@handle_errors
def assess(
    region: str = region_option(),
    site: list[str] = typer.Option([], "--site", help="Site id or exact name (repeatable; default: every site)."),
    vehicle: list[str] = typer.Option([], "--vehicle", help=f"Vehicle class (repeatable): {', '.join(VEHICLES)}; "
                                      "default: all."),
    wrong_way: bool = typer.Option(False, "--wrong-way", help="Ignore one-way rules (an attacker may drive the "
                                   "wrong way)."),
    max_distance: float = typer.Option(300.0, "--max-distance", help="Run-up searched before the perimeter, m."),
    friction: float = typer.Option(0.6, "--friction", help="Side friction on bends (0.6 normal, 1.0 conservative)."),
    standoff: float = typer.Option(1.0, "--standoff", help="Room behind the barrier line for penetration, m."),
) -> None:
    """Assess every site of a region (or the given ones) and store the results; re-runs change nothing."""
    from bastion.sites.service import site_id_by_ref
    from bastion.vehicle import service as svc

    params = svc.AssessParams(vehicles=tuple(vehicle) or tuple(VEHICLES), wrong_way=wrong_way,
                              max_distance_m=max_distance, friction=friction,
                              friction_high=max(friction, 1.0), friction_low=min(friction, 0.5), standoff_m=standoff)
    sf = session_factory()
    with sf() as s:
        region_id = RegionRepo(s).get_by_ref(region).id
        ids = [site_id_by_ref(s, ref, region_id) for ref in site] or None
    import dataclasses

    from bastion.jobs.foreground import run_with_bar
    from bastion.vehicle.jobs import ASSESS

    job = run_with_bar(ASSESS, {"region_id": region_id, "site_ids": ids, "params": {
        **dataclasses.asdict(params), "vehicles": list(params.vehicles)}}, region_id=region_id,
        title="vehicle assessment")
    result = dict(job.result or {})
    result.pop("rows_changed", None)
    rep = svc.AssessReport(**{**result, "vehicles": tuple(result["vehicles"])})
    t = Table(title=f"{rep.region_name}: fastest approaches ({'one-way rules ignored' if rep.wrong_way else 'legal driving'})")
    for col in ("site", "vehicle", "impact speed (km/h)", "required (ISO 22343-1)", "status"):
        t.add_column(col, justify="right" if "km/h" in col else "left")
    for w in rep.worst:
        t.add_row(f"{w['site_name'] or '—'} [{w['site_id']}]", w["vehicle"], f"{w['speed_kph']:.0f}", w["required"],
                  f"[{STATUS_STYLE.get(w['status'], '')}]{w['status']}")
    console.print(t)
    console.print(
        f"sites assessed: {rep.sites_assessed} ({rep.sites_reached} reachable by road), vehicles: "
        f"{', '.join(rep.vehicles)}\nentry points: {rep.entry_points}, unprotected approaches: {rep.gaps}\n"
        f"assessments: {rep.inserted} new, {rep.replaced} replaced, {rep.unchanged} unchanged "
        f"(rows changed: {rep.rows_changed}); time: compute {rep.compute_s:.2f} s, write {rep.write_s:.2f} s"
    )


def _barriers(checks: list[dict[str, object]]) -> str:
    """'2× bollard (unrated), 1× hvm_barrier: M50-P1 meets ...' — grouped by kind and verdict."""
    groups: dict[tuple[str, str], int] = {}
    for c in checks:
        reason = "unrated" if not c["rated"] else str(c["reason"])
        key = (str(c["kind"]), reason)
        groups[key] = groups.get(key, 0) + 1
    return "; ".join(f"{n}× {k} ({r})" for (k, r), n in groups.items()) or "none"


@app.command("show")
@handle_errors
def show(
    site: str = typer.Argument(..., help="Site id or exact name."),
    vehicle: str | None = typer.Option(None, "--vehicle", help="Only this vehicle class."),
    wrong_way: bool | None = typer.Option(None, "--wrong-way/--legal", help="Only one scenario (default both)."),
    detection: float | None = typer.Option(None, "--detection", help="Active-barrier timing: detection distance "
                                           "before the barrier, m (guard 3 s + deploy 2 s, UFC 4-022-01)."),
    as_json: bool = json_option(),
) -> None:
    """Show a site's approaches: impact speeds, energy, run-up, required ratings and gaps."""
    from bastion.sites.service import site_id_by_ref
    from bastion.vehicle import read

    timing = read.TimingParams(detection) if detection is not None else None
    with session_factory()() as s:
        sid = site_id_by_ref(s, site, None)
        data = read.site_vehicle(s, sid, vehicle=vehicle, wrong_way=wrong_way, timing=timing)
    if as_json:  # the same document as GET /api/v1/sites/{id}/vehicle
        print_json(data)
        return
    if not data["assessed"]:
        console.print(f"{data['site_name'] or sid}: not assessed yet; run `bastion vehicle assess --region "
                      f"{data['region_id']} --site {sid}`")
        return
    for a in data["assessments"]:
        title = (f"{data['site_name'] or sid} [{sid}] · {a['vehicle']}"
                 f"{' · one-way rules ignored' if a['wrong_way'] else ''} · {a['entry_points']} entry points")
        t = Table(title=title)
        cols = ["#", "impact km/h (low–high)", "energy kJ", "run-up m", "limited by", "ISO 22343-1 need",
                "ASTM F2656 need", "status", "barriers there"]
        if timing is not None:
            cols.append(f"timing @ {detection:.0f} m")
        for c in cols:
            t.add_column(c)
        for ap in a["approaches"]:
            b = ap["impact_speed_band_kph"]
            needs = {n["standard"]: n["label"] for n in ap["needs"]}
            lim = ap["limited_by"] + (f" (R {ap['limiting_bend']['radius_m']:.0f} m)" if ap["limiting_bend"] else "")
            row = [str(ap["rank"] + 1), f"{ap['impact_speed_kph']:.0f} ({b['low']:.0f}–{b['high']:.0f})",
                   f"{ap['kinetic_energy_kj']:,.0f}", f"{ap['run_up_m']:.0f}", lim, needs.get("ISO 22343-1", ""),
                   needs.get("ASTM F2656", ""), f"[{STATUS_STYLE.get(ap['status'], '')}]{ap['status']}",
                   _barriers(ap["barriers"])]
            if timing is not None:
                tm = ap["timing"]
                row.append(f"{'ok' if tm['ok'] else 'too slow'} {tm['delay_s']:.1f}/{tm['required_s']:.1f} s")
            t.add_row(*row)
        console.print(t)
    console.print(f"[dim]{data['barrier_note']}[/]")


@app.command("gaps")
@handle_errors
def gaps(
    region: str = region_option(),
    vehicle: str | None = typer.Option(None, "--vehicle", help="Only this vehicle class."),
    limit: int = typer.Option(30, "--limit", min=1, max=100000, help="How many to print."),
    as_json: bool = json_option(),
) -> None:
    """Unmet requirements (approaches without a barrier meeting their need), as rectification task texts."""
    from bastion.vehicle import read

    with session_factory()() as s:
        rid = RegionRepo(s).get_by_ref(region).id
        found = read.unmet_requirements(s, region_id=rid, vehicle=vehicle)
    if as_json:
        print_items([{"site_id": g.site_id, "site": g.site_name, "vehicle": g.vehicle, "wrong_way": g.wrong_way,
                      "impact_speed_kph": g.impact_speed_kph, "status": g.status, "needs": list(g.needs),
                      "task": g.task_text()} for g in found[:limit]], len(found))
        return
    for g in found[:limit]:
        console.print(f"- [{g.vehicle}{', wrong way' if g.wrong_way else ''}] {g.impact_speed_kph:.0f} km/h · "
                      f"{g.task_text()}", highlight=False)
    console.print(f"{len(found)} unmet requirements")


@app.command("report")
@handle_errors
def report(
    site: str = typer.Argument(..., help="Site id or exact name."),
    out: Path = typer.Option(..., "--out", help="HTML fragment to write."),
    lang: str = typer.Option("en", "--lang", help="Language of the section: en or zh-CN."),
) -> None:
    """Write the site report's vehicle section as an HTML fragment."""
    from bastion.kernel.i18n import check_lang
    from bastion.sites.service import site_id_by_ref
    from bastion.vehicle import read

    if out.suffix.lower() not in (".html", ".htm"):
        raise InvalidInput(f"output {out.name!r}: use a .html file name", field="out")
    with session_factory()() as s:
        sec = read.report_section(s, site_id_by_ref(s, site, None))
    out.write_text(read.render_report_section(sec, lang=check_lang(lang)), encoding="utf-8")
    console.print(f"wrote the vehicle section of {sec['site_name'] or sec['site_id']} to {out}")
