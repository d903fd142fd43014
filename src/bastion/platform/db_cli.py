"""`bastion db`: migrations, backup, and the read-only QGIS role."""

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


@app.command("qgis-role")
@handle_errors
def qgis_role(
    name: str = typer.Option(..., "--name", help="Login role to create or update (lowercase letters, digits, _)."),
    password_file: Path | None = typer.Option(
        None, "--password-file", help="Read the role's password from this file (first line); default: a new random "
        "password, printed once."),
    drop: bool = typer.Option(False, "--drop", help="Drop the role and its grants instead."),
) -> None:
    """Read-only PostgreSQL role for QGIS/GDAL: SELECT on the gis schema's layers, nothing else (docs/qgis.md)."""
    import secrets

    from bastion.platform import postgis

    engine = make_engine(settings().resolved_database_url())
    if drop:
        existed = postgis.drop_reader_role(engine, name)
        console.print(f"role {name} dropped" if existed else f"role {name} did not exist: nothing to drop")
        return
    if password_file is not None:
        try:
            password = password_file.read_text(encoding="utf-8").splitlines()[0].strip()
        except (OSError, IndexError, UnicodeDecodeError) as exc:
            from bastion.kernel.errors import InvalidInput

            raise InvalidInput(f"--password-file {password_file}: cannot read a password from it ({exc})",
                               field="password_file") from None
    else:
        password = secrets.token_urlsafe(18)
    created = postgis.create_reader_role(engine, name, password)
    url = engine.url
    console.print(f"role {name} {'created' if created else 'updated'}: it reads the views of schema "
                  f"[bold]{postgis.GIS_SCHEMA}[/] ({', '.join(postgis.GIS_LAYERS)}) and nothing else", highlight=False)
    if password_file is None:
        console.print(f"password (shown once): {password}", highlight=False, markup=False)
    console.print(f"QGIS: Layer > Data Source Manager > PostgreSQL > New: host {url.host or 'localhost'}, port "
                  f"{url.port or 5432}, database {url.database}, user {name}; GDAL: "
                  f"PG:\"host={url.host or 'localhost'} port={url.port or 5432} dbname={url.database} user={name} "
                  f"schemas={postgis.GIS_SCHEMA}\"", highlight=False, markup=False)
