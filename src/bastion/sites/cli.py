"""`bastion sites` and `bastion regions`.

Light at import (typer, rich, the repositories): `bastion regions list` and `bastion sites show` must start fast, so
the site service (numpy, shapely, the OSM reader) and the file writers are imported inside the commands using them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from bastion.kernel.cli import audit_read
from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import if_version_option
from bastion.kernel.cli import json_option
from bastion.kernel.cli import print_items
from bastion.kernel.cli import print_json
from bastion.kernel.cli import region_option
from bastion.kernel.cli import session_factory
from bastion.kernel.errors import InvalidInput
from bastion.regions.repository import RegionRepo
from bastion.sites.repository import SiteRepo

app = typer.Typer(help="Key targets and crowded places.", no_args_is_help=True)
regions_app = typer.Typer(help="Regions (jurisdictions).", no_args_is_help=True)


@regions_app.command("list")
@handle_errors
def regions_list(as_json: bool = json_option()) -> None:
    """List regions with their site counts."""
    with session_factory()() as s:
        repo = RegionRepo(s)
        counts = SiteRepo(repo.s).counts_by_region()
        rows: list[dict[str, Any]] = [{"id": r.id, "name": r.name, "sites": counts.get(r.id, 0), "osm_file": r.osm_file,
                 "boundary_source": r.boundary_source} for r in repo.list()]
    if as_json:
        print_items(rows)
        return
    t = Table("id", "name", "sites", "OSM file", "boundary")
    for r in rows:
        t.add_row(str(r["id"]), r["name"], str(r["sites"]), r["osm_file"] or "", r["boundary_source"] or "")
    console.print(t)


def _region_id(s: object, region: str | None) -> int | None:
    return None if region is None else RegionRepo(s).get_by_ref(region).id  # type: ignore[arg-type]


@app.command("list")
@handle_errors
def list_(
    region: str | None = region_option(None),
    category: list[str] = typer.Option([], "--category", help="Category (repeatable)."),
    q: str | None = typer.Option(None, "--q", help="Text in the name."),
    limit: int = typer.Option(50, "--limit", min=1, max=100000),
    offset: int = typer.Option(0, "--offset", min=0),
    as_json: bool = json_option(),
) -> None:
    """List sites."""
    from bastion.sites import service as svc

    with session_factory()() as s:
        f = svc.check_filter(region_id=_region_id(s, region), categories=category, text=q)
        sites, total = svc.list_sites(s, f, limit=limit, offset=offset)
        rows: list[dict[str, Any]] = [{"id": x.id, "name": x.name, "category": x.category, "kind": x.kind, "capacity": x.capacity,
                 "capacity_method": "user_override" if x.capacity_override is not None else x.capacity_method}
                for x in sites]
    if as_json:
        print_items(rows, total)
        return
    t = Table("id", "name", "category", "kind", "capacity (people)", "method", title=f"{total} sites")
    for r in rows:
        t.add_row(str(r["id"]), r["name"] or "—", r["category"], r["kind"],
                  "" if r["capacity"] is None else f"{r['capacity']:,}", r["capacity_method"])
    console.print(t)


@app.command("show")
@handle_errors
def show(site_id: int = typer.Argument(..., help="Site id."), as_json: bool = json_option()) -> None:
    """Show one site's details."""
    with session_factory()() as s:
        x = SiteRepo(s).get(site_id)
        d: dict[str, Any] = {
            "id": x.id, "name": x.name, "category": x.category, "kind": x.kind, "source": x.source,
            "source_type": x.source_type, "source_id": x.source_id, "lat": x.lat, "lon": x.lon, "area_m2": x.area_m2,
            "capacity": x.capacity,
            "capacity_method": "user_override" if x.capacity_override is not None else x.capacity_method,
            "capacity_inputs": x.capacity_inputs, "opening_hours": x.opening_hours_raw,
            "opening_hours_valid": x.opening_hours_valid, "opening_hours_error": x.opening_hours_error,
            "notes": x.notes, "missing_from_source": bool(x.missing_from_source),
        }
    if as_json:
        print_json(d)
        return
    t = Table(show_header=False, title=f"site {d['id']}")
    rows = {
        "name": d["name"] or "—", "category / kind": f"{d['category']} / {d['kind']}",
        "source": f"{d['source']} {d['source_type']}/{d['source_id']}", "location": f"{d['lat']:.6f}, {d['lon']:.6f}",
        "area": "" if d["area_m2"] is None else f"{d['area_m2']:,.0f} m²",
        "capacity": "unknown" if d["capacity"] is None else f"{d['capacity']:,} people",
        "capacity method": d["capacity_method"],
        "capacity inputs": json.dumps(d["capacity_inputs"], ensure_ascii=False),
        "opening hours": (d["opening_hours"] or "—") + ("" if d["opening_hours_valid"] in (None, True)
                                                         else f"  (not parseable: {d['opening_hours_error']})"),
        "notes": d["notes"] or "", "missing from OSM": "yes" if d["missing_from_source"] else "no",
    }
    for k, v in rows.items():
        t.add_row(k, v)
    console.print(t)


@app.command("edit")
@handle_errors
def edit(
    site_id: int = typer.Argument(...),
    capacity: int | None = typer.Option(None, "--capacity", min=0, max=10_000_000, help="Override capacity (people)."),
    clear_capacity: bool = typer.Option(False, "--clear-capacity", help="Remove the capacity override."),
    notes: str | None = typer.Option(None, "--notes", help="Replace the notes."),
    if_version: int | None = if_version_option(),
) -> None:
    """Edit a site (capacity override, notes). Imports never overwrite these."""
    from bastion.sites import service as svc

    if capacity is not None and clear_capacity:
        raise InvalidInput("give either --capacity or --clear-capacity, not both", field="capacity")
    e = svc.SiteEdit(capacity_override=None if clear_capacity else capacity if capacity is not None else ...,
                     notes=notes if notes is not None else ...)
    x = svc.edit_site(session_factory(), site_id, e, expected_version=if_version)
    console.print(f"site {x.id} saved: capacity {x.capacity} people, notes {'set' if x.notes else 'empty'}; "
                  f"version {x.version}{'' if if_version is not None else ' (changed the latest version)'}")


@app.command("export")
@handle_errors
def export(
    out: Path = typer.Argument(..., help="Output file: .geojson, .csv or .gpkg."),
    region: str | None = region_option(None),
    category: list[str] = typer.Option([], "--category", help="Category (repeatable)."),
) -> None:
    """Export sites to GeoJSON, CSV or GeoPackage (opens in QGIS)."""
    from bastion.sites import service as svc
    from bastion.sites.files import to_csv
    from bastion.sites.files import to_geojson
    from bastion.sites.files import write_gpkg

    suffix = out.suffix.lower()
    if suffix not in (".geojson", ".json", ".csv", ".gpkg"):
        raise InvalidInput(f"output {out.name!r}: use a .geojson, .csv or .gpkg file name", field="out")
    if not out.parent.exists():
        raise InvalidInput(f"folder {str(out.parent)!r} does not exist", field="out")
    with session_factory()() as s:
        f = svc.check_filter(region_id=_region_id(s, region), categories=category)
        sites, _ = svc.list_sites(s, f, limit=None)
        rows = svc.export_rows(sites, {r.id: r.name for r in RegionRepo(s).list()})
    if suffix == ".gpkg":
        write_gpkg(rows, out)
    elif suffix == ".csv":
        out.write_text(to_csv(rows), encoding="utf-8")
    else:
        out.write_text(json.dumps(to_geojson(rows), ensure_ascii=False), encoding="utf-8")
    audit_read(f"sites_export.{suffix.lstrip('.')}", object_type="site")
    console.print(f"wrote {len(rows)} sites to {out}")


@app.command("set-operator")
@handle_errors
def set_operator(
    site_id: int = typer.Argument(..., help="Site id."),
    agency: str | None = typer.Option(None, "--agency", help="Agency name or id (omit with --none to clear)."),
    none: bool = typer.Option(False, "--none", help="The site has no operator agency."),
    if_version: int | None = if_version_option(),
) -> None:
    """Record which agency operates a site (its site operators and agency members then reach it)."""
    from bastion.access.cli import cli_actor
    from bastion.sites import service as svc

    if (agency is None) == (not none):
        raise InvalidInput("give either --agency NAME or --none", field="agency")
    aid = svc.set_site_operator(session_factory(), site_id, agency, actor=cli_actor(), expected_version=if_version)
    console.print(f"site {site_id}: operator agency {aid if aid is not None else 'none'}")

