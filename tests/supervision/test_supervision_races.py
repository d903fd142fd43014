"""Security finding 8 (part): one inspection completed twice in parallel created every task twice, and two
inspections could be open on one site. Parallel writers on both backends: one wins, the other gets a Conflict."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.db.base import utcnow
from bastion.kernel.errors import Conflict
from bastion.sites.models import Site
from bastion.supervision import service as svc
from bastion.supervision.models import Inspection
from bastion.supervision.models import RectificationTask


def _parallel(n: int, fn: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(n)
    out: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            out[i] = fn()
        except Exception as exc:  # noqa: BLE001 - collected and checked below
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_parallel_completion_creates_tasks_once(monaco_sf: sessionmaker[Session]) -> None:
    with monaco_sf() as s:
        sid = s.scalar(select(Site.id).where(Site.name == "Stade Louis-II"))
    insp = svc.start_inspection(monaco_sf, sid, now=utcnow(), inspector_agency="Sûreté Publique")
    with monaco_sf() as s:
        items = [i.item_id for i in svc.inspection_items(s, insp.id)]
    svc.answer(monaco_sf, insp.id, {k: "fail" for k in items}, now=utcnow())
    results = _parallel(4, lambda: svc.complete(monaco_sf, insp.id, now=utcnow(), owner_agency="Operator"))
    wins = [r for r in results if isinstance(r, svc.CompletionReport)]
    assert len(wins) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in wins), results
    with monaco_sf() as s:
        n_tasks = s.scalar(select(func.count()).select_from(RectificationTask).where(RectificationTask.site_id == sid))
        assert n_tasks == len(wins[0].tasks_created) == len(items)
        assert s.get(Inspection, insp.id).status == "completed"


def test_parallel_starts_open_one_inspection(monaco_sf: sessionmaker[Session]) -> None:
    with monaco_sf() as s:
        sid = s.scalar(select(Site.id).where(Site.name == "Stade Louis-II"))
    results = _parallel(4, lambda: svc.start_inspection(monaco_sf, sid, now=utcnow(), inspector_agency="x"))
    assert len([r for r in results if isinstance(r, Inspection)]) == 1, results
    with monaco_sf() as s:
        assert s.scalar(select(func.count()).select_from(Inspection).where(Inspection.site_id == sid,
                                                                          Inspection.status == "open")) == 1
