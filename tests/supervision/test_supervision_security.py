"""Security findings 3 and 4 over the API: escalation stays in the caller's jurisdiction and runs on the server's
clock; a site's own operator (or any account of its agency) cannot inspect the site or verify its tasks, and
answers and completion are attributed to the accounts that gave them."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI
from sqlalchemy import insert
from sqlalchemy import select

from bastion.kernel.db.base import utcnow
from bastion.regions.models import Region
from bastion.sites.models import Site
from bastion.supervision.models import Inspection
from bastion.supervision.models import RectificationTask
from tests.api_fixtures import AuthClient
from tests.auth_helpers import agency_id

API = "/api/v1"


def _stade(app: FastAPI) -> Site:
    with app.state.session_factory() as s:
        return s.scalar(select(Site).where(Site.name == "Stade Louis-II"))


def _task(sf, site_id: int, inspection_id: int, *, days_late: int) -> int:  # type: ignore[no-untyped-def]
    with sf.begin() as s:
        t = RectificationTask(site_id=site_id, inspection_id=inspection_id, item_id="uk_ppa_2025:cctv",
                              measure="cctv", standard_id="uk_ppa_2025", text="CCTV", owner_agency="Operator",
                              deadline=utcnow() - dt.timedelta(days=days_late), status="open", overdue=False,
                              escalation_level=0, created_at=utcnow(), updated_at=utcnow())
        s.add(t)
        s.flush()
        return t.id


def test_escalation_is_scoped_to_the_jurisdiction_and_uses_the_server_clock(app: FastAPI,
                                                                             auth_client: AuthClient) -> None:
    """Finding 3: a Monaco coordinator escalated another region's tasks to level 3 with now=2099, and the answer
    listed that region's task and site ids. Now: only Monaco's tasks, as of now, and `now` is refused."""
    sf = app.state.session_factory
    stade = _stade(app)
    with sf.begin() as s:
        other = Region(name="Otherland", slug="otherland")
        s.add(other)
        s.flush()
        cols = ("category", "kind", "geom_type", "geometry_wkb", "lon", "lat", "min_lon", "min_lat", "max_lon",
                "max_lat", "capacity_method", "content_hash")
        s.execute(insert(Site), [{**{c: getattr(stade, c) for c in cols}, "region_id": other.id, "source": "user",
                                  "source_type": "t", "source_id": "b1", "name": "B1", "capacity_inputs": {},
                                  "tags": {}}])
        b_site = s.scalar(select(Site.id).where(Site.region_id == other.id))
        insp_a = Inspection(site_id=stade.id, status="completed", inspector_agency="x", standard_versions={})
        insp_b = Inspection(site_id=b_site, status="completed", inspector_agency="x", standard_versions={})
        s.add_all([insp_a, insp_b])
        s.flush()
        ia, ib = insp_a.id, insp_b.id
    mine, theirs = _task(sf, stade.id, ia, days_late=2), _task(sf, b_site, ib, days_late=2)
    monaco = auth_client("coordinator", "Monaco")
    r = monaco.post(f"{API}/tasks/escalate", json={"now": "2099-01-01T00:00:00Z"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "now"
    r = monaco.post(f"{API}/tasks/escalate", json={})
    assert r.status_code == 200, r.text
    escalated = [(e["task_id"], e["site_id"], e["to_level"]) for e in r.json()["items"]]
    assert escalated == [(mine, stade.id, 1)]  # 2 days: 1
    with sf() as s:
        assert s.get(RectificationTask, theirs).escalation_level == 0
        assert s.get(RectificationTask, mine).escalation_level == 1
    everywhere = auth_client("coordinator", None)
    assert {e["task_id"] for e in everywhere.post(f"{API}/tasks/escalate", json={}).json()["items"]} == {theirs}


def test_the_sites_own_operator_cannot_inspect_it_or_verify_its_tasks(app: FastAPI, auth_client: AuthClient) -> None:
    """Finding 4: the operator started, answered and completed inspections of its own site (even one the
    coordinator opened), verifying its tasks while the record named the coordinator."""
    sf = app.state.session_factory
    sid = _stade(app).id
    lead = auth_client("coordinator", "Monaco", login="lead-inspector")
    op_agency = agency_id(sf, "Stadium operator", "venue_operator")
    assert lead.put(f"{API}/sites/{sid}/operator", json={"agency_id": op_agency}).status_code == 200
    own = dict(agency="Stadium operator", agency_kind="venue_operator")
    operator = auth_client("site_operator", "Monaco", **own)
    member = auth_client("agency_member", "Monaco", **own)
    own_coordinator = auth_client("coordinator", "Monaco", **own)  # even a coordinator account of that agency

    for c in (operator, member, own_coordinator):
        r = c.post(f"{API}/sites/{sid}/inspections", json={"inspector_agency": "Self"})
        assert r.status_code == 403 and "separation of duties" in r.json()["error"]["message"], r.text
    insp = lead.post(f"{API}/sites/{sid}/inspections", json={"inspector_agency": "Sûreté Publique"}).json()
    fail_all = {i["item_id"]: "fail" for i in insp["items"]}
    assert lead.put(f"{API}/inspections/{insp['id']}/answers", json={"answers": fail_all}).status_code == 200
    done = lead.post(f"{API}/inspections/{insp['id']}/complete", json={"owner_agency": "Stadium operator"}).json()
    task = done["tasks_created"][0]
    # the operator fixes (task:write) but cannot verify: not by PATCH, and not through an inspection
    assert operator.patch(f"{API}/tasks/{task}", json={"status": "fixed"}).status_code == 200
    assert operator.patch(f"{API}/tasks/{task}", json={"status": "verified"}).status_code == 409
    re = lead.post(f"{API}/sites/{sid}/inspections", json={"inspector_agency": "Sûreté Publique"}).json()
    pass_all = {i["item_id"]: "pass" for i in re["items"]}
    for c in (operator, member, own_coordinator):
        assert c.put(f"{API}/inspections/{re['id']}/answers", json={"answers": pass_all}).status_code == 403
        assert c.post(f"{API}/inspections/{re['id']}/complete",
                      json={"owner_agency": "Stadium operator"}).status_code == 403
    assert lead.get(f"{API}/tasks/{task}").json()["status"] == "fixed"  # nothing verified by the operator
    # an independent inspector answers and completes: attributed to that account
    from bastion.access.models import User

    with sf() as s:
        me = s.scalar(select(User.id).where(User.login == "lead-inspector"))
    assert lead.put(f"{API}/inspections/{re['id']}/answers", json={"answers": pass_all}).status_code == 200
    done2 = lead.post(f"{API}/inspections/{re['id']}/complete", json={"owner_agency": "Stadium operator"}).json()
    assert task in done2["tasks_verified"]
    assert done2["inspection"]["completed_by_account_id"] == me
    assert {i["answered_by_account_id"] for i in done2["inspection"]["items"]} == {me}


def test_foreign_404s_do_not_name_the_site_and_assigned_agencies_get_access(app: FastAPI,
                                                                            auth_client: AuthClient) -> None:
    """Finding 18: a 404 for a foreign task or inspection named the site it belongs to. Finding 19: assigning a
    task to an agency never gave that agency access (owner_agency_id was never set over the API)."""
    sf = app.state.session_factory
    sid = _stade(app).id
    agency_id(sf, "Police", "police")
    lead = auth_client("coordinator", "Monaco", login="lead-19")
    insp = lead.post(f"{API}/sites/{sid}/inspections", json={"inspector_agency": "Sûreté Publique"}).json()
    fail_all = {i["item_id"]: "fail" for i in insp["items"]}
    assert lead.put(f"{API}/inspections/{insp['id']}/answers", json={"answers": fail_all}).status_code == 200
    done = lead.post(f"{API}/inspections/{insp['id']}/complete", json={"owner_agency": "Police"}).json()
    task = done["tasks_created"][0]
    assert lead.get(f"{API}/tasks/{task}").json()["owner_agency_id"] is not None

    with sf.begin() as s:
        s.add(Region(name="Elsewhere", slug="elsewhere"))
    foreign = auth_client("coordinator", "Elsewhere")
    for url, name in ((f"{API}/tasks/{task}", f"task {task}"), (f"{API}/inspections/{insp['id']}",
                                                                   f"inspection {insp['id']}")):
        r = foreign.get(url)
        assert r.status_code == 404 and name in r.json()["error"]["message"]
        assert f"site {sid}" not in r.text

    police = auth_client("agency_member", "Monaco", agency="Police", agency_kind="police")
    assert police.get(f"{API}/tasks/{task}").status_code == 200
    assert police.patch(f"{API}/tasks/{task}", json={"status": "in_progress"}).status_code == 200
    other = auth_client("agency_member", "Monaco", agency="Fire", agency_kind="fire")
    assert other.get(f"{API}/tasks/{task}").status_code == 403  # sees the site, not the task
