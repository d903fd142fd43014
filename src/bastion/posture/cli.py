"""`bastion posture ...` and `bastion office briefing`."""

from __future__ import annotations

import datetime as dt
import getpass
import time
from pathlib import Path

import typer
from rich.table import Table

from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import json_option
from bastion.kernel.cli import parse_now
from bastion.kernel.cli import print_json
from bastion.kernel.cli import region_option
from bastion.kernel.cli import session_factory
from bastion.kernel.errors import InvalidInput
from bastion.regions.repository import RegionRepo

app = typer.Typer(help="Threat and response levels: propose, preview, approve (a second person), stand down, "
                       "expiry check.", no_args_is_help=True)
briefing_app = typer.Typer(no_args_is_help=True)


def _rid(region: str) -> int:
    with session_factory()() as s:
        return RegionRepo(s).get_by_ref(region).id


def _actor(label: str | None) -> str:
    return f"cli:{label or getpass.getuser()}"


def _print_preview(pv: object) -> None:
    from bastion.posture.service import Preview

    assert isinstance(pv, Preview)
    console.print(f"levels {pv.levels_before} -> {pv.levels_after}; responses {pv.response_before} -> "
                  f"{pv.response_after}")
    console.print("[bold]TLP:AMBER — need-to-know: do not publish these measures.[/bold]")
    t = Table("agency", "tasks", "measures", "vehicle barriers", "closed", "extra staff h/day", "days sustainable")
    for a in pv.agencies:
        t.add_row(a.agency, str(a.tasks_added), str(a.measures_added), str(a.hvm_added), str(a.closed),
                  f"{a.extra_staff_h_per_day:g}", "indefinitely" if a.days_sustainable is None
                  else str(a.days_sustainable))
    console.print(t)
    if pv.patrol is not None:
        console.print(f"patrol resources {pv.patrol.resources_before:g} -> {pv.patrol.resources_after:g}; defender "
                      f"expected utility {pv.patrol.defender_eu_before:.4f} -> {pv.patrol.defender_eu_after:.4f}")


@app.command("show")
@handle_errors
def show(region: str = region_option(), as_json: bool = json_option()) -> None:
    """Levels in force and the declarations of a region."""
    from bastion.posture import service as ps

    rid = _rid(region)
    with session_factory()() as s:
        levels = ps.current_levels(s, rid)
        decls = ps.list_declarations(s, region_id=rid)
    if as_json:
        print_json({"levels": levels, "declarations": [
            {"id": d.id, "scheme": d.scheme, "level": d.level, "status": d.status, "expires_at": d.expires_at}
            for d in decls]})
        return
    console.print(f"in force: {levels}")
    t = Table("id", "scheme", "level", "status", "proposed by", "approved by", "expires (UTC)")
    for d in decls:
        t.add_row(str(d.id), d.scheme, d.level, d.status, d.proposed_actor, d.approved_actor or "",
                  f"{d.expires_at:%Y-%m-%d %H:%M}" if d.expires_at else "")
    console.print(t)


@app.command("propose")
@handle_errors
def propose(region: str = region_option(), scheme: str = typer.Option(..., "--scheme", help="uk, cn or ntas"),
            level: str = typer.Option(..., "--level"), reason: str = typer.Option(..., "--reason"),
            expires: str | None = typer.Option(None, "--expires", help="ISO time with zone (NTAS: required)."),
            actor: str | None = typer.Option(None, "--as", help="Who proposes (a label; defaults to the OS user)."),
            now: str | None = typer.Option(None, "--now")) -> None:
    """Propose a level change and print what it would change per agency."""
    from bastion.posture import service as ps

    sf = session_factory()
    d = ps.propose(sf, _rid(region), scheme=scheme, level=level, reason=reason, now=parse_now(now),
                   by=ps.Signer(_actor(actor)), expires_at=parse_now(expires) if expires else None)
    console.print(f"declaration {d.id} proposed; another person approves it with `bastion posture approve {d.id}`")
    with sf() as s:
        _print_preview(ps.preview_declaration(s, d.id))


@app.command("approve")
@handle_errors
def approve(declaration_id: int = typer.Argument(...),
            actor: str | None = typer.Option(None, "--as", help="Who approves (must differ from the proposer)."),
            now: str | None = typer.Option(None, "--now")) -> None:
    """Approve and apply (creates and closes the posture's tasks in one transaction)."""
    from bastion.posture import service as ps

    r = ps.approve(session_factory(), declaration_id, now=parse_now(now), by=ps.Signer(_actor(actor)))
    console.print(f"declaration {r.declaration_id} active: {r.created} tasks created, {r.closed} closed in "
                  f"{r.runtime_s:.2f} s")


@app.command("reject")
@handle_errors
def reject(declaration_id: int = typer.Argument(...),
           actor: str | None = typer.Option(None, "--as", help="Who rejects (must differ from the proposer)."),
           now: str | None = typer.Option(None, "--now")) -> None:
    """Turn a proposed posture change down (nothing is applied)."""
    from bastion.posture import service as ps

    d = ps.reject(session_factory(), declaration_id, now=parse_now(now), by=ps.Signer(_actor(actor)))
    console.print(f"declaration {d.id} rejected")


@app.command("end")
@handle_errors
def end(declaration_id: int = typer.Argument(...), now: str | None = typer.Option(None, "--now")) -> None:
    """Stand a declaration down: back to the previous level, its temporary tasks close."""
    from bastion.posture import service as ps

    r = ps.end(session_factory(), declaration_id, now=parse_now(now))
    console.print(f"declaration {r.declaration_id} ended: {r.closed} tasks closed")


@app.command("sync")
@handle_errors
def sync(region: str = region_option(), now: str | None = typer.Option(None, "--now")) -> None:
    """Make the stored posture tasks equal the rule pack at the levels in force (first use, or repair)."""
    from bastion.posture import service as ps

    created, closed = ps.sync(session_factory(), _rid(region), now=parse_now(now))
    console.print(f"{created} tasks created, {closed} closed")


@app.command("check-pack")
@handle_errors
def check_pack(path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A posture rule pack (YAML).")) -> None:
    """Validate a rule pack before use (BASTION_OFFICE_POSTURE_PACK): every rule cites its source."""
    from bastion.posture import service as ps

    p = ps.load_pack(path)
    kinds: dict[str, int] = {}
    for r in p.rules:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    console.print(f"pack {p.pack_id} {p.version}: {len(p.rules)} rules {kinds}; "
                  f"{sum(r.assumption for r in p.rules)} marked as assumptions")


@app.command("tick")
@handle_errors
def tick(loop: bool = typer.Option(False, "--loop", help="Keep running (a worker); every --interval seconds."),
         interval: float = typer.Option(20.0, "--interval", help="Seconds between checks (at most 30)."),
         now: str | None = typer.Option(None, "--now")) -> None:
    """The periodic check: posture expiry, escalation ladders, notification delivery, daily digest."""
    from bastion.posture.ticker import Ticker
    from bastion.posture.ticker import default_jobs

    if not 0 < interval <= 30:
        raise InvalidInput("--interval must be in (0, 30] seconds", field="interval")
    t = Ticker(session_factory(), interval_s=interval, extra=default_jobs())
    if now:
        t.clock = lambda: parse_now(now)
    while True:
        expired = t.tick_once()
        console.print(f"{dt.datetime.now(dt.UTC):%H:%M:%S}: {len(expired)} declarations expired")
        if not loop:
            return
        time.sleep(interval)


@briefing_app.command("briefing")
@handle_errors
def briefing(region: str = region_option(), kind: str = typer.Option("weekly", "--kind", help="weekly or monthly"),
             tlp: str = typer.Option("TLP:GREEN", "--tlp", help="TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT, "
                                     "TLP:RED"),
             lang: str = typer.Option("en", "--lang", help="en or zh-CN"),
             out: Path = typer.Option(..., "--out", help="File to write (.html or .pdf)."),
             now: str | None = typer.Option(None, "--now")) -> None:
    """Write the lead-office briefing; sections above --tlp are left out."""
    from bastion.office import render
    from bastion.posture import briefing as svc

    with session_factory()() as s:
        b = svc.build(s, kind=kind, tlp=tlp, now=parse_now(now), region_id=_rid(region))
    html = render.briefing_html(b, lang=lang)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(render.to_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
    console.print(f"{b.kind} briefing {b.tlp} ({len(b.sections)} sections, {b.withheld} withheld) -> {out}")
