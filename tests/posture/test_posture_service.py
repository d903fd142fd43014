"""Posture on the real Monaco sites: two different people propose and approve; the preview is exactly what
approval stores, per agency; de-escalation and expiry close the temporary tasks, expiry within 60 s of its time
through the periodic check (controlled clock); the risk setting follows."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import PermissionDenied
from bastion.posture import service as ps
from bastion.posture.models import PostureTask
from bastion.posture.ticker import Ticker
from bastion.risk import service as risk_svc

T0 = dt.datetime(2026, 3, 28, 23, 0, tzinfo=dt.UTC)  # the night the UK clocks go forward


def open_pairs(sf: sessionmaker[Session]) -> set[tuple[int, str]]:
    with sf() as s:
        return {(t.site_id, t.rule_id) for t in s.scalars(select(PostureTask).where(PostureTask.status == "open"))}


def test_two_people_preview_equals_applied_and_stand_down(office_sf: sessionmaker[Session]) -> None:
    ps.sync(office_sf, 1, now=T0)
    base = open_pairs(office_sf)
    d = ps.propose(office_sf, 1, scheme="uk", level="SEVERE", reason="national level raised", now=T0,
                   by=ps.Signer("user:a", 11))
    with office_sf() as s:
        pv = ps.preview_declaration(s, d.id)
    with pytest.raises(PermissionDenied):
        ps.approve(office_sf, d.id, now=T0, by=ps.Signer("user:a", 11))
    rep = ps.approve(office_sf, d.id, now=T0, by=ps.Signer("user:b", 12))
    after = open_pairs(office_sf)
    assert after - base == set(pv.added) and rep.created == len(pv.added) > 0 and not pv.removed
    per_agency = {a.agency: a.tasks_added + a.measures_added + a.hvm_added for a in pv.agencies}
    assert sum(per_agency.values()) == len(pv.added) and "Venue operators" in per_agency
    assert pv.patrol is not None and pv.patrol.defender_eu_after >= pv.patrol.defender_eu_before
    with office_sf() as s:
        assert risk_svc.threat_setting(s, 1).uk_threat_level == "SEVERE"  # risk scoring follows the posture
        task = s.scalar(select(PostureTask).where(PostureTask.rule_id == "uk_brief_staff_24h").limit(1))
        assert task is not None and task.due_at == T0 + dt.timedelta(hours=24)
    with pytest.raises(Conflict):
        ps.approve(office_sf, d.id, now=T0, by=ps.Signer("user:c", 13))
    ps.end(office_sf, d.id, now=T0 + dt.timedelta(days=3))
    assert open_pairs(office_sf) == base  # stand-down closes exactly the posture's tasks
    with office_sf() as s:
        closed = s.scalars(select(PostureTask).where(PostureTask.status == "closed")).all()
    assert {t.closed_reason for t in closed} == {"de-escalation"} and len(closed) == rep.created


def test_ntas_requires_a_sunset_and_expires_within_60s(office_sf: sessionmaker[Session]) -> None:
    with pytest.raises(InvalidInput) as e:
        ps.propose(office_sf, 1, scheme="ntas", level="elevated", reason="alert", now=T0, by=ps.Signer("a", 1))
    assert e.value.field == "expires_at"
    expiry = T0 + dt.timedelta(hours=3, seconds=7)  # 03:00:07 BST, after the DST change
    d = ps.propose(office_sf, 1, scheme="ntas", level="imminent", reason="alert", now=T0, by=ps.Signer("a", 1),
                   expires_at=expiry)
    ps.approve(office_sf, d.id, now=T0, by=ps.Signer("b", 2))
    assert any(r == "ntas_review_plans_48h" for _s, r in open_pairs(office_sf))
    # a controlled clock that moves 20 s per tick, read by the real ticker thread
    state = {"t": expiry - dt.timedelta(seconds=95)}

    def clock() -> dt.datetime:
        state["t"] += dt.timedelta(seconds=20)
        return state["t"]

    ticker = Ticker(office_sf, interval_s=0.01, clock=clock)
    ticker.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(ids for _t, ids in ticker.ticks):
            time.sleep(0.02)
    finally:
        ticker.stop()
    fired = [t for t, ids in ticker.ticks if d.id in ids]
    assert len(fired) == 1 and expiry <= fired[0] < expiry + dt.timedelta(seconds=60)
    assert all(t < expiry for t, ids in ticker.ticks if not ids and t < fired[0])
    assert not any(r.startswith("ntas_") for _s, r in open_pairs(office_sf))
    with office_sf() as s:
        assert ps.get(s, d.id).status == "expired" and ps.current_levels(s, 1)["ntas"] == "none"
    with pytest.raises(ValueError):
        Ticker(office_sf, interval_s=90)


def test_critical_orders_temporary_barriers_exactly_where_the_rating_is_below_impact_speed(
        office_sf: sessionmaker[Session]) -> None:
    from bastion.sites.models import Site
    from bastion.vehicle import service as vehicle_svc

    with office_sf() as s:
        ids = [int(x) for x in s.scalars(select(Site.id).where(Site.category.in_(("venue", "transport")))
                                         .order_by(Site.id).limit(6))]
    vehicle_svc.assess(office_sf, "Monaco", vehicle_svc.AssessParams(vehicles=("car",)), site_ids=ids)
    with office_sf() as s:
        gaps = risk_svc.vehicle_gap_sites(s, ids)  # the risk domain's own reading of the stored assessments
        assert ps.gap_sites(s, 1) == gaps and gaps  # Monaco's sites have no certified barrier on record
    d = ps.propose(office_sf, 1, scheme="uk", level="CRITICAL", reason="attack expected", now=T0,
                   by=ps.Signer("a", 1))
    ps.approve(office_sf, d.id, now=T0, by=ps.Signer("b", 2))
    with office_sf() as s:
        hvm = s.scalars(select(PostureTask).where(PostureTask.rule_id == "uk_hvm_temporary")).all()
    assert {t.site_id for t in hvm} == gaps
    assert all(t.due_at == T0 + dt.timedelta(hours=12) and t.status == "open" for t in hvm)


def test_chinese_levels_retier_sites_and_stored_tasks_match_from_scratch(office_sf: sessionmaker[Session]) -> None:
    ps.sync(office_sf, 1, now=T0)
    base = open_pairs(office_sf)
    ids = []
    for level in ("level_3", "level_1", "level_2"):  # up, up, then down one step
        d = ps.propose(office_sf, 1, scheme="cn", level=level, reason="重要时期", now=T0, by=ps.Signer("a", 1))
        with office_sf() as s:
            pv = ps.preview_declaration(s, d.id)
        before = open_pairs(office_sf)
        ps.approve(office_sf, d.id, now=T0, by=ps.Signer("b", 2))
        after = open_pairs(office_sf)
        assert after - before == set(pv.added) and before - after == set(pv.removed)  # preview is exact
        with office_sf() as s:
            levels = ps.current_levels(s, 1)
            assert levels["cn"] == level and risk_svc.threat_setting(s, 1).cn_heightened_level == level
            assert after == ps.required_pairs(s, 1, levels)  # equal to a from-scratch recomputation
        ids.append(d.id)
    assert any(r == "cn_l1_24h_watch" for _s, r in before) and not any(r == "cn_l1_24h_watch" for _s, r in after)
    ps.end(office_sf, ids[-1], now=T0 + dt.timedelta(days=1))  # back to the level before it (level_1)
    with office_sf() as s:
        assert ps.current_levels(s, 1)["cn"] == "level_1"
        assert open_pairs(office_sf) == ps.required_pairs(s, 1, ps.current_levels(s, 1)) != base


def test_reject_is_a_second_persons_decision_and_applies_nothing(office_sf: sessionmaker[Session]) -> None:
    before = open_pairs(office_sf)
    d = ps.propose(office_sf, 1, scheme="cn", level="level_1", reason="重要时期", now=T0, by=ps.Signer("user:a", 11))
    with pytest.raises(PermissionDenied):
        ps.reject(office_sf, d.id, now=T0, by=ps.Signer("user:a", 11))
    r = ps.reject(office_sf, d.id, now=T0, by=ps.Signer("user:b", 12))
    assert r.status == "rejected" and r.approved_actor == "user:b"
    with pytest.raises(Conflict):
        ps.approve(office_sf, d.id, now=T0, by=ps.Signer("user:b", 12))
    assert open_pairs(office_sf) == before
    with office_sf() as s:
        assert ps.current_levels(s, 1)["cn"] == "normal"
