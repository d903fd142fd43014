"""`bastion coverage` (analyze, place, lscp, whatif). Routing and the solvers are imported inside the commands."""

from __future__ import annotations

import dataclasses
from contextlib import nullcontext
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from bastion.coverage.enums import DEFAULT_WEIGHT_BASIS
from bastion.coverage.enums import MAX_TIME_LIMIT_S
from bastion.coverage.enums import MIN_TIME_LIMIT_S
from bastion.coverage.enums import TIME_LIMIT_S
from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import json_option
from bastion.kernel.cli import parse_lonlat
from bastion.kernel.cli import print_json
from bastion.kernel.cli import region_option
from bastion.kernel.cli import session_factory
from bastion.kernel.errors import InvalidInput
from bastion.units.enums import DEFAULT_STANDARD_S
from bastion.units.enums import ResponseStandard

if TYPE_CHECKING:
    from bastion.coverage.placement import PlacementReport

app = typer.Typer(help="Response coverage (1/3/5-minute rings) and placement of response units.", no_args_is_help=True)


WEIGHT = typer.Option(DEFAULT_WEIGHT_BASIS.value, "--weight",
                      help="Weight of a crowded place: sites (1 each), capacity (people) or risk (stored total risk; "
                           "run `bastion risk assess --region R` first).")


UNIT = {"sites": "sites", "capacity": "people", "risk": "risk"}


def _w(x: float, basis: str) -> str:
    return f"{x:,.2f}" if basis == "risk" else f"{x:,.0f}"


def _mmss(t: float | None) -> str:
    return "unreachable" if t is None else f"{int(t // 60)}:{t % 60:04.1f}"


@app.command("analyze")
@handle_errors
def analyze(
    region: str = region_option(),
    standard: str = typer.Option(f"{DEFAULT_STANDARD_S}s", "--standard",
                                 help="Standard to list uncovered sites for: 60s, 1m, 3m, 5m."),
    respect_unit_standards: bool = typer.Option(False, "--respect-unit-standards",
                                                help="Count a unit only in rings >= its own standard."),
    weight: str = WEIGHT,
    as_json: bool = json_option(),
) -> None:
    """Share of crowded places (and of their capacity or risk) each response ring covers; uncovered sites."""
    from bastion.coverage import service as cov
    from bastion.units import service as units

    std = units.parse_duration_s(standard)
    with session_factory()() as s, (nullcontext() if as_json else console.status("routing...")):
        r = cov.analyze(s, region, standards_s=sorted({*cov.DEFAULT_STANDARDS_S, std}),
                        respect_unit_standards=respect_unit_standards, weight_basis=weight)
    if as_json:  # the same document as GET /api/v1/regions/{id}/coverage
        d = dataclasses.asdict(r)
        d.pop("runtime_s")
        print_json({**d, "standard_s": std})
        return
    t = Table("standard", "sites covered", "share of sites", f"share of {r.weight_basis}",
              title=f"{r.region_name}: {r.n_units} units, {len(r.sites)} crowded places "
                    f"({_w(r.total_weight, r.weight_basis)} {UNIT[r.weight_basis]}, weight basis {r.weight_basis})")
    for b in r.by_standard:
        t.add_row(f"{b.standard_s} s", f"{b.covered_sites}/{len(r.sites)}", f"{b.share_sites:.1%}", f"{b.share_weight:.1%}")
    console.print(t)
    by_id = {x.site_id: x for x in r.sites}
    unc = r.standard(std).uncovered
    u = Table("site", "name", "category", UNIT[r.weight_basis], "fastest unit", "time (m:s)", title=f"{len(unc)} not covered within {std} s")
    for i in unc[:50]:
        x = by_id[i]
        u.add_row(str(i), x.name or "—", x.category, _w(x.weight, r.weight_basis), x.unit_name or "—", _mmss(x.time_s))
    console.print(u)
    if r.flagged:
        console.print(f"[yellow]{len(r.flagged)} sites are more than 250 m from the road network (not counted):[/] "
                      + ", ".join(f"{f.site_id} {f.name or ''} ({f.distance_m:.0f} m)" for f in r.flagged[:10]))
    if r.units_unsnapped:
        console.print(f"[yellow]units too far from the road network:[/] {', '.join(r.units_unsnapped)}")


def _print_placement(p: PlacementReport) -> None:
    t = Table(show_header=False, title=f"{p.model} at {p.standard_s} s")
    for k, v in [("status", p.status), ("objective", f"{p.objective:,.1f}"), ("gap", f"{p.gap:.4%}"),
                 ("runtime", f"{p.runtime_s:.2f} s ({p.solver})"),
                 ("model size", f"{p.n_demand} sites x {p.n_candidates} candidates + {p.n_fixed} existing units"),
                 ("sites covered", f"{p.before_sites} -> {p.after_sites} of {p.n_sites}"),
                 (f"{UNIT[p.weight_basis]} covered",
                  f"{_w(p.before_weight, p.weight_basis)} -> {_w(p.after_weight, p.weight_basis)} of "
                  f"{_w(p.total_weight, p.weight_basis)} (weight basis {p.weight_basis})")]:
        t.add_row(k, v)
    console.print(t)
    pt = Table("#", "lon", "lat", "road node (OSM)", title=f"{len(p.proposed)} proposed units")
    for rank, x in enumerate(p.proposed, start=1):
        pt.add_row(str(rank), f"{x.lon:.6f}", f"{x.lat:.6f}", str(x.road_node_osm_id))
    console.print(pt)
    if p.unreachable_sites:
        console.print(f"[yellow]{len(p.unreachable_sites)} sites no candidate reaches in time (left out)[/]")
    if p.applied_unit_ids:
        console.print(f"added units {', '.join(map(str, p.applied_unit_ids))}")


@app.command("place")
@handle_errors
def place(
    region: str = region_option(),
    add: int = typer.Option(..., "--add", min=1, max=200, help="How many new units."),
    standard: str = typer.Option(f"{DEFAULT_STANDARD_S}s", "--standard"),
    backup: bool = typer.Option(False, "--backup", help="Also reward sites covered twice (backup coverage)."),
    p_median: bool = typer.Option(False, "--p-median", help="Minimise the mean response time instead."),
    profile: str = typer.Option("patrol_car", "--profile", help="patrol_car, motorcycle or foot."),
    time_limit: float = typer.Option(TIME_LIMIT_S, "--time-limit", min=MIN_TIME_LIMIT_S, max=MAX_TIME_LIMIT_S,
                                     help="Solver time limit, s."),
    apply: bool = typer.Option(False, "--apply", help="Store the proposed units."),
    weight: str = WEIGHT,
) -> None:
    """Best locations for N more units, existing units kept (MCLP, exact, HiGHS)."""
    from bastion.coverage import placement
    from bastion.units import service as units

    if backup and p_median:
        raise InvalidInput("give --backup or --p-median, not both", field="backup")
    with console.status("optimising..."):
        p = placement.place(session_factory(), region, standard_s=units.parse_duration_s(standard), add=add,
                            model="p_median" if p_median else "mclp", backup=backup, speed_profile=profile,
                            time_limit_s=time_limit, apply=apply, weight_basis=weight)
    _print_placement(p)


@app.command("lscp")
@handle_errors
def lscp(
    region: str = region_option(),
    standard: str = typer.Option(f"{ResponseStandard.FIVE_MINUTES}s", "--standard"),
    profile: str = typer.Option("patrol_car", "--profile"),
    time_limit: float = typer.Option(TIME_LIMIT_S, "--time-limit", min=MIN_TIME_LIMIT_S, max=MAX_TIME_LIMIT_S),
    apply: bool = typer.Option(False, "--apply"),
) -> None:
    """Fewest new units so every reachable crowded place is covered within the standard."""
    from bastion.coverage import placement
    from bastion.units import service as units

    with console.status("optimising..."):
        p = placement.place(session_factory(), region, standard_s=units.parse_duration_s(standard), model="lscp",
                            speed_profile=profile, time_limit_s=time_limit, apply=apply)
    _print_placement(p)


@app.command("whatif")
@handle_errors
def whatif(
    region: str = region_option(),
    add: list[str] = typer.Option([], "--add", help="lon,lat of a hypothetical patrol car (repeatable)."),
    move: list[str] = typer.Option([], "--move", help="ID:lon,lat (repeatable)."),
    remove: list[int] = typer.Option([], "--remove", help="Unit id (repeatable)."),
    profile: str = typer.Option("patrol_car", "--profile", help="Speed profile of added units."),
) -> None:
    """Coverage now and after adding, moving or removing units (nothing is stored)."""
    from bastion.coverage import service as cov

    adds = tuple(cov.UnitPoint(None, f"Proposed {k}", "patrol_car", *parse_lonlat(a, "--add"), profile, 180)
                 for k, a in enumerate(add, start=1))
    moves = []
    for m in move:
        uid, _, ll = m.partition(":")
        if not uid.strip().isdigit():
            raise InvalidInput(f"--move {m!r}: write ID:lon,lat, e.g. 3:7.42,43.73", field="move")
        moves.append((int(uid), *parse_lonlat(ll, "--move")))
    with session_factory()() as s, console.status("routing..."):
        w = cov.what_if(s, region, cov.WhatIf(add=adds, move=tuple(moves), remove=tuple(remove)))
    t = Table("standard", "sites before", "sites after", "people before", "people after",
              title=f"{w.before.region_name}: {w.before.n_units} -> {w.after.n_units} units")
    for b, a in zip(w.before.by_standard, w.after.by_standard, strict=True):
        t.add_row(f"{b.standard_s} s", f"{b.covered_sites}", f"{a.covered_sites} ({a.covered_sites - b.covered_sites:+d})",
                  f"{b.share_weight:.1%}", f"{a.share_weight:.1%} ({100 * (a.share_weight - b.share_weight):+.1f} pts)")
    console.print(t)
