"""Inspection checklists from a site's tier requirements, and answered checklists -> failed items.

Pure functions only: the inspection/rectification workflow (owners, deadlines, statuses, history) lives in
the service layer, which turns each ``FailedItem`` into a rectification task. Answers are pass / fail /
not_applicable; there is no free-text field, so no personal data can enter through a checklist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bastion.algorithms.risk.measures import CATALOGUE
from bastion.algorithms.risk.measures import Measure
from bastion.algorithms.risk.measures import MeasureSet
from bastion.algorithms.risk.standards import Requirement
from bastion.algorithms.risk.tiering import TIERED
from bastion.algorithms.risk.tiering import TierResult
from bastion.kernel.errors import InvalidInput

ANSWERS = ("pass", "fail", "not_applicable")
_COVERAGE_ORDER = {"random": 0, "all": 1}


@dataclass(frozen=True)
class ChecklistItem:
    item_id: str  # "<standard_id>:<measure>", stable across inspections of the same tier
    standard_id: str
    tier: str
    measure: str
    params: Mapping[str, Any]
    clause: str
    assumption: bool
    text: str


@dataclass(frozen=True)
class Checklist:
    site_id: str
    items: tuple[ChecklistItem, ...]

    def item(self, item_id: str) -> ChecklistItem:
        for it in self.items:
            if it.item_id == item_id:
                return it
        msg = f"item_id {item_id!r} is not on the checklist of site {self.site_id!r}"
        raise InvalidInput(msg, field="item_id")


@dataclass(frozen=True)
class FailedItem:
    item_id: str
    standard_id: str
    tier: str
    measure: str
    clause: str
    text: str


@dataclass(frozen=True)
class InspectionOutcome:
    failed: tuple[FailedItem, ...]
    passed: tuple[str, ...]
    not_applicable: tuple[str, ...]
    unanswered: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.unanswered


def _describe(req: Requirement) -> str:
    label = CATALOGUE[req.measure].label
    parts = []
    for k, v in req.params.items():
        if k == "within_days":
            parts.append(f"last occurrence within {v} days")
        elif isinstance(v, str):
            parts.append(f"{k.replace('_', ' ')}: {v}")
        else:
            parts.append(f"{k.replace('_', ' ')} at least {v}")
    return label + (f" ({', '.join(parts)})" if parts else "")


def generate_checklist(site_id: str, tiers: Iterable[TierResult]) -> Checklist:
    """One item per requirement of every standard under which the site is tiered."""
    items = []
    for tr in tiers:
        if tr.status != TIERED or tr.tier is None:
            continue
        for req in tr.requirements:
            items.append(ChecklistItem(f"{tr.standard_id}:{req.measure}", tr.standard_id, tr.tier, req.measure,
                                       req.params, req.clause, req.assumption, _describe(req)))
    return Checklist(site_id, tuple(items))


def requirement_met(req: Requirement, measure: Measure | None, *, as_of: dt.date) -> bool:
    """Whether a recorded measure satisfies a requirement on ``as_of``."""
    if measure is None or measure.kind != req.measure:
        return False
    for k, want in req.params.items():
        if k == "within_days":
            if measure.kind == "drills":
                dates = [d for d in measure.params.get("dates", ()) if d <= as_of]  # type: ignore[attr-defined]
            elif measure.kind == "security_plan" and measure.params.get("revised_on") is not None:
                dates = [measure.params["revised_on"]]
            else:
                return False
            if not dates or (as_of - max(dates)).days > int(want):
                return False
            continue
        have = measure.params.get(k, CATALOGUE[measure.kind].default_params.get(k) if k == "coverage" else None)
        if have is None:
            return False
        if isinstance(want, str):
            if k == "coverage":
                if _COVERAGE_ORDER.get(str(have), -1) < _COVERAGE_ORDER.get(want, 99):
                    return False
            elif have != want:
                return False
        elif float(have) < float(want):  # type: ignore[arg-type]
            return False
    return True


def prefill(checklist: Checklist, requirements: Mapping[str, Requirement], measures: MeasureSet, *,
            as_of: dt.date) -> dict[str, str]:
    """Suggested answers from the measures on record (the inspector confirms or overrides them).
    ``requirements`` maps item_id -> Requirement (see ``requirements_by_item``)."""
    return {it.item_id: "pass" if requirement_met(requirements[it.item_id], measures.get(it.measure), as_of=as_of)
            else "fail" for it in checklist.items}


def requirements_by_item(tiers: Iterable[TierResult]) -> dict[str, Requirement]:
    return {f"{tr.standard_id}:{r.measure}": r for tr in tiers if tr.status == TIERED for r in tr.requirements}


def evaluate(checklist: Checklist, answers: Mapping[str, str]) -> InspectionOutcome:
    """Sort answered items; every ``fail`` becomes a FailedItem (a rectification task upstream)."""
    known = {it.item_id for it in checklist.items}
    for item_id, ans in answers.items():
        if item_id not in known:
            msg = f"answers has item_id {item_id!r} which is not on this checklist; answer only listed items"
            raise InvalidInput(msg, field="answers")
        if ans not in ANSWERS:
            msg = f"answer for {item_id!r} must be one of {list(ANSWERS)}, got {ans!r}"
            raise InvalidInput(msg, field="answers")
    failed: list[FailedItem] = []
    passed: list[str] = []
    na: list[str] = []
    missing: list[str] = []
    for it in checklist.items:
        given = answers.get(it.item_id)
        if given is None:
            missing.append(it.item_id)
        elif given == "pass":
            passed.append(it.item_id)
        elif given == "not_applicable":
            na.append(it.item_id)
        else:
            failed.append(FailedItem(it.item_id, it.standard_id, it.tier, it.measure, it.clause, it.text))
    return InspectionOutcome(tuple(failed), tuple(passed), tuple(na), tuple(missing))
