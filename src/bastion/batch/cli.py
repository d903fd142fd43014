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
    """Run the steps for every region; results go to the configured database, one row per region and step."""
    from rich.progress import BarColumn
    from rich.progress import Progress
    from rich.progress import TextColumn
    from rich.progress import TimeElapsedColumn
    from rich.table import Table

    from bastion.batch.service import ClusterOptions
    from bastion.batch.service import parse_region_files
    from bastion.batch.service import parse_steps
    from bastion.batch.service import run_batch

    files = parse_region_files([*regions, *(extra or [])])
    chosen = parse_steps(steps)
    options = ClusterOptions(scheduler=scheduler, workers=workers, sequential=sequential)  # checked before starting
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeElapsedColumn(), console=console, transient=as_json) as prog:
        task = prog.add_task("starting", total=1.0)
        shown: list[str] = []

        def progress(fraction: float, message: str) -> None:
            if "dashboard" in message and not shown:
                shown.append(message)
                prog.console.print(message, highlight=False, markup=False)
            prog.update(task, completed=fraction, description=message.split(";")[0])

        rep = run_batch(files, chosen, progress=progress,
                        cluster=options)
    if as_json:
        print_json({"scheduler": rep.scheduler, "dashboard": rep.dashboard, "workers": rep.workers,
                    "steps": list(rep.steps), "wall_s": round(rep.wall_s, 3),
                    "regions": [{"region": r.region, "hashes": r.hashes, "runtime_s": r.runtime_s, "cpu_s": r.cpu_s,
                                 "lock_retries": r.lock_retries, "worker": r.worker}
                                for r in sorted(rep.results, key=lambda r: r.region)]})
        return
    table = Table(title=f"batch: {len(rep.results)} regions on {rep.workers} worker(s) ({rep.scheduler})")
    table.add_column("region")
    for st in rep.steps:
        table.add_column(f"{st} s", justify="right")
    table.add_column("worker")
    for r in sorted(rep.results, key=lambda r: r.region):
        table.add_row(r.region, *(f"{r.runtime_s[st]:.1f}" for st in rep.steps), r.worker)
    console.print(table)
    if rep.dashboard:
        console.print(f"Dask dashboard: {rep.dashboard}", highlight=False)
    console.print(f"wall time {rep.wall_s:.1f} s; region time {rep.region_seconds:.1f} s, CPU {rep.cpu_seconds:.1f} s "
                  f"(parallel speed-up {rep.region_seconds / max(rep.wall_s, 1e-9):.2f}x)")
