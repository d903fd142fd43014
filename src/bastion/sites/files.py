"""File formats: GeoJSON boundaries, site exports (GeoJSON, CSV, GeoPackage) and users' own site lists."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from pyproj import Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import mapping
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from bastion.kernel.csvsafe import LINE_TERMINATOR
from bastion.kernel.csvsafe import cell
from bastion.kernel.errors import InvalidInput

MAX_INPUT_BYTES = 50 * 1024 * 1024


def _read_text(path: Path, what: str) -> str:
    if not path.exists() or not path.is_file():
        raise InvalidInput(f"{what} file {str(path)!r} does not exist", field="file")
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise InvalidInput(f"{what} file {path.name!r} is larger than 50 MiB", field="file")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{what} file {path.name!r} is not UTF-8 text: re-save it as UTF-8", field="file") from exc


def _load_geojson(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(_read_text(path, what))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{what} file {path.name!r} is not valid JSON: {exc}", field="file") from exc
    if not isinstance(data, dict) or "type" not in data:
        raise InvalidInput(f"{what} file {path.name!r} is not GeoJSON (no 'type' member)", field="file")
    return data


def read_boundary(path: Path) -> BaseGeometry:
    """A region boundary (Polygon/MultiPolygon, WGS84) from a GeoJSON geometry, Feature or FeatureCollection."""
    data = _load_geojson(Path(path), "boundary")
    geoms: list[dict[str, Any] | None]  # a Feature may have a null geometry (rejected below)
    if data["type"] == "FeatureCollection":
        geoms = [f.get("geometry") for f in data.get("features", []) if isinstance(f, dict)]
    elif data["type"] == "Feature":
        geoms = [data.get("geometry")]
    else:
        geoms = [data]
    polys = []
    for g in geoms:
        try:
            geom = shape(g)
        except Exception as exc:  # noqa: BLE001 - shapely raises several types for bad GeoJSON
            raise InvalidInput(
                f"boundary file {path.name!r} holds an invalid geometry: {exc}", field="boundary"
            ) from exc
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise InvalidInput(f"boundary geometry must be a Polygon or MultiPolygon, got {geom.geom_type}",
                               field="boundary")
        polys.append(geom if geom.is_valid else shapely.make_valid(geom))
    if not polys:
        raise InvalidInput(f"boundary file {path.name!r} has no geometry", field="boundary")
    out = shapely.union_all(polys)
    minx, miny, maxx, maxy = out.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise InvalidInput("boundary coordinates must be WGS84 longitude/latitude degrees", field="boundary")
    return out


# ---------------------------------------------------------------- exports
EXPORT_FIELDS: tuple[str, ...] = (
    "id", "name", "category", "kind", "capacity", "capacity_low", "capacity_high", "capacity_method",
    "capacity_override", "opening_hours", "source", "osm_type", "osm_id", "osm_members", "user_ref", "region", "lon",
    "lat", "area_m2", "notes", "missing_from_osm",
)


@dataclass(frozen=True)
class ExportRow:
    values: dict[str, Any]  # keys: EXPORT_FIELDS
    geometry: BaseGeometry


def to_geojson(rows: Sequence[ExportRow]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": r.values["id"], "geometry": mapping(r.geometry), "properties": r.values}
            for r in rows
        ],
    }


def to_csv(rows: Sequence[ExportRow]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=[*EXPORT_FIELDS, "wkt"], lineterminator=LINE_TERMINATOR)
    w.writeheader()
    for r in rows:
        w.writerow({**{k: ("" if r.values.get(k) is None else cell(r.values.get(k))) for k in EXPORT_FIELDS},
                    "wkt": r.geometry.wkt})
    return buf.getvalue()


def write_gpkg(rows: Sequence[ExportRow], path: Path) -> None:
    """A GeoPackage with one layer 'sites' (MultiPolygon/Point mixed -> 'Unknown' geometry type, EPSG:4326)."""
    import pyogrio.raw  # imported lazily: GDAL is only needed for this format

    if path.exists():
        path.unlink()
    geometry = np.array([shapely.to_wkb(r.geometry, output_dimension=2) for r in rows], dtype=object)
    field_data = []
    for k in EXPORT_FIELDS:
        col = [r.values.get(k) for r in rows]
        if k in ("id", "capacity", "capacity_low", "capacity_high", "capacity_override"):
            field_data.append(np.array([-1 if v is None else int(v) for v in col], dtype=np.int64))
        elif k in ("lon", "lat", "area_m2"):
            field_data.append(np.array([np.nan if v is None else float(v) for v in col], dtype=np.float64))
        elif k == "missing_from_osm":
            field_data.append(np.array([bool(v) for v in col], dtype=bool))
        else:
            field_data.append(np.array(["" if v is None else str(v) for v in col], dtype=object))
    pyogrio.raw.write(
        str(path), geometry, field_data, list(EXPORT_FIELDS), layer="sites", driver="GPKG",
        geometry_type="Unknown", crs="EPSG:4326", encoding="UTF-8",
    )


# ---------------------------------------------------------------- users' own site lists
USER_FIELDS = ("id", "name", "kind", "category", "lon", "lat", "capacity", "osm", "notes", "opening_hours")


@dataclass(frozen=True)
class UserSiteRow:
    row: int  # 1-based data row (CSV) or feature index + 1 (GeoJSON)
    ref: str
    name: str | None
    kind: str | None
    category: str | None
    geometry: BaseGeometry  # WGS84
    capacity: int | None
    osm: tuple[str, str] | None  # ("node"|"way"|"relation", id)
    notes: str | None
    opening_hours: str | None


def _transformer(crs: str | None) -> Transformer | None:
    if crs is None:
        return None
    try:
        src = CRS.from_user_input(crs)
    except CRSError as exc:
        raise InvalidInput(f"--crs {crs!r} is not a coordinate reference system: use e.g. EPSG:4326 or EPSG:32631",
                           field="crs") from exc
    if src == CRS.from_epsg(4326):
        return None
    return Transformer.from_crs(src, CRS.from_epsg(4326), always_xy=True)


def _parse_osm_ref(value: str, where: str) -> tuple[str, str]:
    v = value.strip().lower()
    for prefix, t in (("node/", "node"), ("way/", "way"), ("relation/", "relation"), ("n", "node"), ("w", "way"),
                      ("r", "relation")):
        if v.startswith(prefix) and v[len(prefix):].isdigit():
            return t, v[len(prefix):]
    raise InvalidInput(f"{where}: osm reference {value!r} must look like node/123, way/123 or relation/123",
                       field="osm")


_Record = tuple[int, dict[str, Any], BaseGeometry | None]  # row number, properties, geometry (CSV: None)


def _geojson_records(path: Path) -> list[_Record]:
    data = _load_geojson(path, "site list")
    feats = data.get("features") if data.get("type") == "FeatureCollection" else None
    if not isinstance(feats, list):
        raise InvalidInput(f"site list {path.name!r} must be a GeoJSON FeatureCollection", field="file")
    records: list[_Record] = []
    for i, f in enumerate(feats, start=1):
        props = dict(f.get("properties") or {}) if isinstance(f, dict) else {}
        try:
            geom = shape(f["geometry"]) if isinstance(f, dict) and f.get("geometry") else None
        except Exception as exc:  # noqa: BLE001
            raise InvalidInput(f"feature {i}: invalid geometry ({exc})", field="geometry") from exc
        records.append((i, props, geom))
    return records


def _csv_records(path: Path, colmap: dict[str, str]) -> list[_Record]:
    text = _read_text(path, "site list")
    try:
        reader = csv.DictReader(io.StringIO(text))
        rows = list(reader)
    except csv.Error as exc:
        raise InvalidInput(f"site list {path.name!r} is not valid CSV: {exc}", field="file") from exc
    header = reader.fieldnames or []
    for need in ("lon", "lat"):
        if colmap[need] not in header:
            raise InvalidInput(
                f"site list {path.name!r} has no column {colmap[need]!r} for {need}; columns are {header}. "
                f"Map yours with --map {need}=<column>", field=need)
    return [(i, dict(r), None) for i, r in enumerate(rows, start=1)]


def _user_geometry(geom: BaseGeometry, where: str, tf: Transformer | None) -> BaseGeometry:
    """The row's geometry in WGS84, checked (finite, lon/lat range, valid)."""
    if tf is not None:
        geom = shapely.transform(geom, lambda c: np.column_stack(tf.transform(c[:, 0], c[:, 1])))
    if geom.is_empty or not np.isfinite(shapely.get_coordinates(geom)).all():
        raise InvalidInput(f"{where}: empty or non-finite geometry", field="geometry")
    minx, miny, maxx, maxy = geom.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise InvalidInput(
            f"{where}: coordinates ({minx:.3f}, {miny:.3f}) are not longitude/latitude; "
            "give --crs with your file's coordinate system", field="crs")
    if not geom.is_valid:
        raise InvalidInput(f"{where}: invalid geometry ({shapely.is_valid_reason(geom)})", field="geometry")
    return geom


def _user_row(record: _Record, colmap: dict[str, str], tf: Transformer | None, seen_refs: set[str]) -> UserSiteRow:
    """One checked row (raises InvalidInput naming the row and field); adds its id to ``seen_refs``."""
    i, props, geom = record
    where = f"row {i}"

    def get(field: str) -> str | None:
        v = props.get(colmap[field])
        if v is None:
            return None
        v = str(v).strip()
        return v or None

    if geom is None:
        lon_s, lat_s = get("lon"), get("lat")
        try:
            x, y = float(lon_s or ""), float(lat_s or "")
        except ValueError:
            raise InvalidInput(f"{where}: lon/lat must be numbers, got {lon_s!r}, {lat_s!r}",
                               field="lon") from None
        geom = shapely.Point(x, y)
    geom = _user_geometry(geom, where, tf)
    ref = get("id") or f"row-{i}"
    if ref in seen_refs:
        raise InvalidInput(f"{where}: id {ref!r} appears twice; ids must be unique in a list", field="id")
    seen_refs.add(ref)
    cap_s = get("capacity")
    cap = None
    if cap_s is not None:
        if not cap_s.isdigit() or int(cap_s) > 10_000_000:
            raise InvalidInput(f"{where}: capacity must be a whole number of people, got {cap_s!r}",
                               field="capacity")
        cap = int(cap_s)
    osm_s = get("osm")
    return UserSiteRow(
        row=i, ref=ref, name=get("name"), kind=get("kind"), category=get("category"), geometry=geom,
        capacity=cap, osm=_parse_osm_ref(osm_s, where) if osm_s else None, notes=get("notes"),
        opening_hours=get("opening_hours"),
    )


def read_user_sites(path: Path, *, mapping_: dict[str, str] | None = None, crs: str | None = None) -> list[UserSiteRow]:
    """Read an office's own list (CSV with lon/lat columns, or GeoJSON). All rows are checked before any is used;
    every problem is reported with its row number and field."""
    path = Path(path)
    colmap = {k: k for k in USER_FIELDS}
    for ours, theirs in (mapping_ or {}).items():
        if ours not in USER_FIELDS:
            raise InvalidInput(f"--map {ours}=… names an unknown field; known fields: {', '.join(USER_FIELDS)}",
                               field="map")
        colmap[ours] = theirs
    tf = _transformer(crs)
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        records = _geojson_records(path)
    elif suffix == ".csv":
        records = _csv_records(path, colmap)
    else:
        raise InvalidInput(f"site list {path.name!r}: use a .csv or .geojson file", field="file")
    out: list[UserSiteRow] = []
    errors: list[str] = []
    seen_refs: set[str] = set()
    for record in records:
        try:
            out.append(_user_row(record, colmap, tf, seen_refs))
        except InvalidInput as exc:
            errors.append(str(exc))
    if errors:
        more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
        raise InvalidInput(f"site list {path.name!r} has {len(errors)} bad rows, nothing was imported: "
                           + "; ".join(errors[:10]) + more, field="file")
    return out
