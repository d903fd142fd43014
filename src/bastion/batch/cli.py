"""`bastion batch run`: import, risk, coverage, vehicle and patrol over many regions on Dask distributed."""

from __future__ import annotations

import typer

from bastion.batch.enums import STEPS
from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import json_option
from bastion.kernel.cli import print_json

app = typer.Typer(help="Batch runs over many regions on Dask distributed (a local cluster or a real one).",
                  no_args_is_help=True)


@app.command("run")
@handle_errors
def run(
    regions: list[str] = typer.Option(..., "--regions", metavar="FILE|NAME=FILE", help="OSM extract per region, FILE or NAME=FILE (repeatable; "
                                      "several files may follow one --regions)."),
    extra: list[str] = typer.Argument(None, metavar="[FILE]...", help="More region files (after --regions A B C)."),
    steps: str = typer.Option(",".join(STEPS), "--steps", help=f"Comma-separated, run in this order: {','.join(STEPS)}."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Address of a running Dask scheduler, e.g. "
                                         "tcp://10.0.0.5:8786 (default: a local cluster started here)."),
    workers: int | None = typer.Option(None, "--workers", help="Worker processes of the local cluster (default 2)."),
    sequential: bool = typer.Option(False, "--sequential", help="Run in this process, one region after another."),
    as_json: bool = json_option(),
) -> None:
    """Run the steps for every region; results go to the configured database, one row per region and step. Runs
    the batch.run job here with a progress bar (recorded: `bastion jobs list`; `bastion jobs rerun ID` again)."""
    from rich.table import Table

    from bastion.batch.jobs import RUN
    from bastion.batch.service import ClusterOptions
    from bastion.batch.service import parse_region_files
    from bastion.batch.service import parse_steps
    from bastion.jobs.foreground import cli_principal
    from bastion.jobs.foreground import run_with_bar
    from bastion.jobs.service import run_foreground
    from bastion.kernel.cli import session_factory

    files = parse_region_files([*regions, *(extra or [])])
    chosen = parse_steps(steps)
    ClusterOptions(scheduler=scheduler, workers=workers, sequential=sequential)  # checked before queueing
    params = {"regions": [f"{f.name}={f.path}" for f in files], "steps": list(chosen), "scheduler": scheduler,
              "workers": workers, "sequential": sequential}
    if as_json:  # no bar on stdout: the JSON is the whole output
        job = run_foreground(session_factory(), RUN, params, principal=cli_principal(), region_id=None)
    else:
        job = run_with_bar(RUN, params, region_id=None, title="batch run")
    rep = job.result or {}
    if as_json:
        print_json({k: rep[k] for k in ("scheduler", "dashboard", "workers", "steps", "wall_s", "regions")}
                   | {"job_id": job.id})
        return
    results = rep["regions"]
    table = Table(title=f"batch: {len(results)} regions on {rep['workers']} worker(s) ({rep['scheduler']})")
    table.add_column("region")
    for st in rep["steps"]:
        table.add_column(f"{st} s", justify="right")
    table.add_column("worker")
    for r in results:
        table.add_row(r["region"], *(f"{r['runtime_s'][st]:.1f}" for st in rep["steps"]), r["worker"])
    console.print(table)
    if rep["dashboard"]:
        console.print(f"Dask dashboard: {rep['dashboard']}", highlight=False)
    console.print(f"wall time {rep['wall_s']:.1f} s; region time {rep['region_s']:.1f} s, CPU {rep['cpu_s']:.1f} s "
                  f"(parallel speed-up {rep['region_s'] / max(rep['wall_s'], 1e-9):.2f}x; job {job.id})")
