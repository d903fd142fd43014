"""`bastion import`: OSM extracts and an office's own site lists."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import region_option
from bastion.kernel.cli import session_factory
from bastion.kernel.errors import InvalidInput

app = typer.Typer(help="Import OSM extracts and your own lists of key targets.", no_args_is_help=True)


@app.command("osm")
@handle_errors
def osm(
    file: Path = typer.Argument(..., help="OSM extract (.osm.pbf)."),
    region: str = region_option(help="Region (jurisdiction) name; created if new.", metavar="NAME"),
    boundary: Path | None = typer.Option(None, "--boundary", help="GeoJSON boundary of the region (optional)."),
) -> None:
    """Import key targets, crowded places and the drivable road network; idempotent, one transaction."""
    from bastion.imports.jobs import OSM
    from bastion.imports.service import ImportReport
    from bastion.jobs.foreground import run_with_bar

    job = run_with_bar(OSM, {"path": str(file.resolve()), "region": region,
                             "boundary": str(boundary.resolve()) if boundary else None},
                       region_id=None, title=f"import {file.name}")
    result = dict(job.result or {})
    result.pop("rows_changed", None)
    report = ImportReport(**result)
    t = Table(title=f"{report.file} → {report.region_name}")
    t.add_column("category")
    t.add_column("sites", justify="right")
    for c, n in report.per_category.items():
        t.add_row(c, str(n))
    t.add_row("[bold]total", f"[bold]{sum(report.per_category.values())}")
    console.print(t)
    console.print(
        f"sites: {report.sites_inserted} new, {report.sites_updated} updated, {report.sites_unchanged} unchanged, "
        f"{report.sites_marked_missing} marked missing, {report.sites_restored} restored\n"
        f"roads: {report.road_nodes} nodes, {report.road_edges} directed edges"
        f" ({'replaced' if report.roads_replaced else 'unchanged'})\n"
        f"street barriers (OSM bollard/block/jersey_barrier, unrated): {report.barriers_inserted} new, "
        f"{report.barriers_updated} updated, {report.barriers_deleted} removed, {report.barriers_unchanged} unchanged\n"
        f"response units from police/fire stations: {report.units_inserted} new, {report.units_updated} updated\n"
        f"rows changed: {report.rows_changed}; time: read {report.read_s:.2f} s, write {report.write_s:.2f} s"
    )


def _mapping(pairs: list[str]) -> dict[str, str]:
    out = {}
    for p in pairs:
        if "=" not in p:
            raise InvalidInput(f"--map {p!r} must be FIELD=COLUMN, e.g. --map name=Site_Name", field="map")
        k, v = p.split("=", 1)
        out[k.strip()] = v.strip()
    return out


@app.command("sites")
@handle_errors
def sites(
    file: Path = typer.Argument(..., help="CSV (lon/lat columns) or GeoJSON FeatureCollection."),
    region: str = region_option(help="Region name or id the sites belong to."),
    list_name: str | None = typer.Option(None, "--list", help="Name of this list (default: file name)."),
    map_: list[str] = typer.Option([], "--map", help="FIELD=COLUMN; fields: id name kind category lon lat "
                                   "capacity osm notes opening_hours."),
    crs: str | None = typer.Option(None, "--crs", help="Coordinate system of the file, e.g. EPSG:2154 "
                                   "(default WGS84 lon/lat)."),
) -> None:
    """Merge an office's own list of key targets with the OSM sites (no duplicates; idempotent)."""
    from bastion.sites.service import import_user_sites

    rep = import_user_sites(session_factory(), file, region, list_name=list_name, mapping_=_mapping(map_), crs=crs)
    console.print(f"list {rep.list_name!r}: {rep.matched_osm} linked to OSM sites, {rep.inserted} new, "
                  f"{rep.updated} updated, {rep.unchanged} unchanged")
