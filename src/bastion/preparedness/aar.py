"""The after-action report and improvement plan as a document (FEMA HSEEP 2020 AAR/IP layout): the exercise,
objectives and core capabilities, capability ratings (P/S/M/U), observed vs modelled unit arrivals, drill
results, strengths, areas for improvement, and the improvement plan (corrective action, POETE element,
responsible agency, deadline, and the rectification task it became). Everything is read from the exercise row
and the tasks it opened; the record is marked EXERCISE throughout."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.preparedness.enums import CORE_CAPABILITIES
from bastion.preparedness.enums import RATINGS
from bastion.preparedness.exercises import EXERCISE_ITEM_PREFIX
from bastion.preparedness.exercises import get_exercise
from bastion.preparedness.exercises import uncovered_weak
from bastion.sites.models import Site
from bastion.supervision.models import RectificationTask


@dataclass(frozen=True)
class AarReport:
    id: int
    mode: str
    name: str
    type: str
    threat: str | None
    status: str
    start: str
    end: str
    sites: list[str]
    agencies: list[str]
    objectives: list[dict[str, Any]]
    ratings: list[tuple[str, str]]  # (capability, rating) in the core-capability order
    rating_counts: list[tuple[str, int]]  # P/S/M/U -> count
    arrivals: list[dict[str, Any]]
    drills: list[dict[str, Any]]
    strengths: list[str]
    improvements: list[dict[str, Any]]  # each with its task {id, status} once finalised
    uncovered: list[str]
    notes: list[str]


def aar_report(s: Session, exercise_id: int) -> AarReport:
    e = get_exercise(s, exercise_id)
    names = {i: n for i, n in s.execute(select(Site.id, Site.name).where(Site.id.in_(e.site_ids or [-1])))}
    ev, aar = e.evaluation or {}, e.aar or {}
    rated = ev.get("ratings", {})
    order = {c: i for i, c in enumerate(CORE_CAPABILITIES)}
    ratings = sorted(rated.items(), key=lambda kv: order.get(kv[0], len(order)))
    counts = Counter(rated.values())
    tasks = {t.item_id: t for t in s.scalars(select(RectificationTask).where(
        RectificationTask.item_id.like(f"{EXERCISE_ITEM_PREFIX}{e.id}:%")))}
    items = []
    for n, it in enumerate(aar.get("improvements", [])):
        t = tasks.get(f"{EXERCISE_ITEM_PREFIX}{e.id}:{n}")
        items.append({**it, "task": None if t is None else {"id": t.id, "status": t.status}})
    return AarReport(e.id, "EXERCISE", e.name, e.type, e.threat, e.status,
                     e.start.strftime("%Y-%m-%d %H:%M"), e.end.strftime("%Y-%m-%d %H:%M"),
                     [names.get(i) or f"site {i}" for i in e.site_ids], list(e.agencies), list(e.objectives),
                     ratings, [(r, counts.get(r, 0)) for r in RATINGS], list(ev.get("arrivals", [])),
                     list(ev.get("drills", [])), list(aar.get("strengths", [])), items, uncovered_weak(e),
                     list(ev.get("notes", [])))
