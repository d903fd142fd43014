"""`bastion patrol`: randomized patrol plans (Stackelberg security games) and their evaluation.

The patrol service, solver and renderers (numpy, scipy, HiGHS) are imported inside the commands using them, so
`bastion patrol --help` starts fast (docs/cli-conventions.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn
from rich.progress import Progress
from rich.progress import TaskID
from rich.progress import TextColumn
from rich.progress import TimeElapsedColumn
from rich.table import Table

from bastion.kernel.cli import audit_read
from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import json_option
from bastion.kernel.cli import print_items
from bastion.kernel.cli import region_option
from bastion.kernel.cli import session_factory
from bastion.kernel.errors import InvalidInput
from bastion.regions.repository import RegionRepo

if TYPE_CHECKING:
    from bastion.patrol.build import Progress as ProgressFn

app = typer.Typer(help="Randomized patrol plans that an observer cannot predict.", no_args_is_help=True)

TEAMS = typer.Option(..., "--teams", help="Number of patrol teams (numbered Team 1..N).")
SHIFT = typer.Option("08:00-16:00", "--shift", help="Shift HH:MM-HH:MM (24-hour; may run past midnight).")
SEED = typer.Option(None, "--seed", help="Seed (default: drawn from a cryptographic source): the same options and "
                                          "seed give the same schedules, so keep it secret.")
EVAL_SEED = typer.Option(1, "--seed", help="Seed of the simulation (nothing is stored): same seed, same result.")
DWELL = typer.Option(10.0, "--dwell-min", help="Minutes on site at each stop.")
STOPS = typer.Option(3, "--max-stops", help="Stops per hourly sortie (1-4).")
SLOT = typer.Option(60.0, "--slot-min", help="Minutes per time slot; each slot is one sortie from the base and back.")
SITES = typer.Option(40, "--max-sites", help="The highest-consequence sites taken as targets.")
WEEKDAY = typer.Option(0, "--start-weekday", help="Weekday of day 1: 0 = Monday .. 6 = Sunday.")
PAYOFF = typer.Option(None, "--payoff", help="Consequence basis: risk (stored total risk per site) or capacity "
                                             "(people); default risk when the region is assessed, else capacity.")


@contextmanager
def _bars() -> Iterator[ProgressFn]:
    with Progress(TextColumn("{task.description:<14}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


@app.command("plan")
@handle_errors
def plan(
    region: str = region_option(),
    teams: int = TEAMS, shift: str = SHIFT,
    days: int = typer.Option(7, "--days", help="Days to schedule (1-366)."),
    seed: int | None = SEED, dwell_min: float = DWELL, max_stops: int = STOPS, slot_min: float = SLOT,
    max_sites: int = SITES, start_weekday: int = WEEKDAY, payoff: str | None = PAYOFF,
    out: Path | None = typer.Option(None, "--out", help="Folder for schedules.csv, schedules.json, schedules.html."),
) -> None:
    """Solve the patrol game for a region, sample daily schedules, store the plan and export it."""
    from bastion.patrol import render as exp
    from bastion.patrol import service as svc
    from bastion.patrol.build import check_options

    seed = svc.new_seed() if seed is None else seed
    o = check_options(teams=teams, shift=shift, days=days, seed=seed, dwell_min=dwell_min, max_stops=max_stops,
                      slot_min=slot_min, max_sites=max_sites, start_weekday=start_weekday, payoff=payoff)
    if out is not None and out.exists() and not out.is_dir():
        raise InvalidInput(f"--out {str(out)!r} is a file; give a folder", field="out")
    sf = session_factory()
    with sf() as s:
        region_id = RegionRepo(s).get_by_ref(region).id
    from bastion.jobs.foreground import run_with_bar
    from bastion.patrol.jobs import PLAN

    job = run_with_bar(PLAN, {"region_id": region_id, "options": o.as_dict()}, region_id=region_id,
                       title="patrol plan")
    plan_id = int((job.result or {})["plan_id"])
    with sf() as s:
        p = svc.get_plan(s, plan_id)
        region_name = RegionRepo(s).get(p.region_id).name
        teams_days = svc.schedules(s, plan_id)
        basis = p.parameters.get("payoff") or "capacity"
        console.print(f"patrol plan [bold]{plan_id}[/] (job {job.id}): {region_name}, {p.n_sites} sites x {p.n_targets // max(1, p.n_sites)} "
                      f"slot-days, {p.teams} teams, {p.days} days; payoffs from {basis}; solver {p.solver_status} "
                      f"(gap {p.gap:.1e}) in {p.runtime_s:.1f} s; attacker's best expected gain "
                      f"{p.attacker_utility:,.1f} {'people' if basis == 'capacity' else 'risk units'}")
        t = Table("day", "team", "stops", "first", "last", title="schedules")
        for ts in teams_days:
            t.add_row(str(ts.day), ts.label, str(len(ts.stops)), ts.stops[0].arrival if ts.stops else "reserve",
                      ts.stops[-1].departure if ts.stops else "")
        console.print(t)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            (out / "schedules.csv").write_text(exp.to_csv(plan_id, teams_days), encoding="utf-8")
            (out / "schedules.json").write_text(exp.to_json(exp.plan_summary(p, region_name), teams_days), encoding="utf-8")
            (out / "schedules.html").write_text(exp.to_html(s, plan_id), encoding="utf-8")
            audit_read("patrol_schedules_export", object_type="patrol_plan", object_id=plan_id)
            console.print(f"wrote {out / 'schedules.csv'}, schedules.json and schedules.html")


@app.command("list")
@handle_errors
def list_(region: str | None = region_option(None), as_json: bool = json_option()) -> None:
    """List stored patrol plans."""
    from bastion.patrol import service as svc

    with session_factory()() as s:
        rid = None if region is None else RegionRepo(s).get_by_ref(region).id
        plans = svc.list_plans(s, rid)
    if as_json:
        print_items([{"id": p.id, "region_id": p.region_id, "teams": p.teams, "shift": f"{p.shift_start}-{p.shift_end}",
                      "days": p.days, "seed": p.seed, "status": p.solver_status,
                      "attacker_gain": p.attacker_utility, "created_at": p.created_at} for p in plans])
        return
    t = Table("id", "region", "teams", "shift", "days", "seed", "status", "attacker gain (people)", "created")
    for p in plans:
        t.add_row(str(p.id), str(p.region_id), str(p.teams), f"{p.shift_start}-{p.shift_end}", str(p.days),
                  str(p.seed), p.solver_status, f"{p.attacker_utility:,.1f}", p.created_at.strftime("%Y-%m-%d %H:%M"))
    console.print(t)


@app.command("evaluate")
@handle_errors
def evaluate(
    region: str = region_option(),
    teams: int = TEAMS, shift: str = SHIFT, seed: int = EVAL_SEED, dwell_min: float = DWELL, max_stops: int = STOPS,
    slot_min: float = SLOT, max_sites: int = SITES, start_weekday: int = WEEKDAY, payoff: str | None = PAYOFF,
    observe_days: int = typer.Option(30, "--observe-days", help="Days the attacker watches before choosing."),
    trials: int = typer.Option(200, "--trials", help="Monte-Carlo trials."),
    out: Path | None = typer.Option(None, "--out", help="Folder for evaluation.svg (bar chart) and evaluation.json."),
) -> None:
    """Monte-Carlo: an observing attacker against the optimal plan, uniform and risk-proportional patrols."""
    from bastion.patrol import service as svc
    from bastion.patrol.build import check_options
    from bastion.patrol.chart import bar_chart_svg
    from bastion.patrol.evaluate import evaluate_plan
    from bastion.patrol.evaluate import visits_per_shift

    o = check_options(teams=teams, shift=shift, days=1, seed=seed, dwell_min=dwell_min, max_stops=max_stops,
                      slot_min=slot_min, max_sites=max_sites, start_weekday=start_weekday, payoff=payoff)
    if observe_days < 1 or trials < 1:
        raise InvalidInput(f"--observe-days and --trials must be >= 1, got {observe_days} and {trials}", field="trials")
    with _bars() as progress:
        _, built = svc.compute_plan(session_factory(), region, o, progress=progress)
    table = evaluate_plan(built, observe_days=observe_days, trials=trials)
    visits = visits_per_shift(built, built.weekday(1)).sum()
    t = Table(title=f"{len(built.sites)} sites x {len(built.slot_starts_s)} slots, {teams} teams on route-feasible sorties "
              f"({visits:.0f} expected site visits per shift under the plan), "
              f"attacker watches {observe_days} days, {trials} trials",
              caption=f"attacker's best expected gain and defender's expected loss, in "
              f"{'people' if built.options.payoff == 'capacity' else 'risk units'} (payoffs from {built.options.payoff}); "
              "'exact' = against "
              "the true coverage (infinitely long observation)")
    t.add_column("strategy", no_wrap=True)
    for head in ("attacker gain", "defender loss", "exact gain", "exact loss"):
        t.add_column(head, justify="right")
    for r in table.rows:
        t.add_row(r.strategy, f"{r.attacker_utility:,.1f}", f"{r.defender_loss:,.1f}",
                  f"{r.analytic_attacker_utility:,.1f}", f"{-r.analytic_defender_utility:,.1f}")
    console.print(t)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        svg = bar_chart_svg([r.strategy for r in table.rows],
                            {"attacker's best expected gain": [r.attacker_utility for r in table.rows],
                             "defender's expected loss": [r.defender_loss for r in table.rows]},
                            title="Patrol strategies against an observing attacker", unit="people")
        (out / "evaluation.svg").write_text(svg, encoding="utf-8")
        (out / "evaluation.json").write_text(json.dumps({
            "expected_visits_per_shift": float(visits), "teams": teams, "observe_days": observe_days, "trials": trials,
            "rows": [r.__dict__ for r in table.rows]}, indent=1), encoding="utf-8")
        console.print(f"wrote {out / 'evaluation.svg'} and evaluation.json")
