"""`bastion db`: migrations."""

from __future__ import annotations

import typer

from bastion.cli.common import console, handle_errors, settings
from bastion.db import migrate
from bastion.db.engine import make_engine

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
