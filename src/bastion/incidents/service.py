"""Incident use cases: intake, edits under optimistic concurrency, the append-only timeline inside the audit
chain, unit status. One unit of work per call; no clock inside (callers pass ``now``)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import audit
from bastion.algorithms.dispatch.states import transition
from bastion.incidents import intake
from bastion.incidents.enums import DEFAULT_CAPABILITIES
from bastion.incidents.enums import Capability
from bastion.incidents.enums import EntryKind
from bastion.incidents.enums import IncidentStatus
from bastion.incidents.enums import IncidentType
from bastion.incidents.enums import MajorIncident
from bastion.incidents.enums import Mode
from bastion.incidents.enums import Service
from bastion.incidents.enums import Severity
from bastion.incidents.enums import Triage
from bastion.incidents.enums import UnitStatus
from bastion.incidents.models import ChangeCounter
from bastion.incidents.models import Incident
from bastion.incidents.models import SitrepSchedule
from bastion.incidents.models import TimelineEntry
from bastion.incidents.models import UnitState
from bastion.kernel.db.base import rows_changed
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.regions.repository import RegionRepo
from bastion.sites.models import Site
from bastion.units.models import ResponseUnit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """Who acts (an account's login, or ``cli:<os user>``), for the timeline and the audit chain."""

    name: str
    account_id: int | None = None
    client: str | None = None


def _check_now(now: dt.datetime) -> None:
    if now.tzinfo is None:
        raise InvalidInput("now must be a timezone-aware datetime (UTC)", field="now")


def bump_changes(s: Session) -> None:
    """Count one more incident-domain write (the board stream polls this counter)."""
    s.execute(update(ChangeCounter).where(ChangeCounter.id == 1).values(counter=ChangeCounter.counter + 1))


def change_count(s: Session) -> int:
    return int(s.scalar(select(ChangeCounter.counter).where(ChangeCounter.id == 1)) or 0)


def append(s: Session, incident_id: int, kind: EntryKind, text: str, *, actor: Actor, now: dt.datetime,
           details: Mapping[str, Any] | None = None) -> TimelineEntry:
    """Append one timeline entry in the caller's transaction, with its audit record (same transaction): the
    entry's number comes from one conditional UPDATE of the incident (a row lock), so concurrent writers queue
    and none is lost; the audit record chains it."""
    seq = s.execute(update(Incident).where(Incident.id == incident_id)
                    .values(timeline_count=Incident.timeline_count + 1)
                    .returning(Incident.timeline_count)).scalar_one_or_none()
    if seq is None:
        raise NotFound(f"incident {incident_id} does not exist")
    det = dict(details or {})
    rec = audit.record(s, actor=actor.name, action=f"incident.{kind.value}", object_type="incident",
                       object_id=incident_id, client=actor.client, now=now,
                       details={"timeline_seq": seq, "text": text, **det})
    e = TimelineEntry(incident_id=incident_id, seq=int(seq), at=now, kind=kind.value, text=text, details=det,
                      actor=actor.name, audit_seq=rec.seq, audit_hash=rec.hash)
    s.add(e)
    bump_changes(s)
    s.flush()
    return e


# ---------------------------------------------------------------- incidents


@dataclass(frozen=True)
class IncidentSpec:
    """A new incident (M/ETHANE). Location: ``site_id``, or ``lon``/``lat``, or ``site_query`` (a site name in
    the region); a site gives the point."""

    region: str | int
    incident_type: str
    severity: str
    title: str
    mode: str = Mode.REAL.value
    site_id: int | None = None
    lon: float | None = None
    lat: float | None = None
    site_query: str | None = None
    location_text: str | None = None
    major_incident: str = MajorIncident.NOT_DECLARED.value
    hazards: str | None = None
    access: str | None = None
    casualties: Mapping[str, int] = field(default_factory=dict)
    services_present: Sequence[str] = ()
    services_required: Sequence[str] = ()
    device: str | None = None


def _locate(s: Session, region_id: int, spec: IncidentSpec) -> tuple[int | None, float, float]:
    given = [x for x in ("site_id", "site_query") if getattr(spec, x) is not None]
    if spec.lon is not None or spec.lat is not None:
        given.append("lon/lat")
    if len(given) != 1:
        raise InvalidInput("give exactly one location: site_id, site_query (a site name) or lon and lat; got "
                           f"{', '.join(given) or 'none'}", field="site_id")
    if spec.site_id is not None:
        site = s.get(Site, spec.site_id)
        if site is None or site.region_id != region_id:
            raise InvalidInput(f"site_id {spec.site_id} is not a site of this region", field="site_id")
        return site.id, site.lon, site.lat
    if spec.site_query is not None:
        q = intake.free_text(spec.site_query, "site_query", required=True, max_len=200) or ""
        rows = list(s.scalars(select(Site).where(Site.region_id == region_id, Site.name.is_not(None),
                                                 func.lower(Site.name).contains(q.lower()))
                              .order_by(Site.name, Site.id).limit(6)))
        exact = [r for r in rows if (r.name or "").lower() == q.lower()]
        if len(exact) == 1 or len(rows) == 1:
            site = exact[0] if len(exact) == 1 else rows[0]
            return site.id, site.lon, site.lat
        if not rows:
            raise InvalidInput(f"no site named like {q!r} in this region; give lon and lat instead",
                               field="site_query")
        names = "; ".join(f"{r.name} (id {r.id})" for r in rows[:5])
        raise InvalidInput(f"site_query {q!r} matches several sites: {names}; give site_id", field="site_query")
    if spec.lon is None or spec.lat is None:
        raise InvalidInput("give both lon and lat", field="lon" if spec.lon is None else "lat")
    lon, lat = intake.lonlat(spec.lon, spec.lat)
    return None, lon, lat


def checked_values(spec: IncidentSpec) -> dict[str, Any]:
    """The spec's fields validated (vocabularies, counts, personal data refused in every free-text field)."""
    return dict(
        mode=intake.choice(spec.mode, Mode, "mode"),
        incident_type=intake.choice(spec.incident_type, IncidentType, "incident_type"),
        severity=intake.choice(spec.severity, Severity, "severity"),
        major_incident=intake.choice(spec.major_incident, MajorIncident, "major_incident"),
        title=intake.free_text(spec.title, "title", required=True, max_len=200),
        location_text=intake.free_text(spec.location_text, "location_text"),
        hazards=intake.free_text(spec.hazards, "hazards"),
        access=intake.free_text(spec.access, "access"),
        casualties=intake.casualties(spec.casualties),
        services_present=intake.choices(spec.services_present, Service, "services_present"),
        services_required=intake.choices(spec.services_required, Service, "services_required"),
        device=intake.device(spec.device),
    )


def insert_incident(s: Session, region_id: int, spec: IncidentSpec, values: Mapping[str, Any], *, actor: Actor,
                    now: dt.datetime, source_ref: str | None = None) -> Incident:
    """Locate and insert one incident with its "created" timeline entry, in the caller's transaction."""
    site_id, lon, lat = _locate(s, region_id, spec)
    inc = Incident(region_id=region_id, status=IncidentStatus.OPEN.value, site_id=site_id, lon=lon, lat=lat,
                   version=1, timeline_count=0, opened_at=now, updated_at=now, source_ref=source_ref,
                   created_by_account_id=actor.account_id, **values)
    s.add(inc)
    s.flush()
    details: dict[str, Any] = {"casualties": inc.casualties, "severity": inc.severity,
                               "major_incident": inc.major_incident}
    if source_ref is not None:
        details["source_ref"] = source_ref
    append(s, inc.id, EntryKind.CREATED, f"{inc.mode.upper()} {inc.incident_type} ({inc.severity}): {inc.title}",
           actor=actor, now=now, details=details)
    return inc


def create_incident(sf: sessionmaker[Session], spec: IncidentSpec, *, actor: Actor, now: dt.datetime) -> Incident:
    _check_now(now)
    values = checked_values(spec)
    with unit_of_work(sf) as s:
        region = RegionRepo(s).get_by_ref(spec.region)
        inc = insert_incident(s, region.id, spec, values, actor=actor, now=now)
        s.refresh(inc)
        s.expunge(inc)
    log.info("incident %d opened in region %d (%s, %s)", inc.id, inc.region_id, inc.mode, inc.incident_type)
    return inc


def get_incident(s: Session, incident_id: int) -> Incident:
    inc = s.get(Incident, incident_id)
    if inc is None:
        raise NotFound(f"incident {incident_id} does not exist", hint="list incidents with `bastion incidents list`")
    return inc


def list_incidents(s: Session, *, region_ids: Collection[int] | None = None,
                   modes: Collection[str] = (Mode.REAL.value,), status: str | None = None) -> list[Incident]:
    """Incidents, newest first. ``modes`` defaults to REAL only: exercises and tests appear only when asked."""
    ms = [intake.choice(m, Mode, "mode") for m in modes]
    q = select(Incident).where(Incident.mode.in_(ms))
    if region_ids is not None:
        q = q.where(Incident.region_id.in_(list(region_ids)))
    if status is not None:
        q = q.where(Incident.status == intake.choice(status, IncidentStatus, "status"))
    return list(s.scalars(q.order_by(Incident.opened_at.desc(), Incident.id.desc())))


EDITABLE_TEXT = ("title", "location_text", "hazards", "access")
EDITABLE = (*EDITABLE_TEXT, "severity", "major_incident", "casualties", "services_present", "services_required",
            "device")


def _checked_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in changes.items():
        if k in EDITABLE_TEXT:
            out[k] = intake.free_text(v, k, required=k == "title", max_len=200 if k == "title" else 2000)
        elif k == "severity":
            out[k] = intake.choice(v, Severity, k)
        elif k == "major_incident":
            out[k] = intake.choice(v, MajorIncident, k)
        elif k == "casualties":
            out[k] = intake.casualties(v)
        elif k in ("services_present", "services_required"):
            out[k] = intake.choices(v, Service, k)
        elif k == "device":
            out[k] = intake.device(v)
        else:
            raise InvalidInput(f"{k} cannot be changed; editable: {', '.join(EDITABLE)}", field=k)
    return out


def claim_version(s: Session, incident_id: int, expected_version: int, *, now: dt.datetime) -> Incident:
    """Raise the incident's version if it is still ``expected_version`` (one conditional UPDATE: of two
    concurrent editors holding the same version one wins, the other gets a Conflict = HTTP 409)."""
    n = rows_changed(s.execute(update(Incident).where(Incident.id == incident_id, Incident.version == expected_version)
                               .values(version=Incident.version + 1, updated_at=now)))
    inc = get_incident(s, incident_id)
    if not n:
        raise Conflict(f"incident {incident_id} was changed by someone else (now version {inc.version}, you sent "
                       f"{expected_version}); reload it and apply your change again")
    return inc


def update_incident(sf: sessionmaker[Session], incident_id: int, changes: Mapping[str, Any], *,
                    expected_version: int, actor: Actor, now: dt.datetime) -> Incident:
    _check_now(now)
    vals = _checked_changes(changes)
    if not vals:
        raise InvalidInput("nothing to change: give at least one field", field="changes")
    with unit_of_work(sf) as s:
        inc = claim_version(s, incident_id, expected_version, now=now)
        if inc.status != IncidentStatus.OPEN.value:
            raise Conflict(f"incident {incident_id} is closed")
        before = {k: getattr(inc, k) for k in vals}
        for k, v in vals.items():
            setattr(inc, k, v)
        s.flush()
        changed = {k: {"from": before[k], "to": v} for k, v in vals.items() if before[k] != v}
        append(s, incident_id, EntryKind.UPDATED, "updated " + (", ".join(changed) or "nothing"), actor=actor, now=now,
               details={"changes": changed})
        s.refresh(inc)
        s.expunge(inc)
    return inc


def add_note(sf: sessionmaker[Session], incident_id: int, text: str, *, actor: Actor,
             now: dt.datetime) -> TimelineEntry:
    """A message or action on the timeline (append-only; no version needed: notes never overwrite)."""
    _check_now(now)
    t = intake.free_text(text, "text", required=True) or ""
    with unit_of_work(sf) as s:
        inc = get_incident(s, incident_id)
        if inc.status != IncidentStatus.OPEN.value:
            raise Conflict(f"incident {incident_id} is closed; its timeline is final")
        e = append(s, incident_id, EntryKind.NOTE, t, actor=actor, now=now)
        s.expunge(e)
    return e


def timeline(s: Session, incident_id: int) -> list[TimelineEntry]:
    get_incident(s, incident_id)
    return list(s.scalars(select(TimelineEntry).where(TimelineEntry.incident_id == incident_id)
                          .order_by(TimelineEntry.seq)))


# ---------------------------------------------------------------- units


@dataclass(frozen=True)
class UnitView:
    unit: ResponseUnit
    state: UnitState

    @property
    def capabilities(self) -> frozenset[str]:
        if self.state.capabilities is not None:
            return frozenset(self.state.capabilities)
        return frozenset(c.value for c in DEFAULT_CAPABILITIES.get(self.unit.unit_type, frozenset()))

    @property
    def position(self) -> tuple[float, float]:
        if self.state.lon is not None and self.state.lat is not None:
            return self.state.lon, self.state.lat
        return self.unit.lon, self.unit.lat


def _default_state(unit_id: int) -> UnitState:
    return UnitState(unit_id=unit_id, status=UnitStatus.AVAILABLE.value, version=1)


def unit_views(s: Session, region_ids: Collection[int] | None = None,
               unit_ids: Collection[int] | None = None) -> list[UnitView]:
    q = select(ResponseUnit, UnitState).outerjoin(UnitState, UnitState.unit_id == ResponseUnit.id)
    if region_ids is not None:
        q = q.where(ResponseUnit.region_id.in_(list(region_ids)))
    if unit_ids is not None:
        q = q.where(ResponseUnit.id.in_(list(unit_ids)))
    rows = s.execute(q.order_by(ResponseUnit.id))
    return [UnitView(u, st if st is not None else _default_state(u.id)) for u, st in rows]


def unit_view(s: Session, unit_id: int) -> UnitView:
    v = unit_views(s, unit_ids=[unit_id])
    if not v:
        raise NotFound(f"unit {unit_id} does not exist", hint="list units with `bastion units list --region R`")
    return v[0]


@dataclass(frozen=True)
class UnitChange:
    """A status change (and/or a position report). Fields left None are not changed."""

    status: str | None = None
    incident_id: int | None = None
    lon: float | None = None
    lat: float | None = None
    crew_count: int | None = None
    capabilities: Sequence[str] | None = None


def _claim_unit(s: Session, unit_id: int, expected_version: int, now: dt.datetime) -> UnitState:
    view = unit_view(s, unit_id)
    if s.get(UnitState, unit_id) is None:  # first change of this unit: its live row starts at version 1
        s.add(_default_state(unit_id))
        try:
            s.flush()
        except IntegrityError:
            raise Conflict(f"unit {unit_id} was changed by someone else; reload it") from None
    n = rows_changed(s.execute(update(UnitState).where(UnitState.unit_id == unit_id,
                                                       UnitState.version == expected_version)
                               .values(version=UnitState.version + 1, updated_at=now)))
    st = s.get(UnitState, unit_id)
    assert st is not None
    s.refresh(st)
    if not n:
        raise Conflict(f"unit {unit_id} ({view.unit.name}) was changed by someone else (now version {st.version}, you "
                       f"sent {expected_version}); reload it")
    return st


def change_unit(sf: sessionmaker[Session], unit_id: int, change: UnitChange, *, expected_version: int, actor: Actor,
                now: dt.datetime) -> UnitView:
    """Change a unit's status (by the state machine), position, crew count or capabilities; audited, and on the
    timeline of the incident it is committed to."""
    _check_now(now)
    pos = None
    if change.lon is not None or change.lat is not None:
        if change.lon is None or change.lat is None:
            raise InvalidInput("a position needs both lon and lat", field="lon")
        pos = intake.lonlat(change.lon, change.lat)
    if change.crew_count is not None and not 0 <= change.crew_count <= 500:
        raise InvalidInput(f"crew_count must be 0 to 500 people, got {change.crew_count}", field="crew_count")
    caps = None if change.capabilities is None else intake.choices(change.capabilities, Capability, "capabilities")
    with unit_of_work(sf) as s:
        st = _claim_unit(s, unit_id, expected_version, now)
        unit = s.get(ResponseUnit, unit_id)
        assert unit is not None
        old, old_incident = st.status, st.incident_id
        incident_id = st.incident_id
        if change.status is not None and change.status != old:
            new = transition(old, change.status)
            if new is UnitStatus.DISPATCHED:
                if change.incident_id is None:
                    raise InvalidInput("dispatching a unit needs the incident_id", field="incident_id")
                inc = get_incident(s, change.incident_id)
                if inc.status != IncidentStatus.OPEN.value or inc.region_id != unit.region_id:
                    raise Conflict(f"incident {inc.id} is closed or in another region than unit {unit_id}")
                incident_id = inc.id
            elif new in (UnitStatus.AVAILABLE, UnitStatus.OUT_OF_SERVICE):
                incident_id = None
            st.status = new.value
            st.incident_id = incident_id
        if pos is not None:
            st.lon, st.lat = pos
            st.position_at = now
        if change.crew_count is not None:
            st.crew_count = change.crew_count
        if caps is not None:
            st.capabilities = caps
        s.flush()
        detail = {"unit_id": unit_id, "call_sign": unit.name, "from": old, "to": st.status,
                  "lon": st.lon, "lat": st.lat, "crew_count": st.crew_count}
        committed_to = incident_id if incident_id is not None else old_incident
        if committed_to is not None and (change.status is not None or pos is not None):
            what = f"{unit.name}: {old} -> {st.status}" if old != st.status else f"{unit.name}: position report"
            append(s, committed_to, EntryKind.UNIT_STATUS, what, actor=actor, now=now, details=detail)
        else:
            audit.record(s, actor=actor.name, action="unit.status", object_type="unit", object_id=unit_id,
                         client=actor.client, now=now, details=detail)
            bump_changes(s)
        s.flush()
        return UnitView(_detached(s, unit), _detached(s, st))


def _detached(s: Session, obj: Any) -> Any:
    s.refresh(obj)
    s.expunge(obj)
    return obj


def triage_total(casualties: Mapping[str, int]) -> int:
    return sum(int(casualties.get(t.value, 0)) for t in Triage)


# ---------------------------------------------------------------- close


@dataclass(frozen=True)
class LessonSpec:
    text: str
    owner_agency: str
    deadline_days: int = 30
    site_id: int | None = None  # default: the incident's site


def close_incident(sf: sessionmaker[Session], incident_id: int, *, expected_version: int, actor: Actor,
                   now: dt.datetime, lessons: Sequence[LessonSpec] = ()) -> tuple[Incident, list[int]]:
    """Close the incident; its lessons become rectification tasks (supervision) in the same transaction.
    Committed units are released to returning."""
    from bastion.supervision.lessons import Lesson
    from bastion.supervision.lessons import add_lesson_tasks

    _check_now(now)
    texts = [intake.free_text(le.text, f"lessons[{i}].text", required=True) or "" for i, le in enumerate(lessons)]
    with unit_of_work(sf) as s:
        inc = claim_version(s, incident_id, expected_version, now=now)
        if inc.status != IncidentStatus.OPEN.value:
            raise Conflict(f"incident {incident_id} is already closed")
        out = []
        for i, (le, text) in enumerate(zip(lessons, texts, strict=True)):
            site_id = le.site_id if le.site_id is not None else inc.site_id
            if site_id is None:
                raise InvalidInput(f"lessons[{i}].site_id is required: the incident is not at a site",
                                   field=f"lessons[{i}].site_id")
            out.append(Lesson(site_id, text, le.owner_agency, le.deadline_days))
        task_ids = add_lesson_tasks(s, out, source=f"incident:{incident_id}", now=now,
                                    actor_account_id=actor.account_id)
        for st in s.scalars(select(UnitState).where(UnitState.incident_id == incident_id)):
            if st.status in (UnitStatus.DISPATCHED.value, UnitStatus.EN_ROUTE.value, UnitStatus.ON_SCENE.value):
                st.status = UnitStatus.RETURNING.value if st.status != UnitStatus.DISPATCHED.value \
                    else UnitStatus.AVAILABLE.value
                if st.status == UnitStatus.AVAILABLE.value:
                    st.incident_id = None
                st.version += 1
                st.updated_at = now
        inc.status = IncidentStatus.CLOSED.value
        inc.closed_at = now
        s.execute(update(SitrepSchedule).where(SitrepSchedule.incident_id == incident_id)  # reports stop
                  .values(active=False, next_due_at=None, version=SitrepSchedule.version + 1))
        s.flush()
        append(s, incident_id, EntryKind.CLOSED, f"closed; {len(task_ids)} lessons became rectification tasks",
               actor=actor, now=now, details={"tasks": task_ids})
        s.refresh(inc)
        s.expunge(inc)
    return inc, task_ids


# ---------------------------------------------------------------- board


@dataclass(frozen=True)
class BoardRow:
    incident: Incident
    units_committed: int
    elapsed_s: int
    casualties_total: int


def board(s: Session, *, region_ids: Collection[int] | None, modes: Collection[str] = (Mode.REAL.value,),
          now: dt.datetime) -> list[BoardRow]:
    """Open incidents with units committed and elapsed time (REAL only unless asked)."""
    incs = list_incidents(s, region_ids=region_ids, modes=modes, status=IncidentStatus.OPEN.value)
    counts = dict(s.execute(select(UnitState.incident_id, func.count()).where(
        UnitState.incident_id.in_([i.id for i in incs]),
        UnitState.status.in_([UnitStatus.DISPATCHED.value, UnitStatus.EN_ROUTE.value, UnitStatus.ON_SCENE.value]))
        .group_by(UnitState.incident_id)).all()) if incs else {}
    return [BoardRow(i, int(counts.get(i.id, 0)), max(0, int((now - i.opened_at).total_seconds())),
                     triage_total(i.casualties)) for i in incs]


@dataclass(frozen=True)
class TimelineCheck:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify_timeline(s: Session, incident_id: int) -> TimelineCheck:
    """Check the incident's timeline against the audit chain: numbers 1..n without gaps, each entry's audit record
    present with the same hash, incident, number and text (the chain itself: access.audit.verify)."""
    from bastion.access.models import AuditLog

    entries = timeline(s, incident_id)
    recs = {r.seq: r for r in s.scalars(select(AuditLog).where(AuditLog.seq.in_([e.audit_seq for e in entries])))}
    for n, e in enumerate(entries, start=1):
        r = recs.get(e.audit_seq)
        if e.seq != n:
            return TimelineCheck(False, n - 1, e.seq, f"entry numbers jump from {n - 1} to {e.seq}")
        if r is None or r.hash != e.audit_hash:
            return TimelineCheck(False, n - 1, e.seq, "its audit record is missing or has another hash")
        det = r.details or {}
        if r.object_id != str(incident_id) or det.get("timeline_seq") != e.seq or det.get("text") != e.text:
            return TimelineCheck(False, n - 1, e.seq, "the entry differs from its audit record")
    if entries and get_incident(s, incident_id).timeline_count != len(entries):
        return TimelineCheck(False, len(entries), None, "entries are missing at the end")
    return TimelineCheck(True, len(entries))
