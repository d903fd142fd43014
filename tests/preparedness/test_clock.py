"""The exercise clock under a controlled clock: each inject fires once, in order, at its scheduled exercise time;
pause stops releases, resume continues from where it stood, a speed-up (tabletops only) compresses wall time;
the ticker releases what is due; released_at is recorded on the timeline; everything stays EXERCISE."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.preparedness import clock as algo
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.preparedness import clock
from bastion.preparedness import exercises as ex
from bastion.preparedness.models import Exercise
from tests.preparedness.test_exercises import START
from tests.preparedness.test_exercises import T0
from tests.preparedness.test_exercises import _ids

W = dt.datetime(2027, 3, 9, 10, 0, tzinfo=dt.UTC)  # wall time of the start
API = "/api/v1"


def _at(s: float) -> dt.datetime:
    return W + dt.timedelta(seconds=s)


def test_exercise_time_by_hand() -> None:
    c = algo.start(W, speed=1.0)
    assert algo.exercise_seconds(c, _at(90)) == 90
    p = algo.pause(c, _at(100))
    assert algo.exercise_seconds(p, _at(5000)) == 100  # stands still while paused
    r = algo.resume(p, _at(5000))
    assert algo.exercise_seconds(r, _at(5030)) == 130
    f = algo.set_speed(r, _at(5030), 10.0)  # re-anchored: no jump
    assert algo.exercise_seconds(f, _at(5030)) == 130 and algo.exercise_seconds(f, _at(5060)) == 430
    with pytest.raises(Conflict):
        algo.resume(f, _at(5061))
    with pytest.raises(Conflict):
        algo.pause(p, _at(5001))
    assert algo.check_speed(10, "tabletop") == 10.0
    with pytest.raises(InvalidInput) as e:
        algo.check_speed(10, "drill")  # real people move in real time
    assert e.value.field == "speed"
    msel = [{"no": 1, "offset_s": 0}, {"no": 3, "offset_s": 400}, {"no": 2, "offset_s": 60},
            {"no": 4, "offset_s": 60, "released_at": "x"}]
    assert algo.due(msel, 60) == [0, 2] and algo.due(msel, 1000) == [0, 2, 1]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["tick", "pause", "resume"]), st.floats(0.1, 400)), max_size=25),
       st.lists(st.integers(0, 3000), min_size=1, max_size=12))
def test_each_inject_fires_once_in_order_and_never_while_paused(steps: list[tuple[str, float]],
                                                                offsets: list[int]) -> None:
    msel = [{"no": n, "offset_s": o} for n, o in enumerate(sorted(offsets), 1)]
    c, now, order = algo.start(W), W, []

    def release(at: dt.datetime) -> list[int]:
        idx = algo.due(msel, algo.exercise_seconds(c, at))
        for i in idx:
            assert "released_at" not in msel[i]
            msel[i]["released_at"] = at.isoformat()
            order.append(msel[i]["no"])
        return idx

    release(now)  # as the service: every action releases what is due, then each tick does
    for action, wait in steps:
        now += dt.timedelta(seconds=wait)
        if action == "pause" and c.state == "running":
            c = algo.pause(c, now)
            release(now)
        elif action == "resume" and c.state == "paused":
            c = algo.resume(c, now)
            release(now)
        elif action == "tick":
            got = release(now)
            assert not (got and c.state == "paused")  # nothing is released while paused
    release(now)  # a last tick
    assert order == sorted(order) and len(order) == len(set(order))  # once each, in order
    t_end = algo.exercise_seconds(c, now)
    assert {i["no"] for i in msel if i.get("released_at")} == {i["no"] for i in msel if i["offset_s"] <= t_end}


def _tabletop(sf: sessionmaker[Session]) -> Exercise:
    rid, sid = _ids(sf)
    e = ex.create_exercise(sf, rid, name="Stadium tabletop", type="tabletop", start=START,
                           end=START + dt.timedelta(hours=2), site_ids=[sid], threat="marauding_attack", now=T0)
    return ex.generate_msel(sf, e.id)


def test_clock_releases_injects_on_schedule(monaco_sf: sessionmaker[Session]) -> None:
    e = _tabletop(monaco_sf)
    offsets = [i["offset_s"] for i in e.msel]
    assert offsets[:2] == [0, 60] and len(offsets) >= 4  # the attack at T+0, the call at T+60 s
    e1, got = clock.act(monaco_sf, e.id, "start", now=W)
    assert got == [1]  # T+0 fires at the start
    with pytest.raises(Conflict):
        clock.act(monaco_sf, e.id, "start", now=_at(1))
    assert clock.release_due(monaco_sf, now=_at(59)) == {}
    assert clock.release_due(monaco_sf, now=_at(60)) == {e.id: [2]}
    assert clock.release_due(monaco_sf, now=_at(60)) == {}  # once
    clock.act(monaco_sf, e.id, "pause", now=_at(61))
    assert clock.release_due(monaco_sf, now=_at(100_000)) == {}  # paused: nothing, however long
    _, got = clock.act(monaco_sf, e.id, "resume", now=_at(100_000))
    assert got == []
    # resumed at exercise time 61 s; speed 10 from wall +100,010 (exercise 71 s): injects due by exercise time
    clock.act(monaco_sf, e.id, "speed", now=_at(100_010), speed=10)
    third = offsets[2]
    wall = 100_010 + (third - 71) / 10
    assert clock.release_due(monaco_sf, now=_at(wall - 0.2)) == {}
    assert clock.release_due(monaco_sf, now=_at(wall))[e.id][0] == 3
    everything = clock.release_due(monaco_sf, now=_at(wall + max(offsets)))
    assert everything[e.id] == list(range(4, len(offsets) + 1))
    with monaco_sf() as s:
        row = s.get(Exercise, e.id)
        assert row is not None
        v = clock.view(row, now=_at(wall + max(offsets)))
        released = [dt.datetime.fromisoformat(i["released_at"]) for i in row.msel]
    assert [r["no"] for r in v["released"]] == list(range(1, len(offsets) + 1)) and v["next"] is None
    assert released == sorted(released) and released[0] == W and released[1] == _at(60)
    assert [x["event"] for x in v["events"]] == ["start", "pause", "resume", "speed"]
    assert v["mode"] == "EXERCISE" and row.mode == "EXERCISE"


def test_a_drill_runs_in_real_time_and_the_ticker_releases(monaco_sf: sessionmaker[Session]) -> None:
    rid, sid = _ids(monaco_sf)
    d = ex.create_exercise(monaco_sf, rid, name="Real-time drill", type="drill", start=START,
                           end=START + dt.timedelta(hours=2), site_ids=[sid], threat="ied", now=T0)
    with pytest.raises(Conflict, match="no injects"):
        clock.act(monaco_sf, d.id, "start", now=W)
    ex.generate_msel(monaco_sf, d.id)
    with pytest.raises(InvalidInput) as err:
        clock.act(monaco_sf, d.id, "start", now=W, speed=5)
    assert err.value.field == "speed"
    clock.act(monaco_sf, d.id, "start", now=W)
    now = [_at(30)]
    ticker = clock.ExerciseTicker(monaco_sf, clock=lambda: now[0])
    assert ticker.tick_once() == {}
    now[0] = _at(61)
    assert ticker.tick_once() == {d.id: [2]}
    assert ticker.tick_once() == {}


def test_clock_over_rest(client: TestClient, monaco_sf: sessionmaker[Session]) -> None:
    e = _tabletop(monaco_sf)
    assert client.get(f"{API}/exercises/{e.id}/clock").json()["state"] == "stopped"
    bad = client.post(f"{API}/exercises/{e.id}/clock", json={"action": "start", "speed": 500})
    assert bad.status_code == 422
    r = client.post(f"{API}/exercises/{e.id}/clock", json={"action": "start", "speed": 30})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["state"], body["speed"], [x["no"] for x in body["released"]]) == ("running", 30.0, [1])
    assert client.post(f"{API}/exercises/{e.id}/clock", json={"action": "resume"}).status_code == 409
    p = client.post(f"{API}/exercises/{e.id}/clock", json={"action": "pause"}).json()
    assert p["state"] == "paused" and p["exercise_s"] >= 0
