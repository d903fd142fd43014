"""`bastion jobs`: list, show, cancel and re-run background jobs."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import json_option
from bastion.kernel.cli import print_items
from bastion.kernel.cli import print_json
from bastion.kernel.cli import session_factory

app = typer.Typer(help="Background jobs: list, show, cancel, re-run.", no_args_is_help=True)
JOB_ID = typer.Argument(..., min=1, help="Job id.")


@app.command("list")
@handle_errors
def list_jobs(
    state: list[str] = typer.Option([], "--state", help="queued, running, succeeded, failed, cancelled or "
                                                        "interrupted (repeatable)."),
    kind: str | None = typer.Option(None, "--kind", help="e.g. patrol.plan"),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="At most this many (newest first)."),
    as_json: bool = json_option(),
) -> None:
    """Jobs, newest first."""
    from bastion.jobs import service as svc
    from bastion.jobs.foreground import cli_principal
    from bastion.jobs.schemas import job_read

    rows = svc.listing(session_factory(), cli_principal(), states=state, kind=kind)
    items = [job_read(j, with_result=False).model_dump(mode="json") for j in rows[:limit]]
    if as_json:
        print_items(items, len(rows))
        return
    t = Table("id", "kind", "state", "progress", "message", "region", "actor", "created")
    for j in items:
        t.add_row(str(j["id"]), j["kind"], j["state"], f"{100 * j['progress']:.0f} %", j["message"][:40],
                  str(j["region_id"] or ""), j["actor"], j["created_at"][:19])
    console.print(t)


@app.command("show")
@handle_errors
def show(job_id: int = JOB_ID, as_json: bool = json_option()) -> None:
    """One job: state, progress, result or error."""
    from bastion.jobs import service as svc
    from bastion.jobs.foreground import cli_principal
    from bastion.jobs.schemas import job_read

    j = job_read(svc.get(session_factory(), job_id, cli_principal())).model_dump(mode="json")
    if as_json:
        print_json(j)
        return
    t = Table("field", "value", title=f"job {j['id']}: {j['kind']}")
    for key in ("state", "progress", "message", "region_id", "actor", "attempts", "created_at", "started_at",
                "finished_at", "result_url"):
        t.add_row(key, "" if j[key] is None else str(j[key]))
    if j["error"]:
        t.add_row("error", f"{j['error']['code']}: {j['error']['message']}")
    if j["result"] is not None:
        t.add_row("result", json.dumps(j["result"], ensure_ascii=False)[:2000])
    console.print(t)


@app.command("cancel")
@handle_errors
def cancel(job_id: int = JOB_ID) -> None:
    """Cancel a queued job, or ask a running one to stop."""
    from bastion.jobs import service as svc
    from bastion.jobs.foreground import cli_principal

    job = svc.cancel(session_factory(), job_id, cli_principal(), client="local")
    console.print(f"job {job.id}: {job.state}" + (" (stop requested)" if job.state == "running" else ""))


@app.command("rerun")
@handle_errors
def rerun(job_id: int = JOB_ID) -> None:
    """Queue a finished (interrupted, failed, cancelled, succeeded) job again with the same params."""
    from bastion.jobs import service as svc
    from bastion.jobs.foreground import cli_principal

    job = svc.rerun(session_factory(), job_id, cli_principal(), client="local")
    console.print(f"job {job.id} queued again (attempt {job.attempts + 1}); `bastion serve` or `bastion worker` "
                  "runs it")


@app.command("purge")
@handle_errors
def purge(
    older_than: float | None = typer.Option(
        None, "--older-than", help="Days since a job finished (default: BASTION_JOB_RETENTION_DAYS, 30)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be deleted; delete nothing."),
    as_json: bool = json_option(),
) -> None:
    """Delete finished jobs (succeeded, failed, cancelled, interrupted) older than the retention, with their files;
    queued and running jobs are never deleted. Audited as job.purge."""
    from bastion.jobs import service as svc
    from bastion.kernel.cli import cli_actor_name
    from bastion.kernel.cli import settings
    from bastion.kernel.errors import InvalidInput

    days = older_than if older_than is not None else settings().job_retention_days
    if older_than is None and days == 0:
        raise InvalidInput("job retention is off (BASTION_JOB_RETENTION_DAYS=0): give --older-than DAYS",
                           field="older_than")
    rep = svc.purge_finished(session_factory(), older_than_days=days, actor=cli_actor_name(), client="local",
                             dry_run=dry_run)
    if as_json:
        print_json({"cutoff": rep.cutoff.isoformat(), "job_ids": rep.job_ids, "deleted": 0 if dry_run else
                    len(rep.job_ids), "dry_run": dry_run})
        return
    verb = "would delete" if dry_run else "deleted"
    console.print(f"{verb} {len(rep.job_ids)} finished job(s) that finished before {rep.cutoff:%Y-%m-%d %H:%M} UTC"
                  + (f": {', '.join(map(str, rep.job_ids[:50]))}" if rep.job_ids else ""))
