"""`bastion warning`: aggregate early warning. Import GTD/ACLED-format files you hold, enter your own counts,
detect rises, read alerts and the posture they recommend, export CAP 1.2, compare threat priors, backtest.

Counts between 1 and 2 are shown as "<3" (small-count suppression) unless --exact is given (local operator).
Services are imported inside the commands, so `bastion warning --help` starts fast.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING
from typing import Any

import typer
from rich.table import Table

from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import json_option
from bastion.kernel.cli import print_items
from bastion.kernel.cli import print_json
from bastion.kernel.cli import region_option
from bastion.kernel.cli import session_factory
from bastion.kernel.errors import InvalidInput

if TYPE_CHECKING:
    from bastion.kernel.jobs import JobKind

app = typer.Typer(help="Aggregate early warning: import event counts, detect rises, recommend posture "
                       "(never about persons).", no_args_is_help=True)

METHOD = typer.Option("farrington", "--method", help="farrington (quasi-Poisson, Noufaily) or cusum.")
EXACT = typer.Option(False, "--exact", help="Show counts below 3 (local operator only; shared outputs never do).")


def _run_job(kind: JobKind, params: dict[str, Any], region_id: int, title: str, quiet: bool) -> dict[str, Any]:
    """Run a warning job kind here (recorded: `bastion jobs list`), with the bar unless the output is JSON."""
    from bastion.jobs.foreground import cli_principal
    from bastion.jobs.foreground import run_with_bar
    from bastion.jobs.service import run_foreground

    if quiet:
        job = run_foreground(session_factory(), kind, params, principal=cli_principal(), region_id=region_id)
    else:
        job = run_with_bar(kind, params, region_id=region_id, title=title)
    return dict(job.result or {})


def _n(v: int, exact: bool) -> str:
    from bastion.algorithms.surveillance.disclosure import suppress
    from bastion.algorithms.surveillance.disclosure import suppressed_label

    return str(v) if exact else suppressed_label(suppress(v))


@app.command("import")
@handle_errors
def import_(
    path: Path = typer.Argument(..., help="A GTD- or ACLED-format CSV you hold (it is never copied)."),
    region: str = region_option(),
    fmt: str = typer.Option(..., "--format", help="gtd (GTD codebook columns) or acled (ACLED export columns)."),
    country: str | None = typer.Option(None, "--country", help="Keep only this country (GTD code or ACLED name)."),
    as_json: bool = json_option(),
) -> None:
    """Aggregate a file to region x ISO week x attack type x target type; person, actor and note columns are
    never read. The same file twice changes nothing."""
    from bastion.regions.repository import RegionRepo
    from bastion.warning.jobs import IMPORT

    if fmt not in ("gtd", "acled"):
        raise InvalidInput(f"--format must be gtd or acled, got {fmt!r}", field="format")
    if not path.is_file():
        raise InvalidInput(f"file {str(path)!r} does not exist", field="path")
    with session_factory()() as s:
        rid = RegionRepo(s).get_by_ref(region).id
    params = {"region_id": rid, "path": str(path.resolve()), "format": fmt, "country": country}
    r = SimpleNamespace(**_run_job(IMPORT, params, rid, "reading", as_json))
    if as_json:
        print_json(r.__dict__)
        return
    state = "already imported: nothing changed" if r.duplicate else f"{r.cells:,} weekly cells stored"
    console.print(f"import {r.import_id} ({r.dataset}, sha256 {r.sha256[:12]}…): {r.rows_read:,} rows read, "
                  f"{r.rows_used:,} used, {r.rows_undated:,} undated, {r.rows_filtered:,} outside the filter; "
                  f"{state}; {r.columns_dropped} columns never read; {r.runtime_s:.1f} s")


@app.command("enter")
@handle_errors
def enter(
    region: str = region_option(),
    week: str = typer.Option(..., "--week", help="ISO week 2026-W40 or any date of the week."),
    attack_type: str = typer.Option(..., "--attack-type", help="marauding_attack, vehicle_as_weapon, ied, "
                                                               "fire_as_weapon, cbr, cyber or other."),
    target_type: int = typer.Option(..., "--target-type", help="GTD target type code 1-22 (e.g. 19 transport)."),
    events: int = typer.Option(..., "--events", help="Events that week."),
    fatalities: int = typer.Option(0, "--fatalities"),
    injured: int = typer.Option(0, "--injured"),
) -> None:
    """Enter your office's own aggregate count for one week (replaces an earlier entry of the same cell)."""
    from bastion.regions.repository import RegionRepo
    from bastion.warning import service as svc

    sf = session_factory()
    with sf() as s:
        rid = RegionRepo(s).get_by_ref(region).id
    n = svc.enter_counts(sf, rid, [svc.ManualCount(svc.parse_week(week), attack_type, target_type, events,
                                                   fatalities, injured)])
    console.print(f"stored {n} weekly count")


@app.command("series")
@handle_errors
def series(region: str = region_option(), exact: bool = EXACT, as_json: bool = json_option()) -> None:
    """The region's series (dataset x attack type x target type)."""
    from bastion.regions.repository import RegionRepo
    from bastion.warning import service as svc
    from bastion.warning.enums import target_label

    with session_factory()() as s:
        rows = svc.list_series(s, RegionRepo(s).get_by_ref(region).id)
    if as_json:
        print_items([{**r.__dict__, "events": _n(r.events, exact)} for r in rows])
        return
    t = Table("dataset", "attack type", "target type", "events", "weeks with events", "first", "last", "open alerts")
    for r in rows:
        t.add_row(r.dataset, r.attack_type, f"{r.target_type} {target_label(r.target_type)}", _n(r.events, exact),
                  str(r.weeks_with_events), r.first_week.isoformat(), r.last_week.isoformat(), str(r.open_alerts))
    console.print(t)


@app.command("export-series")
@handle_errors
def export_series(
    region: str = region_option(),
    dataset: str = typer.Option(..., "--dataset", help="gtd, acled or manual."),
    attack_type: str = typer.Option(..., "--attack-type"),
    target_type: int = typer.Option(..., "--target-type"),
    out: Path = typer.Option(..., "--out", help="CSV file to write (counts below 3 shown as <3)."),
) -> None:
    """Write one weekly series as CSV, small counts suppressed (for sharing)."""
    from bastion.regions.repository import RegionRepo
    from bastion.warning import render
    from bastion.warning import service as svc

    with session_factory()() as s:
        d = svc.series_data(s, RegionRepo(s).get_by_ref(region).id, (dataset, attack_type, target_type))
    out.write_text(render.series_csv(d), encoding="utf-8")
    console.print(f"wrote {out} ({len(d.weeks)} weeks)")


@app.command("detect")
@handle_errors
def detect(
    region: str = region_option(), method: str = METHOD,
    weeks: int = typer.Option(1, "--weeks", help="Weeks to decide, ending at --through (1 = the latest week)."),
    through: str | None = typer.Option(None, "--through", help="Last week decided (ISO week or date); default: "
                                                               "the latest week with data."),
    as_json: bool = json_option(),
) -> None:
    """Run the detector on every series of the region; store new alerts (each recommends a posture)."""
    from bastion.regions.repository import RegionRepo
    from bastion.warning import service as svc
    from bastion.warning.jobs import DETECT

    sf = session_factory()
    with sf() as s:
        rid = RegionRepo(s).get_by_ref(region).id
    th = svc.parse_week(through) if through else None
    params = {"region_id": rid, "method": method, "weeks": weeks, "through": th.isoformat() if th else None}
    r = SimpleNamespace(**_run_job(DETECT, params, rid, "detecting", as_json))
    if as_json:
        print_json(r.__dict__)
        return
    console.print(f"{r.series} series, {r.decided} series-weeks decided through {r.through}, {r.alarms} alarms; "
                  f"{len(r.new_alerts)} new alerts, {len(r.extended_alerts)} extended ({r.method}, "
                  f"{r.runtime_s:.2f} s)")


@app.command("alerts")
@handle_errors
def alerts(region: str = region_option(), status: str | None = typer.Option(None, "--status"),
           exact: bool = EXACT, as_json: bool = json_option()) -> None:
    """Alerts and the posture each recommends (approval happens in the posture workflow, not here)."""
    from bastion.regions.repository import RegionRepo
    from bastion.warning import alerts as alerts_svc
    from bastion.warning import render

    with session_factory()() as s:
        rows = alerts_svc.list_alerts(s, RegionRepo(s).get_by_ref(region).id, status=status)
        items = [render.alert_dict(a) | ({"observed": a.observed} if exact else {}) for a in rows]
    if as_json:
        print_items(items)
        return
    t = Table("id", "week", "series", "method", "observed", "expected", "upper", "shift", "status", "recommends")
    for a in items:
        t.add_row(str(a["id"]), a["week"].isoformat(), f"{a['dataset']} {a['attack_type']} / {a['target_label']}",
                  a["method"], "<3" if a["observed"] is None else str(a["observed"]), f"{a['expected']:.2f}",
                  f"{a['upper']:.0f}", "yes" if a["level_shift"] else "", a["status"],
                  f"{a['recommended_action']} {a['recommended_level']} ({a['decision']})")
    console.print(t)


@app.command("ack")
@handle_errors
def ack(alert_id: int = typer.Argument(...), status: str = typer.Option("acknowledged", "--status",
                                                                        help="acknowledged, closed or open.")) -> None:
    """Acknowledge or close an alert (its weeks stay out of future baselines)."""
    from bastion.warning import alerts as alerts_svc

    a = alerts_svc.set_alert_status(session_factory(), alert_id, status)
    console.print(f"alert {a.id}: {a.status}")


@app.command("cap")
@handle_errors
def cap_(alert_id: int = typer.Argument(...),
         out: Path | None = typer.Option(None, "--out", help="File to write (default: standard output).")) -> None:
    """Export an alert as an OASIS CAP 1.2 message (scope Restricted), validated against the CAP 1.2 schema."""
    from bastion.kernel.db.base import utcnow
    from bastion.regions.repository import RegionRepo
    from bastion.warning import alerts as alerts_svc
    from bastion.warning import cap

    with session_factory()() as s:
        a = alerts_svc.get_alert(s, alert_id)
        xml = cap.alert_xml(a, RegionRepo(s).get(a.region_id).name, sent=utcnow())
    if out is None:
        typer.echo(xml)
    else:
        out.write_text(xml, encoding="utf-8")
        console.print(f"wrote {out} (valid CAP 1.2)")


@app.command("priors")
@handle_errors
def priors(region: str = region_option(),
           since: str | None = typer.Option(None, "--since", help="Only counts from this date (YYYY-MM-DD)."),
           target_weight: float = typer.Option(200.0, "--target-weight", help="Prior weight, pseudo-incidents."),
           mix_weight: float = typer.Option(50.0, "--mix-weight", help="Mix prior weight, pseudo-incidents."),
           top: int = typer.Option(15, "--top", help="Sites to show (largest change first)."),
           as_json: bool = json_option()) -> None:
    """Threat priors updated from the region's counts (Dirichlet-multinomial) and the T x V x C risk of every
    site under the old and the new priors, side by side. Nothing is stored."""
    from bastion.regions.repository import RegionRepo
    from bastion.warning import analysis

    try:
        since_d = dt.date.fromisoformat(since) if since else None
    except ValueError:
        raise InvalidInput(f"--since must be YYYY-MM-DD, got {since!r}", field="since") from None
    with session_factory()() as s:
        c = analysis.compare_priors(s, RegionRepo(s).get_by_ref(region).id, since=since_d,
                                    target_weight=target_weight, mix_weight=mix_weight)
    if as_json:
        print_json({"n_local": c.update.n_local, "target_shares": [u.__dict__ for u in c.update.target_shares],
                    "sites": [x.__dict__ for x in c.sites]})
        return
    t = Table("target type", "global share", "local events", "updated share", "90 % interval",
              title=f"target-type shares (prior weight {target_weight:g}, {c.update.n_local} local events)")
    for u in sorted(c.update.target_shares, key=lambda u: -u.posterior)[:12]:
        t.add_row(u.key, f"{u.prior:.3f}", _n(u.local_count, False), f"{u.posterior:.3f}",
                  f"{u.lower:.3f}-{u.upper:.3f}")
    console.print(t)
    r = Table("site", "category", "risk before", "risk after", "rating before", "rating after",
              title="T x V x C, old and new priors side by side")
    for x in c.sites[:top]:
        r.add_row(x.site_label, x.category, f"{x.old_total:.4g}", f"{x.new_total:.4g}", x.old_rating, x.new_rating)
    console.print(r)


@app.command("backtest")
@handle_errors
def backtest(region: str = region_option(), month: str = typer.Option(..., "--month", help="YYYY-MM."),
             method: str = METHOD, horizon_weeks: int = typer.Option(4, "--horizon-weeks"),
             as_json: bool = json_option()) -> None:
    """Replay detection over one month: what was detected, when, and how often events followed."""
    from bastion.regions.repository import RegionRepo
    from bastion.warning import analysis

    with session_factory()() as s:
        b = analysis.backtest(s, RegionRepo(s).get_by_ref(region).id, month, method=method,
                              horizon_weeks=horizon_weeks)
    if as_json:
        print_json({**b.__dict__, "alerts": [{**a.__dict__, "observed": _n(a.observed, False),
                                              "events_after": _n(a.events_after, False)} for a in b.alerts]})
        return
    share = "n/a" if b.followed_share is None else f"{100 * b.followed_share:.0f} %"
    console.print(f"{b.month} ({b.method}): {b.series} series, {b.weeks_decided} series-weeks decided, "
                  f"{b.alarm_weeks} alarm weeks, {len(b.alerts)} alerts; followed by more events than expected "
                  f"within {b.horizon_weeks} weeks: {share}")
    t = Table("week", "series", "observed", "expected", "upper", "events after", "followed")
    for a in b.alerts:
        t.add_row(a.week.isoformat(), f"{a.dataset} {a.attack_type} / {a.target_type}", _n(a.observed, False),
                  f"{a.expected:.2f}", f"{a.upper:.0f}", _n(a.events_after, False), "yes" if a.followed else "no")
    console.print(t)
