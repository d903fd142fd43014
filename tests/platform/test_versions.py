"""Finding 8: optimistic concurrency. Every editable record carries a version (its ETag); a write names the
version it read (If-Match or a body `version`); a stale one gets 409 naming the current version and changes
nothing; parallel writers with one version: exactly one wins (threads against one database, both backends)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.db.versioning import VersionConflict
from bastion.kernel.db.versioning import parse_if_match
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.sites import service as site_svc
from bastion.sites.models import Site
from bastion.supervision import service as insp_svc
from bastion.supervision.models import RectificationTask
from bastion.supervision.models import TaskEvent
from bastion.units import service as unit_svc
from bastion.units.models import ResponseUnit
from tests.api_fixtures import AuthClient

API = "/api/v1"
N_WRITERS = 8
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _site_id(sf: sessionmaker[Session], name: str = "Stade Louis-II") -> int:
    with sf() as s:
        return int(s.scalar(select(Site.id).where(Site.name == name)))


def _race(n: int, write: Callable[[int], Any]) -> list[str]:
    """Run ``write(i)`` for i in 0..n-1 in n threads released together; each outcome is "ok", "conflict" or the
    exception's name."""
    barrier = threading.Barrier(n)

    def one(i: int) -> str:
        barrier.wait()
        try:
            write(i)
        except VersionConflict:
            return "conflict"
        except Conflict:
            return "conflict"
        return "ok"

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def test_if_match_parsing() -> None:
    assert [parse_if_match(h) for h in ('"7"', 'W/"7"', "7", " \"12\" ", "*", None, "")] == [7, 7, 7, 12, None, None,
                                                                                          None]
    for bad in ('"x"', '"1", "2"', "99999999999"):
        with pytest.raises(InvalidInput):
            parse_if_match(bad)


def test_stale_write_is_refused_and_changes_nothing(client: TestClient, monaco_sf: sessionmaker[Session]) -> None:
    sid = _site_id(monaco_sf)
    r = client.get(f"{API}/sites/{sid}")
    v = r.json()["version"]
    assert r.headers["etag"] == f'"{v}"'
    # two editors read version v; the first saves, the second's save (from the same old copy) is refused
    a = client.patch(f"{API}/sites/{sid}", json={"notes": "gate 3 closed"}, headers={"If-Match": f'"{v}"'})
    assert a.status_code == 200 and a.json()["version"] == v + 1 and a.headers["etag"] == f'"{v + 1}"'
    b = client.patch(f"{API}/sites/{sid}", json={"notes": "gate 3 open"}, headers={"If-Match": f'"{v}"'})
    assert b.status_code == 409 and b.json()["error"]["code"] == "version_conflict"
    assert f"the current version is {v + 1}" in b.json()["error"]["message"]
    assert b.headers["etag"] == f'"{v + 1}"'
    assert client.get(f"{API}/sites/{sid}").json()["notes"] == "gate 3 closed"  # not silently overwritten
    # the version in the body works the same; header and body must agree
    assert client.patch(f"{API}/sites/{sid}", json={"notes": "x", "version": v}).status_code == 409
    assert client.patch(f"{API}/sites/{sid}", json={"notes": "x", "version": v + 1},
                        headers={"If-Match": f'"{v}"'}).status_code == 422
    bad = client.patch(f"{API}/sites/{sid}", json={"notes": "x"}, headers={"If-Match": "yesterday"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "If-Match"
    ok = client.patch(f"{API}/sites/{sid}", json={"notes": "gate 3 open", "version": v + 1})
    assert ok.status_code == 200 and ok.json()["version"] == v + 2


def test_facts_measures_and_operator_move_the_site_version(client: TestClient, monaco_sf: sessionmaker[Session]
                                                           ) -> None:
    sid = _site_id(monaco_sf)
    f = client.get(f"{API}/sites/{sid}/facts")
    v = f.json()["version"]
    assert f.headers["etag"] == f'"{v}"'
    r = client.put(f"{API}/sites/{sid}/facts", json={"facts": {"entry_checks": True}}, headers={"If-Match": f'"{v}"'})
    assert r.status_code == 200 and r.json()["version"] == v + 1
    stale = client.put(f"{API}/sites/{sid}/facts", json={"facts": {"entry_checks": False}},
                       headers={"If-Match": f'"{v}"'})
    assert stale.status_code == 409
    assert client.get(f"{API}/sites/{sid}/facts").json()["facts"]["entry_checks"] is True
    m = client.post(f"{API}/sites/{sid}/measures", json={"kind": "cctv", "params": {"retention_days": 90},
                                                         "version": v + 1})
    assert m.status_code == 201 and m.headers["etag"] == f'"{v + 2}"'
    assert client.delete(f"{API}/sites/{sid}/measures/cctv", headers={"If-Match": f'"{v + 1}"'}).status_code == 409
    assert client.delete(f"{API}/sites/{sid}/measures/cctv", headers={"If-Match": f'"{v + 2}"'}).status_code == 204
    t = client.get(f"{API}/regions/1/threat-level")
    assert t.headers["etag"] == '"0"' and t.json()["version"] == 0  # never set
    assert client.put(f"{API}/regions/1/threat-level", json={"uk_threat_level": "SEVERE"},
                      headers={"If-Match": '"0"'}).json()["version"] == 1
    assert client.put(f"{API}/regions/1/threat-level", json={"uk_threat_level": "LOW"},
                      headers={"If-Match": '"0"'}).status_code == 409


def test_required_precondition_is_428(app: FastAPI, client: TestClient, monaco_sf: sessionmaker[Session]) -> None:
    app.state.settings = app.state.settings.model_copy(update={"require_if_match": True})
    sid = _site_id(monaco_sf)
    r = client.patch(f"{API}/sites/{sid}", json={"notes": "no precondition"})
    assert r.status_code == 428 and r.json()["error"]["code"] == "precondition_required"
    assert "If-Match" in r.json()["error"]["message"]
    star = client.patch(f"{API}/sites/{sid}", json={"notes": "any version"}, headers={"If-Match": "*"})
    assert star.status_code == 200


def test_parallel_http_writers_one_wins(app: FastAPI, client: TestClient, monaco_sf: sessionmaker[Session]) -> None:
    sid = _site_id(monaco_sf)
    v = client.get(f"{API}/sites/{sid}").json()["version"]
    token = client.headers["authorization"]
    clients = [TestClient(app, headers={"Authorization": token}) for _ in range(N_WRITERS)]
    statuses: list[int] = [0] * N_WRITERS
    barrier = threading.Barrier(N_WRITERS)

    def write(i: int) -> None:
        barrier.wait()
        statuses[i] = clients[i].patch(f"{API}/sites/{sid}", json={"notes": f"writer {i}"},
                                       headers={"If-Match": f'"{v}"'}).status_code

    threads = [threading.Thread(target=write, args=(i,)) for i in range(N_WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Counter(statuses) == {200: 1, 409: N_WRITERS - 1}
    winner = statuses.index(200)
    after = client.get(f"{API}/sites/{sid}").json()
    assert after["notes"] == f"writer {winner}" and after["version"] == v + 1


def test_parallel_service_writers_one_wins_per_record(monaco_sf: sessionmaker[Session]) -> None:
    """Sites and units, N writers each with the version they read: one wins, the rest conflict, the stored value
    is the winner's."""
    sid = _site_id(monaco_sf)
    with monaco_sf() as s:
        v = int(s.scalar(select(Site.version).where(Site.id == sid)))
    out = _race(N_WRITERS, lambda i: site_svc.edit_site(monaco_sf, sid, site_svc.SiteEdit(capacity_override=1000 + i),
                                                         expected_version=v))
    assert Counter(out) == {"ok": 1, "conflict": N_WRITERS - 1}
    with monaco_sf() as s:
        site = s.get(Site, sid)
        assert site is not None and site.version == v + 1 and site.capacity_override == 1000 + out.index("ok")
    unit = unit_svc.add_unit(monaco_sf, "Monaco", unit_svc.UnitSpec(unit_type="patrol_car", name="Team A", lon=7.4199,
                                                                     lat=43.7311, standard_s=300))
    out = _race(N_WRITERS, lambda i: unit_svc.edit_unit(monaco_sf, unit.id, unit_svc.UnitEdit(name=f"Team {i}"),
                                                         expected_version=unit.version))
    assert Counter(out) == {"ok": 1, "conflict": N_WRITERS - 1}
    with monaco_sf() as s:
        u = s.get(ResponseUnit, unit.id)
        assert u is not None and u.version == unit.version + 1 and u.name == f"Team {out.index('ok')}"


def _open_task(sf: sessionmaker[Session]) -> int:
    sid = _site_id(sf)
    insp = insp_svc.start_inspection(sf, sid, now=T0, inspector_agency="Sûreté Publique")
    with sf() as s:
        items = [i.item_id for i in insp_svc.inspection_items(s, insp.id)]
    insp_svc.answer(sf, insp.id, dict.fromkeys(items, "fail"), now=T0)
    rep = insp_svc.complete(sf, insp.id, now=T0, owner_agency="Stade Louis-II operator")
    return rep.tasks_created[0]


def test_duplicate_task_transitions_do_not_both_succeed(monaco_sf: sessionmaker[Session]) -> None:
    """Two (or eight) requests moving one task open -> in_progress, naming no version: one succeeds, the others get
    409, and the history holds one transition."""
    task_id = _open_task(monaco_sf)
    out = _race(N_WRITERS, lambda i: insp_svc.update_task(monaco_sf, task_id, now=T0, status="in_progress"))
    assert Counter(out) == {"ok": 1, "conflict": N_WRITERS - 1}
    with monaco_sf() as s:
        t = s.get(RectificationTask, task_id)
        assert t is not None and t.status == "in_progress" and t.version == 2
        moves = s.scalars(select(TaskEvent).where(TaskEvent.task_id == task_id, TaskEvent.event == "status")).all()
        assert [(e.from_status, e.to_status) for e in moves] == [("open", "in_progress")]


def test_task_and_user_routes_carry_versions(client: TestClient, auth_client: AuthClient,
                                             monaco_sf: sessionmaker[Session]) -> None:
    task_id = _open_task(monaco_sf)
    r = client.get(f"{API}/tasks/{task_id}")
    assert r.headers["etag"] == '"1"' and r.json()["version"] == 1
    assert client.patch(f"{API}/tasks/{task_id}", json={"status": "in_progress"},
                        headers={"If-Match": '"1"'}).headers["etag"] == '"2"'
    late = client.patch(f"{API}/tasks/{task_id}", json={"status": "fixed"}, headers={"If-Match": '"1"'})
    assert late.status_code == 409 and "current version is 2" in late.json()["error"]["message"]
    admin = auth_client("admin", None, login="root")
    uid = next(u["id"] for u in admin.get(f"{API}/users").json()["items"] if u["login"] == "lead")
    u = admin.get(f"{API}/users/{uid}")
    v = u.json()["version"]
    assert u.headers["etag"] == f'"{v}"'
    assert admin.patch(f"{API}/users/{uid}", json={"status": "active", "version": v}).status_code == 200
    assert admin.patch(f"{API}/users/{uid}", json={"status": "disabled", "version": v}).status_code == 409
    assert client.get(f"{API}/regions").status_code == 200  # the stale "disable" did not happen


def test_authorization_comes_before_the_version(auth_client: AuthClient, monaco_sf: sessionmaker[Session]) -> None:
    """A caller who may not write the record learns nothing from a stale If-Match: 403 or 404, never a 409
    naming the current version (the authorization matrix holds with preconditions)."""
    sid = _site_id(monaco_sf)
    viewer = auth_client("viewer", "Monaco")
    r = viewer.patch(f"{API}/sites/{sid}", json={"notes": "x"}, headers={"If-Match": '"999"'})
    assert r.status_code == 403 and "version" not in r.text
    r = viewer.put(f"{API}/sites/{sid}/facts", json={"facts": {"entry_checks": True}}, headers={"If-Match": '"999"'})
    assert r.status_code == 403 and "version" not in r.text
    with monaco_sf() as s:
        assert s.scalar(select(Site.version).where(Site.id == sid)) == 1
