"""The `bastion` command."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:  # typer vendors click: its groups take and return typer._click's Context and Command
    from typer import _click as click

from bastion import __version__
from bastion.kernel import cli as kernel_cli
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import settings
from bastion.kernel.cli import setup_logging
from bastion.kernel.domain import CommandSpec
from bastion.kernel.errors import BastionError
from bastion.platform.registry import specs

if TYPE_CHECKING:  # typer vendors click: its classes live in typer._click (already loaded by typer)
    from typer import _click as click

PLATFORM_COMMANDS = (
    CommandSpec("db", "bastion.platform.db_cli:app", "Database schema: migrate, back up, restore."),
)


def lazy_commands() -> dict[str, CommandSpec]:
    """Every command group of every registered domain (from the manifests: nothing heavy is imported)."""
    out = {c.name: c for c in PLATFORM_COMMANDS}
    for spec in specs():
        for c in spec.commands:
            if c.name in out:
                raise RuntimeError(f"two domains register the command {c.name!r}")
            out[c.name] = c
    return out


class LazyGroup(TyperGroup):
    """The root group: a domain's command group is imported only when it is run or asked for help, so
    `bastion --help` and simple commands start without loading every domain's scientific stack."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(lazy_commands()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            return found
        spec = lazy_commands().get(cmd_name)
        if spec is None:
            return None
        module, _, attr = spec.target.partition(":")
        sub = getattr(importlib.import_module(module), attr)
        cmd = typer.main.get_group(sub)
        cmd.name = cmd_name
        for ext in (e for d in specs() for e in d.extends if e.name == cmd_name):
            ext_module, _, ext_attr = ext.target.partition(":")
            extra = typer.main.get_group(getattr(importlib.import_module(ext_module), ext_attr))
            for sub_name, sub_cmd in extra.commands.items():
                cmd.add_command(sub_cmd, sub_name)
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lazy = lazy_commands()
        rows = []
        for name in self.list_commands(ctx):
            if name in lazy:
                rows.append((name, lazy[name].help))
            else:
                cmd = super().get_command(ctx, name)
                if cmd is not None and not cmd.hidden:
                    rows.append((name, cmd.get_short_help_str(limit=formatter.width)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _audit_cli_writes(_sf: object) -> None:
    """What a command's transaction changed and no service recorded is recorded as `cli.write` (actor
    cli:<os user>, before/after of each changed field) in the same transaction: CLI writes are audited like
    the API's."""
    from bastion.access import audit
    from bastion.kernel.db import journal

    journal.on_unaudited(lambda s, actor, entries: audit.record_journal(s, actor=actor, entries=entries))


def _audit_cli_read(sf: Any, *, what: str, object_type: str | None, object_id: object) -> None:
    from bastion.access import audit

    audit.record_now(sf, actor=kernel_cli.cli_actor_name(), action=f"read.{what}", object_type=object_type,
                     object_id=object_id, client="local")


kernel_cli.SESSION_FACTORY_HOOKS[:] = [_audit_cli_writes]
kernel_cli.READ_AUDIT_HOOKS[:] = [_audit_cli_read]

app = typer.Typer(
    cls=LazyGroup,
    help="Bastion: protective-security planning for key targets and crowded places.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

BUNDLED = Path(__file__).resolve().parents[3] / "data" / "osm"


@app.callback()
def _root(ctx: typer.Context,
          verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress at INFO.")) -> None:
    setup_logging(verbose)
    kernel_cli.CURRENT_COMMAND.clear()
    kernel_cli.CURRENT_COMMAND["group"] = ctx.invoked_subcommand or ""


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


@app.command()
@handle_errors
def serve(
    host: str | None = typer.Option(None, help="Bind address (default BASTION_HOST or 127.0.0.1)."),
    port: int | None = typer.Option(None, min=1, max=65535, help="Port (default BASTION_PORT or 8000)."),
    workers: int = typer.Option(1, "--workers", min=1, max=64,
                                help="Server processes. Sign-in limits and lockouts are kept in the database, so "
                                "they hold across processes."),
) -> None:
    """Serve the web app and REST API (OpenAPI at /docs), with BASTION_JOB_WORKERS job workers in process."""
    import uvicorn

    from bastion.platform.app import create_app

    s = settings()
    s.check_production()
    # proxy headers are resolved by the app itself from BASTION_TRUSTED_PROXIES (uvicorn would trust 127.0.0.1)
    if workers > 1:  # each process builds the app from the same BASTION_* environment
        uvicorn.run("bastion.platform.app:app_from_env", factory=True, workers=workers, host=host or s.host,
                    port=port or s.port, log_level="info", proxy_headers=False)
        return
    uvicorn.run(create_app(s), host=host or s.host, port=port or s.port, log_level="info", proxy_headers=False)


@app.command()
@handle_errors
def worker(
    concurrency: int = typer.Option(2, "--concurrency", min=1, max=64, help="Jobs run at once (threads)."),
) -> None:
    """Run queued jobs (a standalone worker; `bastion serve` also runs BASTION_JOB_WORKERS in process)."""
    import signal
    import threading

    from bastion.kernel.cli import console
    from bastion.kernel.cli import session_factory
    from bastion.platform.workers import pool

    s = settings()
    workers = pool(session_factory(s), s, concurrency=concurrency)
    workers.start()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    console.print(f"job worker: {concurrency} thread(s); Ctrl-C stops it (a running job is then marked "
                  f"interrupted after {s.job_stale_s:g} s and can be re-run)")
    stop.wait()
    workers.stop()


@app.command()
@handle_errors
def demo(
    serve_app: bool = typer.Option(True, "--serve/--no-serve", help="Start the web app after importing."),
    port: int | None = typer.Option(None, min=1, max=65535),
) -> None:
    """Migrate the database, import the bundled real Monaco extract and serve the map."""
    from bastion.imports.service import import_osm
    from bastion.kernel.cli import console
    from bastion.kernel.db.engine import make_engine
    from bastion.platform import migrate

    s = settings()
    if s.production:
        raise BastionError("`bastion demo` creates an account with a published password: not in production "
                           "(BASTION_ENV=production)")
    migrate.upgrade(make_engine(s.resolved_database_url()))
    from bastion.kernel.cli import session_factory

    sf = session_factory(s)
    rep = import_osm(sf, BUNDLED / "monaco-2023-12.osm.pbf", "Monaco",
                     boundary_file=BUNDLED / "monaco-boundary.geojson")
    console.print(f"Monaco: {sum(rep.per_category.values())} sites, {rep.road_edges} road edges "
                  f"({rep.rows_changed} rows changed)")
    from bastion.risk.service import store_region_assessment

    rr = store_region_assessment(sf, rep.region_id)
    worst = {k: sum(1 for a in rr.ranking if a.worst_rating == k) for k in ("very high", "high", "medium", "low")}
    console.print(f"risk: {len(rr.ranking)} sites tiered under 3 regimes and scored ({rr.runtime_s:.1f} s): "
                  + ", ".join(f"{k} {n}" for k, n in worst.items()))
    _demo_account(sf)
    if serve_app:
        console.print(f"open http://{s.host}:{port or s.port}/")
        serve(host=None, port=port, workers=1)


DEMO_LOGIN, DEMO_PASSWORD = "demo", "demo-password"


def _demo_account(sf: object) -> None:
    """The documented local demo account: coordinator over Monaco (README)."""
    from bastion.access import service as accounts
    from bastion.access.cli import cli_actor
    from bastion.kernel.cli import console
    from bastion.kernel.errors import Conflict

    actor = cli_actor()
    agency = accounts.ensure_agency(sf, "Demo lead office", "lead_office", actor=actor)  # type: ignore[arg-type]
    try:
        accounts.create_user(sf, DEMO_LOGIN, "Demo coordinator", agency.id, DEMO_PASSWORD,  # type: ignore[arg-type]
                             actor=actor)
        accounts.grant(sf, DEMO_LOGIN, "coordinator", "Monaco", actor=actor)  # type: ignore[arg-type]
    except Conflict:
        pass  # already there
    console.print(f"sign in as [bold]{DEMO_LOGIN}[/] / [bold]{DEMO_PASSWORD}[/] (local demo account: "
                  "coordinator over Monaco)")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
