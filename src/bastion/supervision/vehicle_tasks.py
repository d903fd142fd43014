"""Unmet hostile-vehicle requirements -> rectification tasks (the supervision loop of services/inspections.py).

Each stored approach with status gap / not_coverable (vehicle_read.unmet_requirements) becomes one task per
site + entry point + standard (every vehicle class and scenario reaching that entry is listed in its text),
owned by an agency, due ``deadline_days`` later, with a ``created`` history row. Idempotent: an entry that
already has a task not yet verified gets no second one. The tasks hang on one completed desk-review
inspection record per run ("vehicle assessment (desk review)"), since every task belongs to an inspection;
a later on-site inspection verifies nothing of them (their item ids start with ``vehicle:``): close them by
recording a certified barrier, re-assessing and moving the task to fixed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.models import Agency
from bastion.algorithms.vehicle.ratings import STANDARDS
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.risk import service as risk_svc
from bastion.sites.repository import SiteRepo
from bastion.supervision.models import Inspection
from bastion.supervision.models import RectificationTask
from bastion.supervision.repository import add_task
from bastion.vehicle.read import VehicleGap
from bastion.vehicle.read import unmet_requirements

log = logging.getLogger(__name__)

DESK_REVIEW_AGENCY = "vehicle assessment (desk review)"
ITEM_PREFIX = "vehicle:"
STANDARD = STANDARDS[0]  # the first stored need of every approach (ISO 22343-1)


@dataclass(frozen=True)
class VehicleTaskReport:
    site_id: int
    gaps: int  # unmet approaches found (all vehicles and scenarios)
    entries: int  # distinct entry points among them
    created: tuple[int, ...]  # new task ids
    existing: tuple[int, ...]  # open tasks already covering an entry (left as they are)
    inspection_id: int | None  # the desk-review record the new tasks hang on (None when nothing was created)


def item_id(gap: VehicleGap, standard: str = STANDARD) -> str:
    """The task key: site entry point (lat, lon to ~0.1 m) and standard."""
    return f"{ITEM_PREFIX}{gap.entry_lat:.6f},{gap.entry_lon:.6f}:{standard}"


def _agency(value: str | None) -> str:
    if value is None or not value.strip():
        raise InvalidInput("owner_agency is required: give the agency's name (not a person's)", field="owner_agency")
    if len(value) > 200:
        raise InvalidInput(f"owner_agency must be at most 200 characters, got {len(value)}", field="owner_agency")
    return value.strip()


def create_tasks(sf: sessionmaker[Session], site_id: int, *, now: dt.datetime, owner_agency: str | None = None,
                 deadline_days: int = 30, actor_account_id: int | None = None,
                 owner_agency_id: int | None = None) -> VehicleTaskReport:
    """Turn the site's unmet vehicle requirements into rectification tasks (one transaction, idempotent).
    ``owner_agency`` defaults to the site's operator agency, when it has one."""
    if now.tzinfo is None:
        raise InvalidInput("now must be a timezone-aware datetime (UTC)", field="now")
    agency = None if owner_agency is None else _agency(owner_agency)
    if isinstance(deadline_days, bool) or not isinstance(deadline_days, int) or not 1 <= deadline_days <= 3650:
        raise InvalidInput(f"deadline_days must be a whole number of days from 1 to 3650, got {deadline_days!r}",
                           field="deadline_days")
    with unit_of_work(sf) as s:
        site = SiteRepo(s).get(site_id)
        if agency is None:
            op = None if site.operator_agency_id is None else s.get(Agency, site.operator_agency_id)
            if op is None:
                raise InvalidInput(f"owner_agency is required: site {site_id} has no operator agency to default to",
                                   field="owner_agency")
            agency, owner_agency_id = op.name, op.id
        gaps = unmet_requirements(s, site_id=site_id)
        groups: dict[str, list[VehicleGap]] = {}
        for g in gaps:  # fastest first
            groups.setdefault(item_id(g), []).append(g)
        open_tasks = {t.item_id: t.id for t in s.scalars(
            select(RectificationTask).where(RectificationTask.site_id == site_id,
                                            RectificationTask.item_id.like(f"{ITEM_PREFIX}%"),
                                            RectificationTask.status != "verified"))}
        todo = [k for k in groups if k not in open_tasks]
        existing = tuple(open_tasks[k] for k in groups if k in open_tasks)
        if not todo:
            return VehicleTaskReport(site_id, len(gaps), len(groups), (), existing, None)
        insp = Inspection(site_id=site_id, status="completed", inspector_account_id=actor_account_id,
                          inspector_agency=DESK_REVIEW_AGENCY, standard_versions=risk_svc.standard_versions(),
                          started_at=now, completed_at=now)
        s.add(insp)
        s.flush()
        created = []
        for key in todo:
            gs = groups[key]
            lines = list(dict.fromkeys(
                f"{g.vehicle}{' (wrong way)' if g.wrong_way else ''}: {g.task_text()}" for g in gs))
            worst = gs[0]
            t = add_task(s, site_id=site_id, inspection_id=insp.id, item_id=key, measure="hvm_barrier",
                         standard_id=STANDARD, text="; ".join(lines), owner_agency=agency,
                         owner_agency_id=owner_agency_id, deadline=now + dt.timedelta(days=deadline_days), now=now,
                         actor_account_id=actor_account_id,
                         detail=f"vehicle assessment: {worst.vehicle} at {worst.impact_speed_kph:.0f} km/h, "
                                f"{worst.status}")
            created.append(t.id)
        s.flush()
        log.info("site %d: %d vehicle gaps at %d entries -> %d tasks created, %d already open", site_id, len(gaps),
                 len(groups), len(created), len(existing))
        return VehicleTaskReport(site_id, len(gaps), len(groups), tuple(created), existing, insp.id)
