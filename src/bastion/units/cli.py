"""`bastion units` (list, add, edit, move, remove)."""

from __future__ import annotations

import typer

from bastion.kernel.cli import console
from bastion.kernel.cli import handle_errors
from bastion.kernel.cli import if_version_option
from bastion.kernel.cli import json_option
from bastion.kernel.cli import print_items
from bastion.kernel.cli import region_option
from bastion.kernel.cli import session_factory
from bastion.regions.repository import RegionRepo
from bastion.units import service as units

units_app = typer.Typer(help="Response units (teams, never named people).", no_args_is_help=True)


@units_app.command("list")
@handle_errors
def list_(region: str = region_option(), as_json: bool = json_option()) -> None:
    """List a region's response units."""
    with session_factory()() as s:
        rid = RegionRepo(s).get_by_ref(region).id
        us = units.list_units(s, rid)
    if as_json:  # snap_distance_m is null when the base is too far from the road network
        print_items([{"id": u.id, "name": u.name, "type": u.unit_type, "standard_s": u.standard_s,
                      "profile": u.speed_profile, "lon": u.lon, "lat": u.lat,
                      "snap_distance_m": None if u.snap_osm_node is None else u.snap_distance_m, "source": u.source}
                     for u in us])
        return
    from rich.table import Table  # here: adding or moving a unit does not need it (a cold call, issue 13)

    t = Table("id", "name", "type", "standard", "profile", "lon", "lat", "snap (m)", "source", title=f"{len(us)} units")
    for u in us:
        t.add_row(str(u.id), u.name, u.unit_type, f"{u.standard_s} s", u.speed_profile, f"{u.lon:.6f}", f"{u.lat:.6f}",
                  "too far" if u.snap_osm_node is None else f"{u.snap_distance_m:.0f}", u.source)
    console.print(t)


@units_app.command("add")
@handle_errors
def add_(
    region: str = region_option(),
    unit_type: str = typer.Option(..., "--type", help=", ".join(units.UNIT_TYPES)),
    name: str = typer.Option(..., "--name", help="A team, e.g. 'Patrol car 3'."),
    lon: float = typer.Option(..., "--lon"),
    lat: float = typer.Option(..., "--lat"),
    standard: str | None = typer.Option(None, "--standard", help="1m, 3m or 5m (default from the type)."),
    profile: str | None = typer.Option(None, "--profile"),
    hours: str | None = typer.Option(None, "--hours", help="'24/7' or 'Mo-Fr 08:00-20:00; Sa 10:00-14:00'."),
) -> None:
    """Add a response unit."""
    u = units.add_unit(session_factory(), region, units.UnitSpec(
        unit_type=unit_type, name=name, lon=lon, lat=lat,
        standard_s=units.parse_duration_s(standard) if standard else None, speed_profile=profile,
        availability=units.parse_availability(hours) if hours else None))
    console.print(f"unit {u.id} {u.name!r} added ({u.unit_type}, {u.standard_s} s, snapped "
                  f"{'too far' if u.snap_osm_node is None else f'{u.snap_distance_m:.0f} m'})")


@units_app.command("edit")
@handle_errors
def edit(
    unit_id: int = typer.Argument(...),
    name: str | None = typer.Option(None, "--name"),
    unit_type: str | None = typer.Option(None, "--type"),
    standard: str | None = typer.Option(None, "--standard"),
    profile: str | None = typer.Option(None, "--profile"),
    hours: str | None = typer.Option(None, "--hours"),
    if_version: int | None = if_version_option(),
) -> None:
    """Edit a unit's name, type, standard, profile or hours."""
    from bastion.kernel.unset import UNSET

    e = units.UnitEdit(
        name=name if name is not None else UNSET, unit_type=unit_type if unit_type is not None else UNSET,
        standard_s=units.parse_duration_s(standard) if standard else UNSET,
        speed_profile=profile if profile is not None else UNSET,
        availability=units.parse_availability(hours) if hours is not None else UNSET)
    u = units.edit_unit(session_factory(), unit_id, e, expected_version=if_version)
    console.print(f"unit {u.id} {u.name!r} saved; version {u.version}"
                  f"{'' if if_version is not None else ' (changed the latest version)'}")


@units_app.command("move")
@handle_errors
def move(unit_id: int = typer.Argument(...), lon: float = typer.Option(..., "--lon"),
         lat: float = typer.Option(..., "--lat"), if_version: int | None = if_version_option()) -> None:
    """Move a unit's base."""
    u = units.edit_unit(session_factory(), unit_id, units.UnitEdit(lon=lon, lat=lat), expected_version=if_version)
    console.print(f"unit {u.id} moved to {u.lat:.6f}, {u.lon:.6f}")


@units_app.command("remove")
@handle_errors
def remove(unit_id: int = typer.Argument(...), if_version: int | None = if_version_option()) -> None:
    """Remove a unit."""
    units.remove_unit(session_factory(), unit_id, expected_version=if_version)
    console.print(f"unit {unit_id} removed")
