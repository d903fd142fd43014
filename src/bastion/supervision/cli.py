"""`bastion inspect | tasks` and `bastion vehicle tasks`: the supervision loop."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from bastion.kernel.cli import audit_read
from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import if_version_option
from bastion.kernel.cli import json_option
from bastion.kernel.cli import parse_now
from bastion.kernel.cli import print_items
from bastion.kernel.cli import region_option
from bastion.kernel.cli import session_factory
from bastion.kernel.db.base import utcnow
from bastion.kernel.errors import InvalidInput
from bastion.regions.repository import RegionRepo

inspect_app = typer.Typer(help="Inspections: checklist from the site's tiers, answers, completion.",
                          no_args_is_help=True)


tasks_app = typer.Typer(help="Rectification tasks: open → in_progress → fixed → verified.", no_args_is_help=True)


@inspect_app.command("start")
@handle_errors
def inspect_start(site_id: int = typer.Argument(...),
                  agency: str = typer.Option(..., "--agency", help="The inspecting agency (never a person's name).")) -> None:
    """Open an inspection: the checklist of every requirement of the site's tiers, with suggested answers."""
    from bastion.supervision import service as insp_svc

    insp = insp_svc.start_inspection(session_factory(), site_id, now=utcnow(), inspector_agency=agency)
    with session_factory()() as s:
        t = Table("item", "requirement", "clause", "suggested", title=f"inspection {insp.id} of site {site_id}")
        for i in insp_svc.inspection_items(s, insp.id):
            t.add_row(i.item_id, i.text, i.clause, i.suggested)
        console.print(t)


@inspect_app.command("answer")
@handle_errors
def inspect_answer(inspection_id: int = typer.Argument(...),
                   answers: list[str] = typer.Argument(None, help="ITEM_ID=pass|fail|not_applicable ..."),
                   accept_suggested: bool = typer.Option(False, "--accept-suggested",
                                                         help="Answer every unanswered item with its suggestion."),
                   notes: list[str] = typer.Option(None, "--note", help=(
                       "ITEM_ID=TEXT: an evidence note about the place (repeatable; TEXT empty clears it)."))) -> None:
    """Record answers and evidence notes."""
    from bastion.supervision import service as insp_svc

    parsed: dict[str, str] = {}
    for a in answers or []:
        if "=" not in a:
            raise InvalidInput(f"answers must be ITEM_ID=pass|fail|not_applicable, got {a!r}", field="answers")
        k, v = a.rsplit("=", 1)
        parsed[k] = v
    parsed_notes: dict[str, str] = {}
    for n in notes or []:
        if "=" not in n:
            raise InvalidInput(f"--note must be ITEM_ID=TEXT, got {n!r}", field="notes")
        k, v = n.split("=", 1)
        parsed_notes[k] = v
    if accept_suggested:
        with session_factory()() as s:
            for i in insp_svc.inspection_items(s, inspection_id):
                if i.answer is None and i.item_id not in parsed:
                    parsed[i.item_id] = i.suggested
    left = insp_svc.answer(session_factory(), inspection_id, parsed, now=utcnow(), notes=parsed_notes)
    console.print(f"inspection {inspection_id}: {len(parsed)} answers and {len(parsed_notes)} notes recorded, "
                  f"{left} items unanswered")


@inspect_app.command("complete")
@handle_errors
def inspect_complete(inspection_id: int = typer.Argument(...),
                     owner: str = typer.Option(..., "--owner", help="Agency that must rectify failed items."),
                     deadline_days: int = typer.Option(30, "--deadline-days", min=1, max=3650)) -> None:
    """Complete an inspection: failed items become tasks; passed items verify earlier tasks."""
    from bastion.supervision import service as insp_svc

    r = insp_svc.complete(session_factory(), inspection_id, now=utcnow(), owner_agency=owner,
                          deadline_days=deadline_days)
    console.print(f"inspection {inspection_id}: {len(r.passed)} passed, {len(r.failed)} failed, "
                  f"{len(r.not_applicable)} n/a; tasks created {list(r.tasks_created)}, reopened "
                  f"{list(r.tasks_reopened)}, verified {list(r.tasks_verified)}")


@tasks_app.command("list")
@handle_errors
def tasks_list(region: str | None = region_option(None),
               site: str | None = typer.Option(None, "--site", help="Site id or exact name."),
               status: list[str] = typer.Option([], "--status", help="open, in_progress, fixed or verified "
                                                "(repeatable)."),
               overdue: bool = typer.Option(False, "--overdue", help="Only overdue tasks."),
               as_json: bool = json_option()) -> None:
    """List rectification tasks."""
    from bastion.sites.service import site_id_by_ref
    from bastion.supervision import service as insp_svc

    with session_factory()() as s:
        rid = RegionRepo(s).get_by_ref(region).id if region else None
        sid = None if site is None else site_id_by_ref(s, site, rid)
        items = insp_svc.list_tasks(s, region_id=rid, site_id=sid, status=status, overdue=True if overdue else None)
        rows: list[dict[str, Any]] = [{"id": x.id, "site_id": x.site_id, "item": x.item_id, "owner_agency": x.owner_agency,
                 "deadline": x.deadline, "status": x.status, "overdue": bool(x.overdue),
                 "escalation_level": x.escalation_level} for x in items]
    if rows:
        audit_read("tasks", object_type="task", object_id=rows[0]["id"] if len(rows) == 1 else None)
    if as_json:
        print_items(rows)
        return
    t = Table("id", "site", "item", "owner agency", "deadline", "status", "overdue", "level", title=f"{len(rows)} tasks")
    for r in rows:
        t.add_row(str(r["id"]), str(r["site_id"]), r["item"], r["owner_agency"], r["deadline"].strftime("%Y-%m-%d"),
                  r["status"], "yes" if r["overdue"] else "", str(r["escalation_level"]))
    console.print(t)


@tasks_app.command("update")
@handle_errors
def tasks_update(task_id: int = typer.Argument(...), status: str | None = typer.Option(None, "--status"),
                 owner: str | None = typer.Option(None, "--owner"),
                 deadline: str | None = typer.Option(None, "--deadline", help="ISO time with zone."),
                 if_version: int | None = if_version_option()) -> None:
    """Move a task (open → in_progress → fixed), reassign or reschedule it."""
    from bastion.supervision import service as insp_svc

    t = insp_svc.update_task(session_factory(), task_id, now=utcnow(), status=status, owner_agency=owner,
                             deadline=parse_now(deadline) if deadline else None, expected_version=if_version)
    console.print(f"task {t.id}: {t.status}, owner {t.owner_agency}, deadline {t.deadline:%Y-%m-%d}; version "
                  f"{t.version}{'' if if_version is not None else ' (changed the latest version)'}")


@tasks_app.command("escalate")
@handle_errors
def tasks_escalate(now: str | None = typer.Option(None, "--now", help="Evaluate as of (ISO with zone); default now.")) -> None:
    """Flag overdue tasks and raise their escalation level."""
    from bastion.supervision import service as insp_svc

    out = insp_svc.escalate_overdue(session_factory(), parse_now(now))
    for e in out:
        console.print(f"task {e.task_id} (site {e.site_id}): {e.days_overdue} days overdue, level {e.from_level} → {e.to_level}")
    console.print(f"{len(out)} tasks escalated")


vehicle_app = typer.Typer(help="Commands added to `bastion vehicle`.")


@vehicle_app.command("tasks")
@handle_errors
def tasks(
    site: str = typer.Option(..., "--site", help="Site id or exact name."),
    owner_agency: str | None = typer.Option(None, "--owner-agency", help="Agency that must rectify (default: the "
                                            "site's operator agency)."),
    deadline_days: int = typer.Option(30, "--deadline-days", min=1, max=3650, help="Days until the deadline."),
) -> None:
    """Turn the site's unmet vehicle requirements into rectification tasks (one per entry; re-runs add none)."""
    from bastion.sites.service import site_id_by_ref
    from bastion.supervision import vehicle_tasks

    sf = session_factory()
    with sf() as s:
        sid = site_id_by_ref(s, site, None)
    rep = vehicle_tasks.create_tasks(sf, sid, now=utcnow(), owner_agency=owner_agency, deadline_days=deadline_days)
    console.print(f"site {sid}: {rep.gaps} unmet approaches at {rep.entries} entries; {len(rep.created)} tasks "
                  f"created {list(rep.created)}, {len(rep.existing)} already open {list(rep.existing)}")
