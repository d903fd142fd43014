"""The supervision loop: inspection (checklist from the site's tier requirements) -> rectification task per
failed item -> fix -> verifying re-inspection. Every task change writes a history row. No clock inside:
callers pass ``now``."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.pii import refuse_personal_data
from bastion.algorithms.risk.checklist import ANSWERS
from bastion.algorithms.risk.checklist import Checklist
from bastion.algorithms.risk.checklist import ChecklistItem
from bastion.algorithms.risk.checklist import evaluate
from bastion.algorithms.risk.checklist import generate_checklist
from bastion.algorithms.risk.checklist import prefill
from bastion.algorithms.risk.checklist import requirements_by_item
from bastion.algorithms.risk.measures import CATALOGUE
from bastion.kernel.db.base import rows_changed
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.db.versioning import claim
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.risk import service as risk_svc
from bastion.sites.models import Site
from bastion.sites.models import SiteMeasure
from bastion.sites.repository import SiteRepo
from bastion.supervision.models import EVIDENCE_NOTE_MAX
from bastion.supervision.models import Inspection
from bastion.supervision.models import InspectionItem
from bastion.supervision.models import RectificationTask
from bastion.supervision.models import TaskEvent
from bastion.supervision.repository import add_task

log = logging.getLogger(__name__)

STATUSES = ("open", "in_progress", "fixed", "verified")
# Transitions a person may make; `verified` is only reached through a passing re-inspection.
MANUAL_TRANSITIONS = {("open", "in_progress"), ("in_progress", "fixed"), ("open", "fixed"), ("fixed", "in_progress")}
ESCALATION_STEP_DAYS = 7  # each further week overdue raises the level by one (ASSUMPTION, editable)
MAX_ESCALATION = 3  # 1 owner agency reminded, 2 supervising office, 3 regional command (ASSUMPTION)


def _check_now(now: dt.datetime) -> None:
    if now.tzinfo is None:
        raise InvalidInput("now must be a timezone-aware datetime (UTC)", field="now")


def _text(value: str | None, name: str, *, max_len: int = 200, required: bool = False) -> str | None:
    if value is None or not value.strip():
        if required:
            raise InvalidInput(f"{name} is required: give the agency's name (not a person's)", field=name)
        return None
    if len(value) > max_len:
        raise InvalidInput(f"{name} must be at most {max_len} characters, got {len(value)}", field=name)
    return value.strip()


def get_inspection(s: Session, inspection_id: int) -> Inspection:
    row = s.get(Inspection, inspection_id)
    if row is None:
        raise NotFound(f"inspection {inspection_id} does not exist")
    return row


def site_inspections(s: Session, site_id: int) -> list[Inspection]:
    SiteRepo(s).get(site_id)
    return list(s.scalars(select(Inspection).where(Inspection.site_id == site_id)
                          .order_by(Inspection.started_at.desc(), Inspection.id.desc())))


def inspection_items(s: Session, inspection_id: int) -> list[InspectionItem]:
    return list(s.scalars(select(InspectionItem).where(InspectionItem.inspection_id == inspection_id)
                          .order_by(InspectionItem.id)))


def start_inspection(sf: sessionmaker[Session], site_id: int, *, now: dt.datetime,
                     inspector_account_id: int | None = None, inspector_agency: str | None = None) -> Inspection:
    """Open an inspection whose checklist is every requirement of the site's tiers (answers suggested from the
    measures on record; the inspector confirms or overrides them)."""
    _check_now(now)
    agency = _text(inspector_agency, "inspector_agency")
    if inspector_account_id is None and agency is None:
        raise InvalidInput("give the inspecting agency (inspector_agency) or sign in", field="inspector_agency")
    with unit_of_work(sf) as s:
        site = SiteRepo(s).get(site_id)
        if s.scalar(select(Inspection.id).where(Inspection.site_id == site_id, Inspection.status == "open")):
            raise Conflict(f"site {site_id} already has an open inspection; complete it first")
        tiers = risk_svc.site_tiers(s, site)
        checklist = generate_checklist(str(site_id), tiers)
        if not checklist.items:
            raise InvalidInput(f"site {site_id} is not in scope of any standard's tier: nothing to inspect",
                               field="site_id")
        reqs = requirements_by_item(tiers)
        ms = risk_svc.measure_set(risk_svc.site_measures(s, site_id))
        suggested = prefill(checklist, reqs, ms, as_of=now.date())
        insp = Inspection(site_id=site_id, status="open", inspector_account_id=inspector_account_id,
                          inspector_agency=agency, standard_versions=risk_svc.standard_versions(), started_at=now)
        s.add(insp)
        try:
            s.flush()
        except IntegrityError:  # another start won the race (uq_inspections_open_site)
            raise Conflict(f"site {site_id} already has an open inspection; complete it first") from None
        s.add_all(InspectionItem(inspection_id=insp.id, item_id=it.item_id, standard_id=it.standard_id, tier=it.tier,
                                 measure=it.measure, params=dict(it.params), clause=it.clause, text=it.text,
                                 suggested=suggested[it.item_id]) for it in checklist.items)
        s.flush()
        log.info("inspection %d of site %d: %d items", insp.id, site_id, len(checklist.items))
        return insp


def _evidence_notes(notes: Mapping[str, str], items: Mapping[str, InspectionItem]) -> dict[str, str | None]:
    """Checked evidence notes by item: stripped, at most EVIDENCE_NOTE_MAX characters, no personal data (an empty
    note clears the item's note)."""
    out: dict[str, str | None] = {}
    for item_id, note in notes.items():
        name = f"notes.{item_id}"
        if item_id not in items:
            raise InvalidInput(f"notes has item_id {item_id!r} which is not on the inspection's checklist; use one "
                               f"of {sorted(items)}", field=name)
        text = note.strip()
        if len(text) > EVIDENCE_NOTE_MAX:
            raise InvalidInput(f"{name} must be at most {EVIDENCE_NOTE_MAX} characters, got {len(text)}", field=name)
        if text:
            refuse_personal_data(text, name)
        out[item_id] = text or None
    return out


def answer(sf: sessionmaker[Session], inspection_id: int, answers: Mapping[str, str], *, now: dt.datetime,
           account_id: int | None = None, expected_version: int | None = None,
           notes: Mapping[str, str] | None = None) -> int:
    """Record answers (item_id -> pass | fail | not_applicable), each attributed to ``account_id`` (the account
    that gave it), and evidence notes (item_id -> text about the place; "" clears); returns how many items are
    still unanswered."""
    _check_now(now)
    with unit_of_work(sf) as s:
        insp = get_inspection(s, inspection_id)
        if insp.status != "open":
            raise Conflict(f"inspection {inspection_id} is {insp.status}; start a new inspection to re-inspect")
        claim(s, Inspection, inspection_id, expected_version, what="inspection", obj=insp)
        items = {i.item_id: i for i in inspection_items(s, inspection_id)}
        for item_id, ans in answers.items():
            if item_id not in items:
                raise InvalidInput(f"answers has item_id {item_id!r} which is not on inspection {inspection_id}'s "
                                   f"checklist; use one of {sorted(items)}", field=f"answers.{item_id}")
            if ans not in ANSWERS:
                raise InvalidInput(f"answer for {item_id!r} must be one of {list(ANSWERS)}, got {ans!r}",
                                   field=f"answers.{item_id}")
        checked = _evidence_notes(notes or {}, items)
        for item_id, ans in answers.items():
            items[item_id].answer = ans
            items[item_id].answered_at = now
            items[item_id].answered_by_account_id = account_id
        for item_id, note in checked.items():
            items[item_id].evidence_note = note
        return sum(1 for i in items.values() if i.answer is None)


def _event(s: Session, task: RectificationTask, event: str, *, now: dt.datetime, to_status: str | None = None,
           inspection_id: int | None = None, actor: int | None = None, detail: str | None = None) -> None:
    s.add(TaskEvent(task_id=task.id, at=now, event=event, from_status=task.status if to_status else None,
                    to_status=to_status, escalation_level=task.escalation_level, inspection_id=inspection_id,
                    actor_account_id=actor, detail=detail))
    if to_status:
        task.status = to_status
    task.updated_at = now


@dataclass(frozen=True)
class CompletionReport:
    inspection: Inspection
    failed: tuple[str, ...]
    passed: tuple[str, ...]
    not_applicable: tuple[str, ...]
    tasks_created: tuple[int, ...]
    tasks_reopened: tuple[int, ...]
    tasks_verified: tuple[int, ...]


def _update_measures(s: Session, insp: Inspection, items: Sequence[InspectionItem], now: dt.datetime) -> None:
    """The site's record follows the inspection: a passed requirement is recorded as met (at the required
    parameters, if nothing better is on record); a requirement failed on presence alone removes the measure
    (a fail wins over another standard's pass on the same measure)."""
    rows = {r.kind: r for r in risk_svc.site_measures(s, insp.site_id)}
    # an item failed on presence alone means the control is absent, whatever another standard's item said
    absent = {it.measure for it in items if it.answer == "fail" and not it.params}
    for it in items:
        if it.answer == "pass" and it.measure not in absent:
            if it.suggested == "pass" and it.measure in rows:
                continue  # the record already meets it
            params: dict[str, object] = {k: v for k, v in it.params.items() if k != "within_days"}
            if "within_days" in it.params:  # conservative: the oldest date the requirement still accepts
                oldest = (now.date() - dt.timedelta(days=int(it.params["within_days"]))).isoformat()
                if it.measure == "drills":
                    params["dates"] = [oldest]
                elif it.measure == "security_plan":
                    params["revised_on"] = oldest
            params = {k: v for k, v in params.items() if k in CATALOGUE[it.measure].params}
            old = rows.get(it.measure)
            merged = {**(old.params if old else {}), **params}
            risk_svc.upsert_measure(s, insp.site_id, it.measure, merged, source="inspection",
                                    inspection_id=insp.id, now=now)
    for kind in sorted(absent & set(rows)):
        s.execute(delete(SiteMeasure).where(SiteMeasure.id == rows[kind].id))


def complete(sf: sessionmaker[Session], inspection_id: int, *, now: dt.datetime, owner_agency: str,
             deadline_days: int = 30, actor_account_id: int | None = None,
             owner_agency_id: int | None = None, expected_version: int | None = None) -> CompletionReport:
    """Close an answered inspection: each failed item opens (or reopens) a rectification task owned by
    ``owner_agency`` due ``deadline_days`` later; each passed item verifies the site's earlier tasks on it."""
    _check_now(now)
    agency = _text(owner_agency, "owner_agency", required=True)
    if isinstance(deadline_days, bool) or not isinstance(deadline_days, int) or not 1 <= deadline_days <= 3650:
        raise InvalidInput(f"deadline_days must be a whole number of days from 1 to 3650, got {deadline_days!r}",
                           field="deadline_days")
    with unit_of_work(sf) as s:
        claim(s, Inspection, inspection_id, expected_version, what="inspection")  # stale answers view: 409
        # claim it first, with one conditional UPDATE (a row lock on PostgreSQL; on SQLite the write lock, taken
        # before anything is read): of two concurrent completions one sees 0 rows and gets a Conflict, so the
        # tasks are created once
        claimed = rows_changed(s.execute(update(Inspection).where(Inspection.id == inspection_id,
                                                                  Inspection.status == "open")
                                        .values(status="completing")))
        insp = get_inspection(s, inspection_id)
        if not claimed:
            raise Conflict(f"inspection {inspection_id} is already {insp.status}")
        items = inspection_items(s, inspection_id)
        cl = Checklist(str(insp.site_id), tuple(ChecklistItem(i.item_id, i.standard_id, i.tier, i.measure, i.params,
                                                              i.clause, False, i.text) for i in items))
        outcome = evaluate(cl, {i.item_id: i.answer for i in items if i.answer is not None})
        if not outcome.complete:
            raise InvalidInput(f"inspection {inspection_id} has unanswered items {list(outcome.unanswered)}; answer "
                               "every item (pass, fail or not_applicable) before completing", field="answers")
        earlier = list(s.scalars(select(RectificationTask).where(RectificationTask.site_id == insp.site_id,
                                                                 RectificationTask.status != "verified")))
        by_item: dict[str, RectificationTask] = {t.item_id: t for t in earlier}
        created, reopened, verified = [], [], []
        for f in outcome.failed:
            t = by_item.get(f.item_id)
            if t is None:
                t = add_task(s, site_id=insp.site_id, inspection_id=insp.id, item_id=f.item_id, measure=f.measure,
                             standard_id=f.standard_id, text=f.text, owner_agency=agency,
                             owner_agency_id=owner_agency_id, deadline=now + dt.timedelta(days=deadline_days),
                             now=now, actor_account_id=actor_account_id,
                             detail=f"failed item {f.item_id} ({f.clause})")
                created.append(t.id)
            elif t.status == "fixed":
                claim(s, RectificationTask, t.id, None, what="task", obj=t)  # a concurrent task edit: 409
                _event(s, t, "status", now=now, to_status="in_progress", inspection_id=insp.id,
                       actor=actor_account_id, detail="re-inspection failed the item: not fixed")
                reopened.append(t.id)
        for item_id in outcome.passed:
            t = by_item.get(item_id)
            if t is not None:
                claim(s, RectificationTask, t.id, None, what="task", obj=t)
                _event(s, t, "status", now=now, to_status="verified", inspection_id=insp.id, actor=actor_account_id,
                       detail=f"verified by re-inspection {insp.id}")
                t.verified_by_inspection_id = insp.id
                t.overdue = False
                verified.append(t.id)
        _update_measures(s, insp, items, now)
        insp.status = "completed"
        insp.completed_at = now
        insp.completed_by_account_id = actor_account_id
        s.flush()
        return CompletionReport(insp, tuple(f.item_id for f in outcome.failed), outcome.passed, outcome.not_applicable,
                                tuple(created), tuple(reopened), tuple(verified))


# ---------------------------------------------------------------- tasks


def get_task(s: Session, task_id: int) -> RectificationTask:
    t = s.get(RectificationTask, task_id)
    if t is None:
        raise NotFound(f"task {task_id} does not exist")
    return t


def list_tasks(s: Session, *, region_id: int | None = None, site_id: int | None = None,
               status: Sequence[str] = (), overdue: bool | None = None) -> list[RectificationTask]:
    for st in status:
        if st not in STATUSES:
            raise InvalidInput(f"status must be one of {list(STATUSES)}, got {st!r}", field="status")
    q = select(RectificationTask)
    if region_id is not None:
        q = q.join(Site, Site.id == RectificationTask.site_id).where(Site.region_id == region_id)
    if site_id is not None:
        q = q.where(RectificationTask.site_id == site_id)
    if status:
        q = q.where(RectificationTask.status.in_(status))
    if overdue is not None:
        q = q.where(RectificationTask.overdue.is_(overdue))
    return list(s.scalars(q.order_by(RectificationTask.deadline, RectificationTask.id)))


def task_history(s: Session, task_id: int) -> list[TaskEvent]:
    return list(s.scalars(select(TaskEvent).where(TaskEvent.task_id == task_id).order_by(TaskEvent.id)))


def update_task(  # noqa: PLR0913 - one keyword per editable field of the task, plus the precondition
        sf: sessionmaker[Session], task_id: int, *, now: dt.datetime, status: str | None = None,
                owner_agency: str | None = None, deadline: dt.datetime | None = None,
                actor_account_id: int | None = None, owner_agency_id: int | None = None,
                expected_version: int | None = None) -> RectificationTask:
    """Move a task along (open -> in_progress -> fixed), reassign it or reschedule it. ``verified`` needs a
    passing re-inspection and is refused here. The task's version moves on with one conditional UPDATE (the
    version the caller names, or the one read here): of two identical transitions raced together, one gets 409."""
    _check_now(now)
    with unit_of_work(sf) as s:
        t = get_task(s, task_id)
        if status is not None and status == t.status and expected_version is None:
            # a duplicate of a transition that already happened (two clicks, a retried request): refused, so two
            # requests moving the task to the same next state never both succeed. Naming the version makes a
            # repeat an explicit no-op.
            raise Conflict(f"task {task_id} is already {status}")
        claim(s, RectificationTask, task_id, expected_version, what="task", obj=t)
        if status is not None and status != t.status:
            if status not in STATUSES:
                raise InvalidInput(f"status must be one of {list(STATUSES)}, got {status!r}", field="status")
            if status == "verified":
                raise Conflict(f"task {task_id} can only be verified by a re-inspection that passes item "
                               f"{t.item_id!r}: start an inspection of site {t.site_id}")
            if (t.status, status) not in MANUAL_TRANSITIONS:
                allowed = sorted(b for a, b in MANUAL_TRANSITIONS if a == t.status)
                raise Conflict(f"task {task_id} is {t.status}; it can move to {allowed or 'nothing (closed)'}, "
                               f"not {status}")
            _event(s, t, "status", now=now, to_status=status, actor=actor_account_id)
        if owner_agency is not None:
            agency = _text(owner_agency, "owner_agency", required=True)
            if agency != t.owner_agency:
                _event(
                    s, t, "reassigned", now=now, actor=actor_account_id, detail=f"{t.owner_agency} -> {agency}"[:300]
                )
                t.owner_agency = agency  # type: ignore[assignment]
                t.owner_agency_id = owner_agency_id  # the agency's account-system id: its members get access
        if deadline is not None:
            if deadline.tzinfo is None:
                raise InvalidInput("deadline must carry a timezone (e.g. 2026-12-31T00:00:00Z)", field="deadline")
            _event(s, t, "rescheduled", now=now, actor=actor_account_id,
                   detail=f"{t.deadline.isoformat()} -> {deadline.isoformat()}")
            t.deadline = deadline
            if deadline > now and t.overdue:
                t.overdue = False
        s.flush()
        return t


@dataclass(frozen=True)
class Escalation:
    task_id: int
    site_id: int
    days_overdue: int
    from_level: int
    to_level: int


def escalation_level(days_overdue: float) -> int:
    """1 as soon as a task is overdue, +1 per further ESCALATION_STEP_DAYS, capped at MAX_ESCALATION."""
    if days_overdue <= 0:
        return 0
    return min(MAX_ESCALATION, 1 + int(days_overdue // ESCALATION_STEP_DAYS))


def escalate_overdue(sf: sessionmaker[Session], now: dt.datetime, *,
                     region_ids: frozenset[int] | None = None) -> list[Escalation]:
    """Flag tasks past their deadline and not yet fixed, and raise their escalation level by how long they have
    been overdue. Idempotent for the same ``now`` (a level is raised once; levels never drop). ``region_ids``:
    only tasks at sites in these regions (the caller's jurisdiction); None: every region."""
    _check_now(now)
    out = []
    with unit_of_work(sf) as s:
        q = select(RectificationTask).where(RectificationTask.status.in_(("open", "in_progress")),
                                            RectificationTask.deadline < now).order_by(RectificationTask.id)
        if region_ids is not None:
            q = q.where(RectificationTask.site_id.in_(select(Site.id).where(Site.region_id.in_(region_ids))))
        for t in list(s.scalars(q)):
            days = (now - t.deadline).total_seconds() / 86400
            lvl = escalation_level(days)
            t.overdue = True
            if lvl > t.escalation_level:
                old = t.escalation_level
                claim(s, RectificationTask, t.id, None, what="task")  # the task changed: its version moves on
                t.escalation_level = lvl
                _event(s, t, "escalated", now=now, detail=f"{int(days)} days overdue: level {old} -> {lvl}")
                out.append(Escalation(t.id, t.site_id, int(days), old, lvl))
        s.flush()
    log.info("escalation at %s: %d tasks raised", now.isoformat(), len(out))
    return out
