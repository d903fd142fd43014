"""Checklist items and rectification tasks in the reader's language.

A task's text is stored as it was generated, in English (the record of what the inspection found). What the
reader sees is rendered per language from the parts the database already holds, with no migration:

- a checklist item (and the task opened from it): the measure and the requirement's parameters (inspection item
  ``measure`` + ``params``), worded by risk.wording.requirement_text;
- generated task sentences (hostile-vehicle gaps, missing emergency plans, exercise improvement items) are
  matched against the sentences their generators write and rebuilt from ``task.*`` words, the site's name,
  coordinates, rating codes and the user's own words kept as entered;
- anything else (lessons written by a user, text of an unknown shape) is shown as entered."""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy import tuple_
from sqlalchemy.orm import Session

from bastion.kernel.i18n import Translate
from bastion.kernel.i18n import translator
from bastion.risk import wording as risk_words
from bastion.supervision.models import InspectionItem
from bastion.supervision.models import RectificationTask

_GAP = re.compile(r"^(\w+)( \(wrong way\))?: (.*), entry at (-?[\d.]+), (-?[\d.]+): (?:"
                  r"install a barrier rated (.+) \(or equivalent need under its own standard\)"
                  r"|a \w+ can arrive at (\d+) km/h, above every tested speed; slow the approach \(layout, chicane\) "
                  r"and then install a certified barrier)$")
_PLAN = re.compile(r"^(.*): write and approve an emergency plan for (\w+) "
                   r"\(one of the site's three highest risks; (\w+) tier\)$")
_AAR = re.compile(r"^(.*): (\w+): (.*) \(issue: (.*)\)$", re.S)
_INSPECTORS = {"vehicle assessment (desk review)": "task.inspector.vehicle_desk_review",
               "emergency plan review (desk review)": "task.inspector.plan_desk_review",
               "after-action report (exercise)": "task.inspector.exercise_aar",
               "after-action review": "task.inspector.after_action_review"}


def item_text(measure: str, params: Mapping[str, Any], text: str, lang: str) -> str:
    """A checklist item's requirement in `lang` (its stored English text for English)."""
    return risk_words.requirement_text(measure, params, lang, default=text)


def inspector(name: str | None, lang: str) -> str | None:
    """The inspecting agency; the generated desk-review names in `lang`, an agency's own name as entered."""
    if name is None or lang == "en" or name not in _INSPECTORS:
        return name
    return translator(lang)(_INSPECTORS[name], name)


def _gap_lines(text: str) -> list[str]:
    """The "; "-joined lines of a vehicle task (a not-coverable line holds "; " itself)."""
    out: list[str] = []
    for piece in text.split("; "):
        if out and piece.startswith("slow the approach"):
            out[-1] += "; " + piece
        else:
            out.append(piece)
    return out


def _vehicle_text(text: str, lang: str, tr: Translate) -> str | None:
    from bastion.vehicle.wording import rating_label

    lines = []
    for line in _gap_lines(text):
        m = _GAP.match(line)
        if m is None:
            return None
        veh, wrong, where, lat, lon, need, speed = m.groups()
        vname = tr(f"vehicle.class.{veh}", veh)
        if wrong:
            vname = tr("vehicle.report.vehicle_wrong_way", vehicle=vname)
        where = tr("task.vehicle.where", site=where, lat=lat, lon=lon)
        lines.append(tr("task.vehicle.install", vehicle=vname, where=where, need=rating_label(need, lang))
                     if need is not None else tr("task.vehicle.not_coverable", vehicle=vname, where=where, speed=speed))
    return tr("task.sep").join(lines)


def task_text(task: RectificationTask, lang: str, *, params: Mapping[str, Any] | None = None) -> str:
    """A task's text in `lang`; `params` are the requirement parameters of the checklist item it came from."""
    if lang == "en":
        return task.text
    tr = translator(lang)
    if task.item_id == f"{task.standard_id}:{task.measure}" and params is not None:
        return item_text(task.measure, params, task.text, lang)
    if task.item_id.startswith("vehicle:"):
        return _vehicle_text(task.text, lang, tr) or task.text
    if task.item_id.startswith("eplan:") and (m := _PLAN.match(task.text)):
        site, threat, level = m.groups()
        return tr("task.plan", site=site, threat=tr(f"eplan.threat.{threat}", threat),
                  level=tr(f"task.level.{level}", level))
    if task.standard_id == "hseep_improvement_plan" and (m := _AAR.match(task.text)):
        name, cap, action, issue = m.groups()
        return tr("task.aar", name=name, capability=tr(f"prep.capability.{cap}", cap), action=action, issue=issue)
    return task.text


def item_params(s: Session, tasks: Iterable[RectificationTask]) -> dict[int, dict[str, Any]]:
    """The requirement parameters of each task's checklist item (one query), by task id."""
    keys = {(t.inspection_id, t.item_id): t.id for t in tasks}
    if not keys:
        return {}
    rows = s.execute(select(InspectionItem.inspection_id, InspectionItem.item_id, InspectionItem.params)
                     .where(tuple_(InspectionItem.inspection_id, InspectionItem.item_id).in_(list(keys))))
    return {keys[(i, k)]: dict(p or {}) for i, k, p in rows}


def task_texts(s: Session, tasks: Iterable[RectificationTask], lang: str) -> dict[int, str]:
    """Every task's text in `lang`, by task id."""
    tasks = list(tasks)
    params = item_params(s, tasks) if lang != "en" else {}
    return {t.id: task_text(t, lang, params=params.get(t.id)) for t in tasks}
