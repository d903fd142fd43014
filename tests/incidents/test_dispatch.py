"""Dispatch on Monaco's real road graph: the recommendation's ETAs equal one Dijkstra per unit; dispatching
moves units through the state machine onto the timeline; a cordon closes the roads inside its inner ring (ETAs go
around, never shorter) and lists the sites inside each ring with the people expected there."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.dispatch import cordon as core
from bastion.algorithms.dispatch.recommend import per_unit_travel_times
from bastion.incidents import dispatch
from bastion.incidents import service as svc
from bastion.kernel.errors import Conflict
from bastion.regions.graphs import routing_for_region
from bastion.regions.repository import RegionRepo
from bastion.units import service as units
from tests.incidents.helpers import ACTOR
from tests.incidents.helpers import NOW
from tests.incidents.helpers import open_incident

POINTS = [(7.4167, 43.7314, "special_unit"), (7.4213, 43.7365, "patrol_car"), (7.4246, 43.7384, "patrol_car"),
          (7.4390, 43.7480, "fire_engine"), (7.4100, 43.7270, "patrol_car")]


@pytest.fixture
def with_units(monaco_sf: sessionmaker[Session]) -> list[int]:
    specs = [units.UnitSpec(unit_type=t, name=f"Unit {i}", lon=lon, lat=lat) for i, (lon, lat, t) in enumerate(POINTS)]
    return [u.id for u in units.add_units(monaco_sf, "Monaco", specs)]


def test_recommendation_equals_one_dijkstra_per_unit(monaco_sf: sessionmaker[Session], with_units: list[int]) -> None:
    inc = open_incident(monaco_sf)
    with monaco_sf() as s:
        rec = dispatch.recommend(s, inc.id, limit_s=900)
        routing = routing_for_region(s, RegionRepo(s).get_by_ref("Monaco"), dispatch.PROFILE)
        views = {v.unit.id: v for v in svc.unit_views(s, unit_ids=[r.unit_id for r in rec.ranked])}
    assert len(rec.ranked) >= len(with_units) and rec.target_nodes == 1
    ids = [r.unit_id for r in rec.ranked]
    nodes = dispatch._snap(routing, [views[i].position[0] for i in ids], [views[i].position[1] for i in ids])
    target = dispatch._snap(routing, [inc.lon], [inc.lat])
    brute = per_unit_travel_times(routing.graph.csr, target, nodes, limit_s=900)
    got = np.array([r.travel_s for r in rec.ranked])
    assert np.allclose(got, brute, rtol=0, atol=1e-9, equal_nan=False)
    # marauding firearms needs an armed unit: the special unit ranks first whatever its ETA
    assert rec.required == ("armed",)
    assert views[rec.ranked[0].unit_id].unit.unit_type == "special_unit"
    for r in rec.ranked:
        assert r.meets_s == tuple(x for x in (60, 180, 300) if r.eta_s <= x)


def test_dispatch_commits_units_and_logs_them(monaco_sf: sessionmaker[Session], with_units: list[int]) -> None:
    inc = open_incident(monaco_sf)
    dispatch.dispatch_units(monaco_sf, inc.id, with_units[:2], actor=ACTOR, now=NOW)
    with monaco_sf() as s:
        st = {v.unit.id: v.state.status for v in svc.unit_views(s, unit_ids=with_units)}
        assert [st[u] for u in with_units[:2]] == ["dispatched", "dispatched"]
        assert with_units[0] not in {r.unit_id for r in dispatch.recommend(s, inc.id).ranked}
        kinds = [e.kind for e in svc.timeline(s, inc.id)]
        assert kinds.count("unit_status") == 2
    with pytest.raises(Conflict, match="cannot go from dispatched to on_scene"):
        with monaco_sf() as s:
            v = svc.unit_view(s, with_units[0]).state.version
        svc.change_unit(monaco_sf, with_units[0], svc.UnitChange(status="on_scene"), expected_version=v, actor=ACTOR,
                        now=NOW)
    with pytest.raises(Conflict, match="changed by someone else"):
        svc.change_unit(monaco_sf, with_units[0], svc.UnitChange(status="en_route"), expected_version=1, actor=ACTOR,
                        now=NOW)


def test_cordon_closes_roads_and_lists_people(monaco_sf: sessionmaker[Session], with_units: list[int]) -> None:
    inc = open_incident(monaco_sf, incident_type="vehicle_borne_ied", device="sedan")
    with monaco_sf() as s:
        free = {r.unit_id: r.travel_s for r in dispatch.recommend(s, inc.id).ranked}
    c = dispatch.draw_cordon(monaco_sf, inc.id, actor=ACTOR, now=NOW)
    assert (c.inner_m, c.outer_m, c.device) == (98.0, 580.0, "sedan") and "NCTC" in c.source
    with monaco_sf() as s:
        rec = dispatch.recommend(s, inc.id)
        assert rec.target_nodes > 1 and rec.cordon_closed_nodes > 0
        # routed to the inner cordon line: the first entry into the closed area of any free route is an access
        # point reached on open roads, so the time to the line is never more than the free time to the incident
        for r in rec.ranked:
            assert r.travel_s <= free[r.unit_id] + 1e-9 or np.isinf(free[r.unit_id])
        view = dispatch.cordon_view(s, inc.id, at=dt.datetime(2026, 12, 5, 21, 0))
    inner = [x for x in view.sites if x.ring == "inner"]
    assert all(x.distance_m <= 98.0 for x in inner)
    assert all(98.0 < x.distance_m <= 580.0 for x in view.sites if x.ring == "outer")
    assert view.people_inner == pytest.approx(sum(x.people_expected for x in inner))
    assert view.people_outer > 0
    # redraw: saved in place, version up, both on the timeline
    c2 = dispatch.draw_cordon(monaco_sf, inc.id, actor=ACTOR, now=NOW, inner_m=150, outer_m=400)
    assert (c2.version, c2.inner_m, c2.outer_m) == (2, 150.0, 400.0)
    with monaco_sf() as s:
        assert [e.kind for e in svc.timeline(s, inc.id)].count("cordon") == 2


def test_closed_graph_keeps_no_edge_inside() -> None:
    from scipy.sparse import csr_array

    # a path 0-1-2-3 both ways; close node 1 and 2
    u = np.array([0, 1, 1, 2, 2, 3])
    v = np.array([1, 0, 2, 1, 3, 2])
    g = csr_array((np.ones(6), (u, v)), shape=(4, 4))
    closed = np.array([False, True, True, False])
    h = core.close_nodes(g, closed)
    assert h.nnz == 0
    assert list(core.access_points(g, closed)) == [0, 3]
    assert list(core.ring_of(np.array([10.0, 98.0, 99.0, 580.0, 581.0]), 98, 580)) == [0, 0, 1, 1, -1]


def test_nctc_chart_values() -> None:
    assert core.NCTC_STANDOFF["pipe_bomb"][1:] == (21, 366)
    assert core.NCTC_STANDOFF["semi_trailer"][1:] == (479, 2835)
    (inner, outer), src = core.rings_for("suspicious_item")
    assert (inner.radius_m, outer.radius_m) == (46, 564) and "default" in src


def test_moveups_after_commitment(monaco_sf: sessionmaker[Session], with_units: list[int]) -> None:
    inc = open_incident(monaco_sf)
    with monaco_sf() as s:
        before = dispatch.propose_moveups(s, "Monaco", max_moves=2, at=dt.datetime(2026, 12, 5, 21, 0))
    assert before.committed_units == 0 and before.lost_sites == ()
    dispatch.dispatch_units(monaco_sf, inc.id, with_units[1:3], actor=ACTOR, now=NOW)
    seen: list[float] = []
    with monaco_sf() as s:
        p = dispatch.propose_moveups(s, "Monaco", max_moves=2, at=dt.datetime(2026, 12, 5, 21, 0),
                                     progress=lambda f, m: seen.append(f))
    assert p.committed_units == 2 and len(p.moves) <= 2 and p.status == "optimal"
    assert p.committed_people <= p.before_people and p.after_people >= p.committed_people
    assert set(p.restored_sites) <= set(p.lost_sites)
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_replay_ends_in_the_stored_state(monaco_sf: sessionmaker[Session], with_units: list[int]) -> None:
    from bastion.incidents import replay

    inc = open_incident(monaco_sf, incident_type="suspicious_item")
    dispatch.dispatch_units(monaco_sf, inc.id, with_units[:2], actor=ACTOR, now=NOW)
    with monaco_sf() as s:
        v = svc.unit_view(s, with_units[0]).state.version
    svc.change_unit(monaco_sf, with_units[0], svc.UnitChange(status="en_route", lon=7.425, lat=43.739),
                    expected_version=v, actor=ACTOR, now=NOW)
    svc.update_incident(monaco_sf, inc.id, {"casualties": {"urgent": 4}, "severity": "extreme"}, expected_version=1,
                        actor=ACTOR, now=NOW)
    dispatch.draw_cordon(monaco_sf, inc.id, actor=ACTOR, now=NOW, inner_m=120, outer_m=700)
    with monaco_sf() as s:
        fr = replay.frames(svc.timeline(s, inc.id))
        cur = svc.get_incident(s, inc.id)
        views = {v.unit.id: v for v in svc.unit_views(s, unit_ids=with_units[:2])}
    assert [f.seq for f in fr] == list(range(1, len(fr) + 1))
    assert fr[0].casualties == {"immediate": 2, "urgent": 1, "delayed": 0, "expectant": 0, "dead": 0}
    last = fr[-1]
    assert (last.casualties, last.severity, last.major_incident) == (cur.casualties, cur.severity, cur.major_incident)
    assert {u: x["status"] for u, x in last.units.items()} == {u: v.state.status for u, v in views.items()}
    assert (last.units[with_units[0]]["lon"], last.units[with_units[0]]["lat"]) == views[with_units[0]].position
    assert last.cordon == {"inner_m": 120.0, "outer_m": 700.0, "active": True}
