"""`bastion db`: migrations."""

from __future__ import annotations

from pathlib import Path

import typer

from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import settings
from bastion.kernel.db.engine import make_engine
from bastion.platform import migrate

app = typer.Typer(help="Database schema: migrate and inspect.", no_args_is_help=True)


@app.command("upgrade")
@handle_errors
def upgrade(revision: str = typer.Argument("head", help="Alembic revision to upgrade to.")) -> None:
    """Apply migrations (creates the SQLite file on first use)."""
    s = settings()
    engine = make_engine(s.resolved_database_url())
    migrate.upgrade(engine, revision)
    console.print(f"database at revision [bold]{migrate.current_revision(engine)}[/] ({engine.url.render_as_string()})")


@app.command("current")
@handle_errors
def current() -> None:
    """Show the database's migration revision and the code's head."""
    engine = make_engine(settings().resolved_database_url())
    console.print(f"current: {migrate.current_revision(engine)}  head: {migrate.head_revision()}")


@app.command("backup")
@handle_errors
def backup(
    file: Path = typer.Argument(..., help="Backup file to write (SQLite copy, or pg_dump custom format)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Consistent online backup of the live database (SQLite backup API, or pg_dump)."""
    from bastion.access.cli import cli_actor
    from bastion.platform import backup as svc

    engine = make_engine(settings().resolved_database_url())
    out = svc.backup(engine, file, actor=cli_actor().name, overwrite=force)
    console.print(f"backup written to {out} ({out.stat().st_size:,} bytes)")


@app.command("restore")
@handle_errors
def restore(
    file: Path = typer.Argument(..., help="A file written by `bastion db backup` on the same kind of database."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Replace the database's contents with a backup (all or nothing)."""
    from bastion.access.cli import cli_actor
    from bastion.platform import backup as svc

    engine = make_engine(settings().resolved_database_url())
    if not yes:
        typer.confirm(f"replace everything in {engine.url.render_as_string()} with {file}?", abort=True)
    pre = svc.restore(engine, file, actor=cli_actor().name)
    console.print(f"restored from {file}; database at revision {migrate.current_revision(engine)}; every session "
                  f"and token revoked; the database as it was before is in {pre}")
