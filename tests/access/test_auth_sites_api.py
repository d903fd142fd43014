"""Auth flows that touch sites (Monaco imported): CSRF on a site edit, the admin API and audit records, the body
size limit, the resource guard with sensitive-read auditing (SQLite + PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import audit
from bastion.access.http import GuardDep
from bastion.access.http import require
from bastion.access.http import site_resource
from bastion.access.models import Agency
from bastion.access.models import AuditLog
from bastion.access.policy import Permission
from bastion.kernel.http import IdPath
from bastion.kernel.http import SessionDep
from bastion.kernel.settings import Settings
from bastion.platform.app import create_app
from bastion.sites.models import Site
from bastion.sites.repository import SiteRepo
from tests.api_fixtures import AuthClient
from tests.auth_helpers import PASSWORD
from tests.auth_helpers import TEST_SECRET
from tests.auth_helpers import make_user


def _louis(c: TestClient) -> int:
    return int(c.get("/api/v1/sites", params={"q": "Louis-II"}).json()["items"][0]["id"])


def _actions(sf: sessionmaker[Session]) -> list[tuple[str, str, str]]:
    with sf() as s:
        return [(r.actor, r.action, r.outcome) for r in s.scalars(select(AuditLog).order_by(AuditLog.seq))]


def test_cookie_session_with_csrf(anon_client: TestClient, monaco_sf: sessionmaker[Session]) -> None:
    make_user(monaco_sf, "duty", role="coordinator")
    c = anon_client
    r = c.post("/api/v1/auth/login", json={"login": "duty", "password": PASSWORD})
    assert r.status_code == 200, r.text
    cookies = r.headers.get_list("set-cookie")
    session = next(x for x in cookies if x.startswith("bastion_session="))
    assert "HttpOnly" in session and "SameSite=lax" in session and "Path=/" in session
    csrf = r.json()["csrf_token"]
    assert any(x.startswith(f"bastion_csrf={csrf}") and "HttpOnly" not in x for x in cookies)
    assert r.json()["me"]["user"]["login"] == "duty" and "site:edit" in r.json()["me"]["permissions"]
    sid = _louis(c)  # reads need no CSRF header
    bad = c.patch(f"/api/v1/sites/{sid}", json={"notes": "x"})
    assert bad.status_code == 403 and "X-CSRF-Token" in bad.json()["error"]["message"]
    bad = c.patch(f"/api/v1/sites/{sid}", json={"notes": "x"}, headers={"X-CSRF-Token": "csrf_wrong"})
    assert bad.status_code == 403
    assert c.get(f"/api/v1/sites/{sid}").json()["notes"] is None  # nothing written
    ok = c.patch(f"/api/v1/sites/{sid}", json={"notes": "x"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200 and ok.json()["notes"] == "x"
    assert c.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert c.get("/api/v1/sites").status_code == 401
    acts = _actions(monaco_sf)
    assert ("user:duty", "auth.login", "ok") in acts
    assert ("user:duty", "PATCH /api/v1/sites/{site_id}", "denied") in acts
    assert ("user:duty", "PATCH /api/v1/sites/{site_id}", "ok") in acts
    assert ("user:duty", "auth.logout", "ok") in acts


def test_admin_api_and_audit(auth_client: AuthClient, monaco_sf: sessionmaker[Session]) -> None:
    admin = auth_client("admin", None, login="root")
    ag = admin.post("/api/v1/agencies", json={"name": "Fire brigade", "kind": "fire"})
    assert ag.status_code == 201
    assert admin.post("/api/v1/agencies", json={"name": "Fire brigade", "kind": "fire"}).status_code == 409
    assert admin.post("/api/v1/agencies", json={"name": "X", "kind": "army"}).status_code == 422
    u = admin.post("/api/v1/users", json={"login": "fire-1", "display_name": "Duty desk",
                                          "agency_id": ag.json()["id"], "password": PASSWORD})
    assert u.status_code == 201, u.text
    uid = u.json()["id"]
    rid = admin.get("/api/v1/regions").json()["items"][0]["id"]
    g = admin.post(f"/api/v1/users/{uid}/grants", json={"role": "agency_member", "region_id": rid})
    assert g.status_code == 201 and g.json()["grants"][0]["region_name"] == "Monaco"
    bad = admin.post(f"/api/v1/users/{uid}/grants", json={"role": "admin", "region_id": rid})
    assert bad.status_code == 422 and "system-wide" in bad.json()["error"]["message"]
    assert admin.get("/api/v1/sites").status_code == 403  # admin alone sees no site data
    gid = g.json()["grants"][0]["id"]
    assert admin.delete(f"/api/v1/users/{uid}/grants/{gid}").json()["grants"] == []
    v = admin.get("/api/v1/audit/verify").json()
    assert v["ok"] and v["checked"] > 5
    items = admin.get("/api/v1/audit", params={"limit": 1000}).json()["items"]
    acts = {(i["actor"], i["action"], i["outcome"]) for i in items}
    assert ("user:root", "GET /api/v1/sites", "denied") in acts
    assert ("user:root", "user.grant", "ok") in acts and ("user:root", "agency.create", "ok") in acts
    # every record of the admin's requests names where it came from (the fixture's token was made in-process)
    assert all(i["client"] == "testclient" for i in items if i["actor"] == "user:root"
               and i["action"] != "auth.token.create")
    csv_text = admin.get("/api/v1/audit/export", params={"format": "csv"}).text
    assert csv_text.splitlines()[0].startswith("seq,at,actor,action")
    app_sf = sessionmaker(monaco_sf.kw["bind"], info={"audit_key": Settings(secret_key=TEST_SECRET).audit_secret()})
    with app_sf() as s:  # the chain the app wrote verifies under the app's key, outside the app too
        assert audit.verify(s).ok


def test_body_size_limit(monaco_sf: sessionmaker[Session], db_url: str, tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, database_url=db_url, secret_key=TEST_SECRET,
                              max_body_bytes=4096))
    token = make_user(monaco_sf, "big", role="coordinator")
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
        sid = _louis(c)
        r = c.patch(f"/api/v1/sites/{sid}", json={"notes": "x" * 5000})
        assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"

        def chunks():  # no Content-Length: the limit applies while streaming
            for _ in range(10):
                yield b"x" * 1000

        r = c.patch(f"/api/v1/sites/{sid}", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        assert c.get(f"/api/v1/sites/{sid}").json()["notes"] is None
    app.state.engine.dispose()


def test_guard_checks_resources_and_audits_sensitive_reads(app: FastAPI, auth_client: AuthClient,
                                                           monaco_sf: sessionmaker[Session]) -> None:
    """The pattern for sensitive routes (docs/security.md): require + Guard.check + Guard.sensitive_read."""

    @app.get("/api/v1/sites/{site_id}/findings-example", dependencies=[require(Permission.SITE_SENSITIVE_READ)])
    def findings(site_id: IdPath, session: SessionDep, guard: GuardDep) -> dict[str, int]:
        site = SiteRepo(session).get(site_id)
        guard.check(Permission.SITE_SENSITIVE_READ, site_resource(site), object_id=site_id)
        guard.sensitive_read("site", site_id, "findings")
        return {"site": site_id}

    analyst = auth_client("analyst", "Monaco", login="an1")
    viewer = auth_client("viewer", "Monaco", login="vi1")
    operator = auth_client("site_operator", "Monaco", login="op1", agency="Stadium", agency_kind="venue_operator")
    other_op = auth_client("site_operator", "Monaco", login="op2", agency="Casino", agency_kind="venue_operator")
    with monaco_sf.begin() as s:
        site = s.scalar(select(Site).where(Site.name == "Stade Louis-II"))
        site.operator_agency_id = s.scalar(select(Agency.id).where(Agency.name == "Stadium"))
        sid = site.id
    url = f"/api/v1/sites/{sid}/findings-example"
    assert analyst.get(url).status_code == 200
    assert operator.get(url).status_code == 200  # its own site
    assert viewer.get(url).status_code == 403  # sees the site, not its findings
    assert other_op.get(url).status_code == 404  # another operator's site: hidden
    acts = _actions(monaco_sf)
    assert ("user:an1", "read.findings", "ok") in acts and ("user:op1", "read.findings", "ok") in acts
    assert ("user:vi1", "GET /api/v1/sites/{site_id}/findings-example", "denied") in acts
    assert ("user:op2", "GET /api/v1/sites/{site_id}/findings-example", "denied") in acts


def test_operator_assignment_gives_site_operators_their_site(auth_client: AuthClient,
                                                             monaco_sf: sessionmaker[Session]) -> None:
    lead = auth_client("coordinator", "Monaco", login="lead1")
    op = auth_client("site_operator", "Monaco", login="stadium-sec", agency="Stadium", agency_kind="venue_operator")
    member = auth_client("agency_member", "Monaco", login="pol1", agency="Police", agency_kind="police")
    sid = _louis(lead)
    assert op.get("/api/v1/sites").json()["total"] == 0  # operates nothing yet
    assert op.get(f"/api/v1/sites/{sid}").status_code == 404
    with monaco_sf() as s:
        stadium = s.scalar(select(Agency.id).where(Agency.name == "Stadium"))
        police = s.scalar(select(Agency.id).where(Agency.name == "Police"))
    r = lead.put(f"/api/v1/sites/{sid}/operator", json={"agency_id": stadium})
    assert r.status_code == 200 and r.json()["operator_agency_id"] == stadium
    items = op.get("/api/v1/sites").json()["items"]
    assert [i["id"] for i in items] == [sid]
    assert op.patch(f"/api/v1/sites/{sid}", json={"notes": "gate C closed"}).status_code == 200
    # neither the operator nor another agency may hand the site over
    assert op.put(f"/api/v1/sites/{sid}/operator", json={"agency_id": None}).status_code == 403
    assert member.put(f"/api/v1/sites/{sid}/operator", json={"agency_id": police}).status_code == 403
    assert lead.put(f"/api/v1/sites/{sid}/operator", json={"agency_id": 999999}).status_code == 404
    assert ("user:lead1", "site.set_operator", "ok") in _actions(monaco_sf)
