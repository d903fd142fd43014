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
