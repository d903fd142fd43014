"""Situation reports on a schedule. An incident commander sets a schedule on an open incident (every N minutes
from when it is set, or at fixed UTC times each day); the server's periodic check (posture.ticker, the one
scheduler) calls ``run_due`` which queues one ``incidents.sitrep`` job per due time; the job generates the report
(HTML and PDF, counts read in the same transaction), stores it and appends a timeline entry. Closing the incident
stops the schedule. No clock inside: callers pass ``now``."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.incidents import render
from bastion.incidents import service as svc
from bastion.incidents.enums import EntryKind
from bastion.incidents.enums import IncidentStatus
from bastion.incidents.enums import Mode
from bastion.incidents.models import Incident
from bastion.incidents.models import Sitrep
from bastion.incidents.models import SitrepSchedule
from bastion.kernel.db.base import rows_changed
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.kernel.jobs import JobContext
from bastion.kernel.jobs import JobKind

log = logging.getLogger(__name__)

MIN_INTERVAL_MIN = 5  # a report more often than every 5 min is noise for the reader (ASSUMPTION, editable)
MAX_INTERVAL_MIN = 24 * 60
MAX_TIMES = 24
HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# queue one report job: (session factory, params, principal snapshot, region id) -> job id
Submit = Callable[[sessionmaker[Session], dict[str, Any], dict[str, Any], int], int]


def _utc(x: dt.datetime) -> dt.datetime:
    return x.replace(tzinfo=dt.UTC) if x.tzinfo is None else x.astimezone(dt.UTC)


def check_rule(interval_min: int | None, times_utc: Sequence[str] | None) -> tuple[int | None, list[str] | None]:
    """Exactly one of an interval (minutes, in [5, 1440]) or a list of distinct "HH:MM" UTC times (1 to 24)."""
    if (interval_min is None) == (not times_utc):
        raise InvalidInput("give either interval_min (every N minutes) or times_utc (fixed times), not both and "
                           "not neither", field="interval_min")
    if interval_min is not None:
        if isinstance(interval_min, bool) or not isinstance(interval_min, int) \
                or not MIN_INTERVAL_MIN <= interval_min <= MAX_INTERVAL_MIN:
            raise InvalidInput(f"interval_min must be a whole number of minutes from {MIN_INTERVAL_MIN} to "
                               f"{MAX_INTERVAL_MIN}, got {interval_min!r}", field="interval_min")
        return interval_min, None
    times = [str(t).strip() for t in times_utc or ()]
    bad = [t for t in times if not HHMM.match(t)]
    if bad:
        raise InvalidInput(f"times_utc must be 24-hour HH:MM times (UTC) such as 06:00, got {bad[0]!r}",
                           field="times_utc")
    if len(set(times)) != len(times) or len(times) > MAX_TIMES:
        raise InvalidInput(f"times_utc must hold 1 to {MAX_TIMES} distinct times", field="times_utc")
    return None, sorted(times)


def _day_slots(day: dt.date, times: Sequence[str]) -> list[dt.datetime]:
    return [dt.datetime.combine(day, dt.time(int(t[:2]), int(t[3:])), tzinfo=dt.UTC) for t in times]


def next_after(sched: SitrepSchedule, t: dt.datetime) -> dt.datetime:
    """The first due time strictly after ``t``."""
    t = _utc(t)
    if sched.interval_min:
        step = dt.timedelta(minutes=sched.interval_min)
        start = _utc(sched.set_at)
        k = max(0, (t - start) // step) + 1
        return start + k * step
    slots = _day_slots(t.date(), sched.times_utc or []) + _day_slots(t.date() + dt.timedelta(days=1),
                                                                     sched.times_utc or [])
    return min(x for x in slots if x > t)


def last_at_or_before(sched: SitrepSchedule, t: dt.datetime) -> dt.datetime:
    """The latest due time at or before ``t`` (a check that comes late, or after a server outage, makes one
    report for the latest missed time: a report describes the incident now, a past one cannot be re-made)."""
    t = _utc(t)
    if sched.interval_min:
        step = dt.timedelta(minutes=sched.interval_min)
        start = _utc(sched.set_at)
        return start + max(1, (t - start) // step) * step
    slots = _day_slots(t.date() - dt.timedelta(days=1), sched.times_utc or []) + _day_slots(t.date(),
                                                                                            sched.times_utc or [])
    return max(x for x in slots if x <= t)


# ---------------------------------------------------------------- the schedule


def get_schedule(s: Session, incident_id: int) -> SitrepSchedule:
    svc.get_incident(s, incident_id)
    sched = s.get(SitrepSchedule, incident_id)
    if sched is None:
        raise NotFound(f"incident {incident_id} has no situation-report schedule",
                       hint="set one with `bastion incidents schedule ID --every 30`")
    return sched


def set_schedule(sf: sessionmaker[Session], incident_id: int, *, interval_min: int | None = None,
                 times_utc: Sequence[str] | None = None, lang: str = "en", actor: svc.Actor,
                 principal: dict[str, Any], now: dt.datetime) -> SitrepSchedule:
    """Set (or replace) the incident's schedule; the first report is due one interval (or the next fixed time)
    after ``now``. ``principal`` is the setter's grants snapshot: the report jobs run with them."""
    interval, times = check_rule(interval_min, times_utc)
    render.translator(lang)  # validates lang
    with unit_of_work(sf) as s:
        inc = svc.get_incident(s, incident_id)
        if inc.status != IncidentStatus.OPEN.value:
            raise Conflict(f"incident {incident_id} is closed: situation reports are no longer scheduled")
        sched = s.get(SitrepSchedule, incident_id)
        if sched is None:
            sched = SitrepSchedule(incident_id=incident_id, version=0)
            s.add(sched)
        sched.interval_min, sched.times_utc, sched.lang, sched.active = interval, times, lang, True
        sched.set_at, sched.set_by, sched.principal = now, actor.name, dict(principal)
        sched.version = (sched.version or 0) + 1
        sched.next_due_at = next_after(sched, now)
        s.flush()
        svc.append(s, incident_id, EntryKind.SITREP, "situation reports scheduled: " + _rule_en(interval, times),
                   actor=actor, now=now, details={"event": "scheduled", "interval_min": interval,
                                                  "times_utc": times, "lang": lang})
        s.refresh(sched)
        s.expunge(sched)
    log.info("incident %d: situation reports %s (%s)", incident_id, _rule_en(interval, times), lang)
    return sched


def _rule_en(interval: int | None, times: Sequence[str] | None) -> str:
    return render.schedule_rule({"interval_min": interval, "times_utc": times}, render.translator("en"))


def stop_schedule(sf: sessionmaker[Session], incident_id: int, *, actor: svc.Actor,
                  now: dt.datetime) -> SitrepSchedule:
    with unit_of_work(sf) as s:
        sched = get_schedule(s, incident_id)
        if not sched.active:
            raise Conflict(f"the situation-report schedule of incident {incident_id} is already stopped")
        sched.active, sched.next_due_at, sched.version = False, None, sched.version + 1
        s.flush()
        svc.append(s, incident_id, EntryKind.SITREP, "situation report schedule stopped", actor=actor, now=now,
                   details={"event": "stopped"})
        s.refresh(sched)
        s.expunge(sched)
    return sched


def _stop_closed(s: Session, incident_id: int) -> None:
    """A schedule whose incident closed (close_incident stops it too, in the closing transaction)."""
    s.execute(update(SitrepSchedule).where(SitrepSchedule.incident_id == incident_id)
              .values(active=False, next_due_at=None, version=SitrepSchedule.version + 1))


def run_due(sf: sessionmaker[Session], now: dt.datetime, *, submit: Submit | None = None) -> list[int]:
    """Queue one report job for every schedule whose time has come; returns the job ids. Each due time is claimed
    by a conditional UPDATE of the schedule's version, so two servers ticking together queue it once."""
    submit = submit or _queue
    now = _utc(now)
    with sf() as s:
        due = list(s.execute(select(SitrepSchedule, Incident.status, Incident.region_id)
                             .join(Incident, Incident.id == SitrepSchedule.incident_id)
                             .where(SitrepSchedule.active.is_(True), SitrepSchedule.next_due_at <= now)))
        for row in due:
            s.expunge(row[0])
    jobs: list[int] = []
    for sched, status, region_id in due:
        with unit_of_work(sf) as s:
            if status != IncidentStatus.OPEN.value:
                _stop_closed(s, sched.incident_id)
                continue
            at = last_at_or_before(sched, now)
            claimed = rows_changed(s.execute(
                update(SitrepSchedule).where(SitrepSchedule.incident_id == sched.incident_id,
                                             SitrepSchedule.version == sched.version)
                .values(next_due_at=next_after(sched, now), version=sched.version + 1)))
        if claimed:
            params = {"incident_id": sched.incident_id, "due_at": at.isoformat(), "lang": sched.lang,
                      "now": now.isoformat(), "actor": sched.set_by}
            jobs.append(submit(sf, params, sched.principal, region_id))
    if jobs:
        log.info("situation reports queued: %d jobs", len(jobs))
    return jobs


def _queue(sf: sessionmaker[Session], params: dict[str, Any], principal: dict[str, Any], region_id: int) -> int:
    """Queue the report job on the jobs queue (a worker runs it with the setter's grants)."""
    from bastion.jobs import service as jobs

    return int(jobs.submit(sf, SITREP, params, principal=jobs.principal_of(principal), region_id=region_id).id)


# ---------------------------------------------------------------- the reports


def generate(sf: sessionmaker[Session], incident_id: int, *, due_at: dt.datetime, lang: str, now: dt.datetime,
             actor: svc.Actor, job_id: int | None = None) -> Sitrep | None:
    """Make the report due at ``due_at`` (HTML, PDF, counts) and its timeline entry in one transaction. A re-run
    finds the report already made and adds nothing; a closed incident gets none (returns None)."""
    with unit_of_work(sf) as s:
        inc = svc.get_incident(s, incident_id)
        known = s.scalar(select(Sitrep).where(Sitrep.incident_id == incident_id, Sitrep.due_at == due_at))
        if known is not None:
            s.expunge(known)
            return known
        if inc.status != IncidentStatus.OPEN.value:
            return None
        html, counts = render.sitrep(s, incident_id, at=now, lang=lang)
        n = int(s.scalar(select(func.count()).select_from(Sitrep).where(Sitrep.incident_id == incident_id)) or 0)
        rep = Sitrep(incident_id=incident_id, report_no=n + 1, mode=inc.mode, lang=lang, due_at=due_at,
                     generated_at=now, counts=asdict(counts), html=html, pdf=render.to_pdf(html), job_id=job_id)
        s.add(rep)
        s.flush()
        svc.append(s, incident_id, EntryKind.SITREP, f"situation report no. {rep.report_no} generated ({lang})",
                   actor=actor, now=now, details={"event": "generated", "report_no": rep.report_no,
                                                  "sitrep_id": rep.id, "lang": lang, "counts": asdict(counts)})
        s.refresh(rep)
        s.expunge(rep)
    log.info("incident %d: situation report no. %d generated (%s)", incident_id, rep.report_no, lang)
    return rep


def list_sitreps(s: Session, *, incident_id: int | None = None, region_ids: Collection[int] | None = None,
                 modes: Collection[str] = (Mode.REAL.value,)) -> list[Sitrep]:
    """Generated reports, newest first; real incidents' only unless ``modes`` asks (one incident's: all)."""
    q = select(Sitrep).join(Incident, Incident.id == Sitrep.incident_id)
    if incident_id is not None:
        svc.get_incident(s, incident_id)
        q = q.where(Sitrep.incident_id == incident_id)
    else:
        q = q.where(Sitrep.mode.in_(list(modes)))
    if region_ids is not None:
        q = q.where(Incident.region_id.in_(list(region_ids)))
    return list(s.scalars(q.order_by(Sitrep.generated_at.desc(), Sitrep.id.desc())))


def get_sitrep(s: Session, incident_id: int, sitrep_id: int) -> Sitrep:
    rep = s.get(Sitrep, sitrep_id)
    if rep is None or rep.incident_id != incident_id:
        raise NotFound(f"situation report {sitrep_id} of incident {incident_id} does not exist")
    return rep


# ---------------------------------------------------------------- the job kind


def run_sitrep(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Generate the report due at ``due_at`` (idempotent: a re-run returns the report already made)."""
    ctx.check_cancelled()
    rep = generate(ctx.session_factory, int(params["incident_id"]),
             due_at=dt.datetime.fromisoformat(params["due_at"]), lang=str(params["lang"]),
                           now=dt.datetime.fromisoformat(params["now"]),
                           actor=svc.Actor(str(params.get("actor") or ctx.principal.actor), None, "scheduler"),
                           job_id=ctx.job_id)
    if rep is None:
        return {"incident_id": params["incident_id"], "sitrep_id": None, "skipped": "the incident is closed"}
    return {"incident_id": rep.incident_id, "sitrep_id": rep.id, "report_no": rep.report_no, "lang": rep.lang,
            "mode": rep.mode, "counts": rep.counts}


SITREP = JobKind("incidents.sitrep", ("incident:command",), run_sitrep,
                 result_link=lambda p, r: (f"/api/v1/incidents/{p['incident_id']}/sitreps/{r['sitrep_id']}"
                                           if r.get("sitrep_id") else None))
