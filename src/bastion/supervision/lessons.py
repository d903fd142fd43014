"""Lessons from a closed incident (or an exercise) as rectification tasks: one after-action review record per
site (an inspection record completed at once, since every task belongs to an inspection) and one task per lesson,
owned by an agency with a deadline. Runs in the caller's transaction (the incident closes with its tasks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bastion.kernel.errors import InvalidInput
from bastion.risk import service as risk_svc
from bastion.sites.repository import SiteRepo
from bastion.supervision.models import Inspection
from bastion.supervision.repository import add_task

AAR_AGENCY = "after-action review"
STANDARD = "after_action"


@dataclass(frozen=True)
class Lesson:
    site_id: int
    text: str  # the corrective action (checked for personal data by the caller)
    owner_agency: str
    deadline_days: int = 30


def add_lesson_tasks(s: Session, lessons: Sequence[Lesson], *, source: str, now: dt.datetime,
                     actor_account_id: int | None = None) -> list[int]:
    """Create one open rectification task per lesson; returns their ids. ``source`` (e.g. "incident 12") is the
    task's item id prefix and its history detail."""
    out: list[int] = []
    reviews: dict[int, int] = {}
    for i, le in enumerate(lessons):
        agency = (le.owner_agency or "").strip()
        if not 1 <= len(agency) <= 200:
            raise InvalidInput(f"lessons[{i}].owner_agency must be an agency's name of 1 to 200 characters",
                               field=f"lessons[{i}].owner_agency")
        if isinstance(le.deadline_days, bool) or not 1 <= le.deadline_days <= 3650:
            raise InvalidInput(f"lessons[{i}].deadline_days must be 1 to 3650 days, got {le.deadline_days!r}",
                               field=f"lessons[{i}].deadline_days")
        SiteRepo(s).get(le.site_id)
        if le.site_id not in reviews:
            insp = Inspection(site_id=le.site_id, status="completed", inspector_account_id=actor_account_id,
                              inspector_agency=AAR_AGENCY, standard_versions=risk_svc.standard_versions(),
                              started_at=now, completed_at=now)
            s.add(insp)
            s.flush()
            reviews[le.site_id] = insp.id
        t = add_task(s, site_id=le.site_id, inspection_id=reviews[le.site_id], item_id=f"{source}:{i + 1}"[:100],
                     measure="lesson", standard_id=STANDARD, text=le.text, owner_agency=agency, owner_agency_id=None,
                     deadline=now + dt.timedelta(days=le.deadline_days), now=now,
                     actor_account_id=actor_account_id, detail=f"lesson from {source}")
        out.append(t.id)
    s.flush()
    return out
