"""Incidents from a CSV file: every row validated first (vocabularies, counts, location, personal data refused in
every free-text field), then all rows written in one transaction or none; idempotent by the ``ref`` column (a
reference already imported in the region is skipped, never duplicated or overwritten: edit it with PATCH).

Columns (header row, names exact; only ref, incident_type, severity, title and one location are required):
ref, mode, incident_type, severity, title, opened_at (ISO 8601 with a zone; default: now), site_id | site (a
site name) | lon + lat, location_text, hazards, access, major_incident, immediate, urgent, delayed, expectant,
dead (casualty counts), services_present, services_required (";"-separated), device."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.incidents import service as svc
from bastion.incidents.enums import Triage
from bastion.incidents.models import Incident
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import BastionError
from bastion.kernel.errors import InvalidInput
from bastion.kernel.time import parse_zoned_time
from bastion.regions.repository import RegionRepo

log = logging.getLogger(__name__)

MAX_ROWS = 5000
MAX_ERRORS_SHOWN = 10
REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$")
TEXT_COLUMNS = ("title", "location_text", "hazards", "access")
COLUMNS = ("ref", "mode", "incident_type", "severity", "title", "opened_at", "site_id", "site", "lon", "lat",
           "location_text", "hazards", "access", "major_incident", *(t.value for t in Triage), "services_present",
           "services_required", "device")
REQUIRED = ("ref", "incident_type", "severity", "title")


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: list[int]  # new incident ids, in file order
    existing: list[str]  # refs already imported in the region (skipped)


@dataclass(frozen=True)
class _Row:
    line: int
    ref: str
    spec: svc.IncidentSpec
    values: dict[str, Any]
    opened_at: dt.datetime


def _num(raw: str, column: str, kind: type) -> Any:
    try:
        return kind(raw)
    except ValueError:
        raise InvalidInput(f"{column} must be a {'whole number' if kind is int else 'number'}, got {raw!r}",
                           field=column) from None


def _opened_at(raw: str, now: dt.datetime) -> dt.datetime:
    if not raw:
        return now
    v = parse_zoned_time(raw, field="opened_at")
    if v > now:
        raise InvalidInput(f"opened_at {raw} is in the future", field="opened_at")
    return v.astimezone(dt.UTC)


def _row(line: int, row: dict[str, str], region_id: int, now: dt.datetime) -> _Row:
    cells = {k: (v or "").strip() for k, v in row.items()}
    for col in REQUIRED:
        if not cells.get(col):
            raise InvalidInput(f"{col} is required", field=col)
    ref = cells["ref"]
    if not REF.match(ref):
        raise InvalidInput(f"ref must be 1-80 letters, digits or . _ : / - (a file's own reference, never a "
                           f"person's), got {ref!r}", field="ref")
    lon = _num(cells["lon"], "lon", float) if cells.get("lon") else None
    lat = _num(cells["lat"], "lat", float) if cells.get("lat") else None
    spec = svc.IncidentSpec(
        region=region_id, incident_type=cells["incident_type"], severity=cells["severity"], title=cells["title"],
        mode=cells.get("mode") or "real", site_id=_num(cells["site_id"], "site_id", int) if cells.get("site_id")
        else None, site_query=cells.get("site") or None, lon=lon, lat=lat,
        location_text=cells.get("location_text") or None, major_incident=cells.get("major_incident") or "not_declared",
        hazards=cells.get("hazards") or None, access=cells.get("access") or None,
        casualties={t.value: _num(cells[t.value], t.value, int) for t in Triage if cells.get(t.value)},
        services_present=[x.strip() for x in cells.get("services_present", "").split(";") if x.strip()],
        services_required=[x.strip() for x in cells.get("services_required", "").split(";") if x.strip()],
        device=cells.get("device") or None)
    return _Row(line, ref, spec, svc.checked_values(spec), _opened_at(cells.get("opened_at", ""), now))


def read_rows(text: str, region_id: int, now: dt.datetime) -> list[_Row]:
    """Parse and validate every row; refuse the file (InvalidInput naming row and column) if any row is wrong."""
    if not text.strip():
        raise InvalidInput("the CSV is empty: give a header row and at least one incident", field="csv")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InvalidInput(f"unknown columns {unknown}; the columns are: {', '.join(COLUMNS)}", field="csv")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInput(f"missing columns {missing}", field="csv")
    reader.fieldnames = header
    rows: list[_Row] = []
    errors: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(reader, start=2):  # line 1 is the header
        if i - 1 > MAX_ROWS:
            raise InvalidInput(f"at most {MAX_ROWS} incidents per file", field="csv")
        if None in raw:
            errors.append((i, "csv", "more cells than columns"))
            continue
        try:
            r = _row(i, raw, region_id, now)
        except InvalidInput as exc:
            errors.append((i, exc.field or "csv", str(exc)))
            continue
        if r.ref in seen:
            errors.append((i, "ref", f"ref {r.ref!r} is also on line {seen[r.ref]}"))
            continue
        seen[r.ref] = i
        rows.append(r)
    if not rows and not errors:
        raise InvalidInput("the CSV has a header but no incidents", field="csv")
    if errors:
        shown = "; ".join(f"line {n}, {col}: {msg}" for n, col, msg in errors[:MAX_ERRORS_SHOWN])
        more = f" (and {len(errors) - MAX_ERRORS_SHOWN} more)" if len(errors) > MAX_ERRORS_SHOWN else ""
        line, col, _ = errors[0]
        raise InvalidInput(f"{len(errors)} of {len(errors) + len(rows)} rows refused, nothing imported: "
                           f"{shown}{more}", field=f"line {line}: {col}")
    return rows


def import_csv(sf: sessionmaker[Session], region: str | int, text: str, *, actor: svc.Actor,
               now: dt.datetime) -> ImportResult:
    """All rows or none; rows whose ref the region already holds are skipped (a re-import changes nothing)."""
    with unit_of_work(sf) as s:
        region_id = RegionRepo(s).get_by_ref(region).id
        rows = read_rows(text, region_id, now)
        known = {x for x in s.scalars(select(Incident.source_ref).where(
            Incident.region_id == region_id, Incident.source_ref.in_([r.ref for r in rows]))) if x is not None}
        created: list[int] = []
        for r in rows:
            if r.ref in known:
                continue
            try:
                inc = svc.insert_incident(s, region_id, r.spec, r.values, actor=actor, now=r.opened_at,
                                          source_ref=r.ref)
            except BastionError as exc:  # the location: a site that is not the region's, an ambiguous name
                raise InvalidInput(f"line {r.line}: {exc}; nothing imported",
                                   field=f"line {r.line}: {getattr(exc, 'field', None) or 'csv'}") from None
            created.append(inc.id)
    log.info("incident import into region %s: %d rows, %d created, %d already imported", region, len(rows),
             len(created), len(rows) - len(created))
    return ImportResult(len(rows), created, sorted(known))
