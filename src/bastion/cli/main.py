"""The `bastion` command."""

from __future__ import annotations

from pathlib import Path

import typer

from bastion import __version__
from bastion.cli import coverage, db, imports, patrol, sites, users, vehicle
from bastion.cli import risk as risk_cli
from bastion.cli.common import console, handle_errors, settings, setup_logging
from bastion.errors import BastionError

app = typer.Typer(
    help="Bastion: protective-security planning for key targets and crowded places.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(imports.app, name="import")
app.add_typer(sites.app, name="sites")
app.add_typer(sites.regions_app, name="regions")
app.add_typer(vehicle.app, name="vehicle")
risk_cli.register(app)  # risk, measures, inspect, tasks, threat-level, report
app.add_typer(users.users_app, name="users")
app.add_typer(users.agencies_app, name="agencies")
app.add_typer(users.audit_app, name="audit")
sites.app.command("set-operator")(handle_errors(users.set_operator))
app.add_typer(coverage.app, name="coverage")
app.add_typer(coverage.units_app, name="units")
app.add_typer(patrol.app, name="patrol")

BUNDLED = Path(__file__).resolve().parents[3] / "data" / "osm"


@app.callback()
def _root(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress at INFO.")) -> None:
    setup_logging(verbose)


@app.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)


@app.command()
@handle_errors
def serve(
    host: str | None = typer.Option(None, help="Bind address (default BASTION_HOST or 127.0.0.1)."),
    port: int | None = typer.Option(None, min=1, max=65535, help="Port (default BASTION_PORT or 8000)."),
) -> None:
    """Serve the web app and REST API (OpenAPI at /docs)."""
    import uvicorn

    from bastion.api.app import create_app

    s = settings()
    s.check_production()
    uvicorn.run(create_app(s), host=host or s.host, port=port or s.port, log_level="info")


@app.command()
@handle_errors
def demo(
    serve_app: bool = typer.Option(True, "--serve/--no-serve", help="Start the web app after importing."),
    port: int | None = typer.Option(None, min=1, max=65535),
) -> None:
    """Migrate the database, import the bundled real Monaco extract and serve the map."""
    from bastion.db import migrate
    from bastion.db.engine import make_engine
    from bastion.services.imports import import_osm

    s = settings()
    if s.production:
        raise BastionError("`bastion demo` creates an account with a published password: not in production "
                           "(BASTION_ENV=production)")
    migrate.upgrade(make_engine(s.resolved_database_url()))
    from bastion.cli.common import session_factory

    sf = session_factory(s)
    rep = import_osm(sf, BUNDLED / "monaco-2023-12.osm.pbf", "Monaco",
                     boundary_file=BUNDLED / "monaco-boundary.geojson")
    console.print(f"Monaco: {sum(rep.per_category.values())} sites, {rep.road_edges} road edges "
                  f"({rep.rows_changed} rows changed)")
    from bastion.services.risk import store_region_assessment

    rr = store_region_assessment(sf, rep.region_id)
    worst = {k: sum(1 for a in rr.ranking if a.worst_rating == k) for k in ("very high", "high", "medium", "low")}
    console.print(f"risk: {len(rr.ranking)} sites tiered under 3 regimes and scored ({rr.runtime_s:.1f} s): "
                  + ", ".join(f"{k} {n}" for k, n in worst.items()))
    _demo_account(sf)
    if serve_app:
        console.print(f"open http://{s.host}:{port or s.port}/")
        serve(host=None, port=port)


DEMO_LOGIN, DEMO_PASSWORD = "demo", "demo-password"


def _demo_account(sf: object) -> None:
    """The documented local demo account: coordinator over Monaco (README)."""
    from bastion.cli.users import cli_actor
    from bastion.errors import Conflict
    from bastion.services import accounts

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
