"""iCalendar (RFC 5545) export and import of the exercise programme (icalendar 7, BSD-2; dateutil for RRULE).

Export: one VEVENT per exercise with UID, DTSTART/DTEND in UTC, SUMMARY prefixed "EXERCISE:", CATEGORIES
EXERCISE and the HSEEP type, and X-BASTION-* properties (type, threat, sites, agencies, objectives as JSON) so
that an import restores the same records. Import: upsert by UID (a finalised exercise is never changed); an
event with an RRULE is expanded (dateutil) into one exercise per occurrence within ``horizon_years``, UID
"<uid>/<YYYYMMDD>". Events from other tools need the site ids (``default_site_ids``) and a type (CATEGORIES or
X-BASTION-TYPE; else ``default_type``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dateutil.rrule import rrulestr  # type: ignore[import-untyped]
from icalendar import Calendar
from icalendar import Event
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.preparedness.calendar import EXERCISE_TYPES
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.preparedness import exercises as ex
from bastion.preparedness.enums import MODE
from bastion.preparedness.models import Exercise

PRODID = "-//Bastion//Preparedness//EN"
MAX_BYTES = 2_000_000
MAX_EVENTS = 5_000


def to_ics(rows: Sequence[Exercise], *, now: dt.datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Bastion exercise programme (EXERCISE)")
    for e in rows:
        ev = Event()
        ev.add("uid", e.uid)
        ev.add("dtstamp", now.astimezone(dt.UTC))
        ev.add("dtstart", e.start.astimezone(dt.UTC))
        ev.add("dtend", e.end.astimezone(dt.UTC))
        ev.add("summary", f"EXERCISE: {e.name}")
        ev.add("categories", [MODE, e.type])
        ev.add("description", "; ".join(f"{o['capability']}: {o['objective']}" for o in e.objectives) or e.name)
        ev.add("x-bastion-mode", MODE)
        ev.add("x-bastion-name", e.name)
        ev.add("x-bastion-type", e.type)
        if e.threat:
            ev.add("x-bastion-threat", e.threat)
        ev.add("x-bastion-sites", ",".join(str(i) for i in e.site_ids))
        ev.add("x-bastion-agencies", json.dumps(e.agencies, ensure_ascii=False))
        ev.add("x-bastion-objectives", json.dumps(e.objectives, ensure_ascii=False))
        cal.add_component(ev)
    return bytes(cal.to_ical())


@dataclass(frozen=True)
class IcsImport:
    created: tuple[int, ...]
    updated: tuple[int, ...]
    unchanged: tuple[int, ...]
    skipped_finalised: tuple[int, ...]


def _utc(v: Any, name: str) -> dt.datetime:
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=dt.UTC) if v.tzinfo is None else v.astimezone(dt.UTC)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day, tzinfo=dt.UTC)
    raise InvalidInput(f"{name} must be a date or date-time", field=name)


def _records(data: bytes, *, default_site_ids: Sequence[int], default_type: str,
             horizon_years: int) -> list[dict[str, Any]]:
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"the calendar must be at most {MAX_BYTES} bytes", field="file")
    try:
        cal = Calendar.from_ical(data)
    except ValueError as err:
        raise InvalidInput(f"not an iCalendar file: {err}", field="file") from None
    out: list[dict[str, Any]] = []
    for n, comp in enumerate(cal.walk("VEVENT")):
        where = f"VEVENT[{n}]"
        uid = str(comp.get("uid") or "").strip()
        if not uid or len(uid) > 150:
            raise InvalidInput(f"{where} needs a UID of at most 150 characters", field=f"{where}.UID")
        if comp.get("dtstart") is None:
            raise InvalidInput(f"{where} has no DTSTART", field=f"{where}.DTSTART")
        start = _utc(comp.decoded("dtstart"), f"{where}.DTSTART")
        end = _utc(comp.decoded("dtend"), f"{where}.DTEND") if comp.get("dtend") is not None else (
            start + (comp.decoded("duration") if comp.get("duration") is not None else dt.timedelta(hours=3)))
        etype = str(comp.get("x-bastion-type") or "")
        if not etype:
            cats = comp.get("categories")
            names = [str(c) for cl in (cats if isinstance(cats, list) else [cats] if cats else [])
                     for c in getattr(cl, "cats", [])]
            etype = next((c.lower() for c in names if c.lower() in EXERCISE_TYPES), default_type)
        if etype not in EXERCISE_TYPES:
            raise InvalidInput(f"{where}: type {etype!r} is not an HSEEP type {list(EXERCISE_TYPES)}",
                               field=f"{where}.X-BASTION-TYPE")
        sites_raw = str(comp.get("x-bastion-sites") or "")
        try:
            sites = [int(x) for x in sites_raw.split(",") if x.strip()] or list(default_site_ids)
        except ValueError:
            raise InvalidInput(f"{where}: X-BASTION-SITES must be site ids separated by commas",
                               field=f"{where}.X-BASTION-SITES") from None
        try:
            agencies = json.loads(str(comp.get("x-bastion-agencies") or "[]"))
            objectives = json.loads(str(comp.get("x-bastion-objectives") or "[]"))
        except json.JSONDecodeError:
            raise InvalidInput(f"{where}: X-BASTION-AGENCIES / OBJECTIVES must be JSON", field=where) from None
        name = str(comp.get("x-bastion-name") or str(comp.get("summary") or uid).removeprefix("EXERCISE: "))[:200]
        rec = {"uid": uid, "name": name, "type": etype, "start": start, "end": end, "site_ids": sites,
               "agencies": agencies, "objectives": objectives, "threat": comp.get("x-bastion-threat") and str(
                   comp.get("x-bastion-threat"))}
        if comp.get("rrule") is not None:
            rule = rrulestr(comp.get("rrule").to_ical().decode(), dtstart=start)
            until = start + dt.timedelta(days=366 * horizon_years)
            for occ in rule.between(start, until, inc=True):
                out.append({**rec, "uid": f"{uid}/{occ:%Y%m%d}", "start": occ, "end": occ + (end - start)})
        else:
            out.append(rec)
        if len(out) > MAX_EVENTS:
            raise InvalidInput(f"the calendar expands to more than {MAX_EVENTS} exercises", field="file")
    return out


FIELDS = ("name", "type", "start", "end", "site_ids", "agencies", "objectives", "threat")


def import_ics(sf: sessionmaker[Session], region_id: int, data: bytes, *, now: dt.datetime,
               default_site_ids: Sequence[int] = (), default_type: str = "drill", horizon_years: int = 3,
               owner_agency_id: int | None = None) -> IcsImport:
    """Upsert the calendar's events as exercises of ``region_id`` (all or nothing)."""
    if not 1 <= horizon_years <= 10:
        raise InvalidInput("horizon_years must be 1 to 10", field="horizon_years")
    recs = _records(data, default_site_ids=default_site_ids, default_type=default_type, horizon_years=horizon_years)
    created, updated, same, skipped = [], [], [], []
    with unit_of_work(sf) as s:
        for r in recs:
            row = s.scalar(select(Exercise).where(Exercise.uid == r["uid"]))
            if row is None:
                e = ex.add_exercise(s, region_id, name=r["name"], type=r["type"], start=r["start"], end=r["end"],
                                    site_ids=r["site_ids"], agencies=r["agencies"], objectives=r["objectives"],
                                    threat=r["threat"], uid=r["uid"], owner_agency_id=owner_agency_id, now=now)
                created.append(e.id)
            elif row.region_id != region_id:
                raise InvalidInput(f"UID {r['uid']} belongs to an exercise of another region", field="UID")
            elif row.status == "finalised":
                skipped.append(row.id)
            elif {f: getattr(row, f) for f in FIELDS} == {f: r[f] for f in FIELDS}:
                same.append(row.id)
            else:
                for f, v in ex.validated(s, region_id, {f: r[f] for f in FIELDS}).items():
                    setattr(row, f, v)
                updated.append(row.id)
    return IcsImport(tuple(created), tuple(updated), tuple(same), tuple(skipped))
