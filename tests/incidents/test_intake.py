"""Incident intake (M/ETHANE, counts only), mode separation, the timeline inside the audit chain, optimistic
concurrency (stale version -> Conflict) and 20 concurrent timeline writers losing nothing, on both backends."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import audit
from bastion.access.models import AuditLog
from bastion.incidents import service as svc
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.sites.models import Site
from tests.incidents.helpers import ACTOR
from tests.incidents.helpers import NOW
from tests.incidents.helpers import open_incident


def _parallel(n: int, fn: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(n)
    out: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            out[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - collected and checked below
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_intake_stores_methane_counts_and_a_chained_timeline(monaco_sf: sessionmaker[Session]) -> None:
    inc = open_incident(monaco_sf, major_incident="declared", hazards="glass on the steps", access="from Avenue des "
                        "Beaux-Arts", services_present=["police"], services_required=["armed_police", "ambulance"])
    assert inc.casualties == {"immediate": 2, "urgent": 1, "delayed": 0, "expectant": 0, "dead": 0}
    assert (inc.mode, inc.status, inc.version, inc.major_incident) == ("real", "open", 1, "declared")
    with monaco_sf() as s:
        tl = svc.timeline(s, inc.id)
        assert [e.kind for e in tl] == ["created"]
        rec = s.scalar(select(AuditLog).where(AuditLog.seq == tl[0].audit_seq))
        assert rec is not None and rec.hash == tl[0].audit_hash and rec.object_id == str(inc.id)
        assert rec.details["timeline_seq"] == 1
        assert audit.verify(s).ok


def test_location_by_site_name(monaco_sf: sessionmaker[Session]) -> None:
    inc = open_incident(monaco_sf, lon=None, lat=None, site_query="Stade Louis-II")
    with monaco_sf() as s:
        site = s.get(Site, inc.site_id)
        assert site is not None and site.name == "Stade Louis-II" and (inc.lon, inc.lat) == (site.lon, site.lat)
    with pytest.raises(InvalidInput, match="exactly one location"):
        open_incident(monaco_sf, site_query="Stade Louis-II")  # and lon/lat


@pytest.mark.parametrize(("field", "value"), [
    ("title", "Caller 06 12 34 56 78 reports shots"), ("hazards", "suspect plate AB12 CDE"),
    ("access", "ask j.smith@example.com"), ("location_text", "near 11010519491231002X"),
])
def test_free_text_with_personal_data_is_refused(monaco_sf: sessionmaker[Session], field: str, value: str) -> None:
    with pytest.raises(InvalidInput) as e:
        open_incident(monaco_sf, **{field: value})
    assert e.value.field == field and "personal data" in str(e.value)


@pytest.mark.parametrize(("kw", "field"), [
    ({"incident_type": "riot"}, "incident_type"), ({"mode": "drill"}, "mode"), ({"severity": "high"}, "severity"),
    ({"casualties": {"immediate": -1}}, "casualties.immediate"), ({"casualties": {"walking": 3}}, "casualties"),
    ({"services_required": ["swat"]}, "services_required"), ({"device": "nuke"}, "device"),
    ({"lon": 200.0}, "lon"),
])
def test_bad_input_names_the_field(monaco_sf: sessionmaker[Session], kw: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as e:
        open_incident(monaco_sf, **kw)
    assert e.value.field == field


def test_exercise_and_test_records_stay_out_of_real_lists(monaco_sf: sessionmaker[Session]) -> None:
    real = open_incident(monaco_sf)
    ex = open_incident(monaco_sf, mode="exercise")
    tst = open_incident(monaco_sf, mode="test")
    with monaco_sf() as s:
        assert [i.id for i in svc.list_incidents(s)] == [real.id]
        got = {i.id for i in svc.list_incidents(s, modes=("real", "exercise", "test"))}
        assert got == {real.id, ex.id, tst.id}
        assert [i.id for i in svc.list_incidents(s, modes=("exercise",))] == [ex.id]


def test_stale_version_is_a_conflict(monaco_sf: sessionmaker[Session]) -> None:
    inc = open_incident(monaco_sf)
    a = svc.update_incident(monaco_sf, inc.id, {"severity": "extreme"}, expected_version=1, actor=ACTOR, now=NOW)
    assert a.version == 2
    with pytest.raises(Conflict, match="version 2"):
        svc.update_incident(monaco_sf, inc.id, {"hazards": "smoke"}, expected_version=1, actor=ACTOR, now=NOW)
    results = _parallel(4, lambda i: svc.update_incident(monaco_sf, inc.id, {"casualties": {"dead": i}},
                                                         expected_version=2, actor=ACTOR, now=NOW))
    assert sum(1 for r in results if not isinstance(r, Exception)) == 1, results
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception)), results


def test_twenty_concurrent_writers_lose_no_timeline_entry(monaco_sf: sessionmaker[Session]) -> None:
    inc = open_incident(monaco_sf)
    per_writer = 3

    def write(i: int) -> list[int]:
        return [svc.add_note(monaco_sf, inc.id, f"note {i}-{k}", actor=svc.Actor(f"writer-{i}"),
                             now=NOW + dt.timedelta(seconds=i)).seq for k in range(per_writer)]

    results = _parallel(20, write)
    assert not [r for r in results if isinstance(r, Exception)], results
    with monaco_sf() as s:
        tl = svc.timeline(s, inc.id)
        notes = [e for e in tl if e.kind == "note"]
        assert len(notes) == 20 * per_writer
        assert {e.text for e in notes} == {f"note {i}-{k}" for i in range(20) for k in range(per_writer)}
        assert [e.seq for e in tl] == list(range(1, 20 * per_writer + 2))  # gap-free, in commit order
        assert len({e.audit_seq for e in tl}) == len(tl)
        assert audit.verify(s).ok
        assert svc.get_incident(s, inc.id).timeline_count == len(tl)


def test_timeline_tampering_is_detected(monaco_sf: sessionmaker[Session]) -> None:
    """Every single edit of a stored entry (text, number, deletion) is caught against the audit chain."""
    from sqlalchemy import delete
    from sqlalchemy import update

    from bastion.incidents.models import TimelineEntry

    inc = open_incident(monaco_sf)
    for k in range(3):
        svc.add_note(monaco_sf, inc.id, f"note {k}", actor=ACTOR, now=NOW)
    with monaco_sf() as s:
        assert svc.verify_timeline(s, inc.id).ok
        ids = [e.id for e in svc.timeline(s, inc.id)]
    edits = [update(TimelineEntry).where(TimelineEntry.id == ids[2]).values(text="note X"),
             update(TimelineEntry).where(TimelineEntry.id == ids[1]).values(seq=9),
             delete(TimelineEntry).where(TimelineEntry.id == ids[1]),
             delete(TimelineEntry).where(TimelineEntry.id == ids[-1]),
             update(TimelineEntry).where(TimelineEntry.id == ids[0]).values(audit_hash="0" * 64)]
    for edit in edits:
        with monaco_sf() as s:
            s.execute(edit)
            check = svc.verify_timeline(s, inc.id)
            s.rollback()
        assert not check.ok, edit
