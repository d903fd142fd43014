"""The authorization matrix, generated from the app's route table.

Every route × every role (plus a user without grants, plus anonymous) × own/other jurisdiction × own/other
agency: the answer must be exactly what the pure policy (`bastion.access.policy.decide`) says — allowed
(2xx/3xx), 403, 404 (resource hidden) or 401 (anonymous). A route that declares no permission fails the suite.

Adding a route? If it has a new path parameter, add a resolver to PARAMS (value + the Resource it designates);
if it needs a body or query to succeed, add a Case to CASES. The failure message says so.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import authn
from bastion.access import service as accounts
from bastion.access.credentials import hash_password
from bastion.access.http import api_routes
from bastion.access.http import route_requirement
from bastion.access.models import RoleGrant
from bastion.access.models import User
from bastion.access.policy import Grant
from bastion.access.policy import Permission
from bastion.access.policy import Principal
from bastion.access.policy import Resource
from bastion.access.policy import Role
from bastion.access.policy import decide
from bastion.access.policy import independent
from bastion.access.policy import scope
from bastion.kernel.db.base import utcnow
from bastion.kernel.db.engine import make_engine
from bastion.kernel.db.engine import make_session_factory
from bastion.kernel.settings import Settings
from bastion.platform import migrate
from bastion.platform.app import create_app
from bastion.regions.models import Region
from bastion.sites.models import Site
from bastion.units.models import ResponseUnit
from tests.auth_helpers import ACTOR
from tests.auth_helpers import PASSWORD
from tests.auth_helpers import TEST_SECRET
from tests.auth_helpers import agency_id
from tests.conftest import GoldenDatabases

pytestmark = pytest.mark.xdist_group("authz_matrix")  # one `world` per run under pytest-xdist
ROLES: list[str | None] = [r.value for r in Role] + [None]  # None: signed in, no grant at all


@dataclass
class World:
    app: FastAPI
    sf: sessionmaker[Session]
    region_a: int  # Monaco: "own" jurisdiction
    region_b: int  # another region: "other" jurisdiction
    agency_x: int  # operates the target site: "own" agency
    agency_y: int
    site_id: int  # Stade Louis-II, in region A, operated by agency X
    target_user: int
    users: dict[tuple[str | None, bool, bool], tuple[str, Principal]] = field(default_factory=dict)
    pw_hash: str = ""

    def token(self, login: str) -> str:
        with self.sf() as s:
            u = s.scalar(select(User).where(User.login == login))
            assert u is not None
            auth = authn.Authenticated(accounts.principal_of(s, u), u.id, u.login)
        return authn.create_token(self.sf, authn.Policy(secret_key=TEST_SECRET), auth, "matrix", 1).token


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, golden_dbs: GoldenDatabases) -> Iterator[World]:
    d = tmp_path_factory.mktemp("matrix")
    url = f"sqlite:///{golden_dbs.copy_sqlite(d / 'bastion.db')}"  # Monaco imported (tests/conftest.py)
    eng = make_engine(url)
    migrate.upgrade(eng)
    sf = make_session_factory(eng)
    ax = agency_id(sf, "Stadium operator", "venue_operator")
    ay = agency_id(sf, "Police", "police")
    with sf.begin() as s:
        a = s.scalar(select(Region.id).where(Region.name == "Monaco"))
        b = Region(name="Otherland", slug="otherland")
        s.add(b)
        s.flush()
        site = s.scalar(select(Site).where(Site.name == "Stade Louis-II"))
        site.operator_agency_id = ax
        # two sites in region B: one operated by X, one by Y
        tmpl = {c: getattr(site, c) for c in ("category", "kind", "geom_type", "geometry_wkb", "lon", "lat", "min_lon",
                                               "min_lat", "max_lon", "max_lat", "capacity_method", "content_hash")}
        s.execute(insert(Site), [{**tmpl, "region_id": b.id, "source": "user", "source_type": "t", "source_id": str(i),
                                  "name": f"B{i}", "operator_agency_id": ag, "capacity_inputs": {}, "tags": {}}
                                 for i, ag in enumerate((ax, ay))])
        sid, b_id = site.id, b.id
    target = accounts.create_user(sf, "target", "Target", ay, PASSWORD, actor=ACTOR)
    # job_workers=0: long work answers 202 and stays queued (the matrix checks who may start it; running it here
    # would hold SQLite's write lock for seconds under the matrix's own writes; tests/jobs runs jobs)
    w = World(create_app(Settings(data_dir=d, database_url=url, secret_key=TEST_SECRET,
                                  login_rate_per_minute=10_000, login_max_failures=100, job_workers=0)),
              sf, a, b_id, ax, ay, sid, target.id, pw_hash=hash_password(PASSWORD))
    for n, (role, own_j, own_a) in enumerate(itertools.product(ROLES, (True, False), (True, False))):
        login = f"u{n}-{role or 'none'}-{'j' if own_j else 'x'}-{'a' if own_a else 'x'}"
        ag = ax if own_a else ay
        region = None if role == "admin" else (a if own_j else b_id)  # admin is system-wide by design
        with sf.begin() as s:
            s.add(User(login=login, display_name=login, agency_id=ag, password_hash=w.pw_hash, status="active",
                       failed_logins=0, password_changed_at=utcnow(), created_at=utcnow()))
        if role is not None:
            accounts.grant(sf, login, role, region, actor=ACTOR)
        grants = () if role is None else (Grant(Role(role), region),)
        w.users[(role, own_j, own_a)] = (login, Principal(f"user:{login}", None, ag, grants))
    with TestClient(w.app) as c:
        w.client = c  # type: ignore[attr-defined]
        yield w
    w.app.state.engine.dispose()
    eng.dispose()


# --- how to call each route ---------------------------------------------------------------------------------------

def _target_grant(w: World, login: str) -> int:
    with w.sf.begin() as s:
        s.execute(delete(RoleGrant).where(RoleGrant.user_id == w.target_user))
        g = RoleGrant(user_id=w.target_user, role="viewer", region_id=w.region_b, created_at=utcnow())
        s.add(g)
        s.flush()
        return g.id


def _own_token(w: World, login: str) -> int:
    with w.sf() as s:
        u = s.scalar(select(User).where(User.login == login))
        assert u is not None
        auth = authn.Authenticated(accounts.principal_of(s, u), u.id, u.login)
    return authn.create_token(w.sf, authn.Policy(secret_key=TEST_SECRET), auth, "to-revoke", 1).id


def _unit(w: World, _login: str) -> int:
    with w.sf.begin() as s:
        u = ResponseUnit(region_id=w.region_a, unit_type="patrol_car", name="Matrix car", lon=7.42, lat=43.738,
                         standard_s=180, speed_profile="patrol_car", source="user")
        s.add(u)
        s.flush()
        return u.id


_PLAN: dict[str, int] = {}


def _plan(w: World, _login: str) -> int:
    """One small patrol plan in region A (made once; no route deletes plans)."""
    if "id" not in _PLAN:
        from bastion.patrol import service as patrol_svc
        from bastion.patrol.build import check_options

        _PLAN["id"] = patrol_svc.create_plan(w.sf, w.region_a, check_options(teams=1, days=1, max_sites=5))
    return _PLAN["id"]


REGION_A = lambda w: Resource(region_id=w.region_a, visibility=Permission.REGION_READ)  # noqa: E731


def _measure_kind(w: World, _login: str) -> str:
    """A measure recorded at the target site (so DELETE .../measures/{kind} can succeed every time)."""
    from bastion.risk import service as risk_svc

    risk_svc.record_measure(w.sf, w.site_id, "lockable_doors", {})
    return "lockable_doors"


def _close_open_inspections(w: World, _login: str) -> None:
    from bastion.supervision.models import Inspection

    with w.sf.begin() as s:
        s.execute(update(Inspection).where(Inspection.site_id == w.site_id, Inspection.status == "open")
                  .values(status="completed", completed_at=utcnow()))


def _inspection(w: World, login: str) -> int:
    """A fresh open inspection of the target site with every item answered (so it can be completed)."""
    from bastion.supervision import service as insp_svc

    _close_open_inspections(w, login)
    insp = insp_svc.start_inspection(w.sf, w.site_id, now=utcnow(), inspector_agency="Matrix inspectorate")
    with w.sf() as s:
        items = [i.item_id for i in insp_svc.inspection_items(s, insp.id)]
    insp_svc.answer(w.sf, insp.id, {k: "pass" for k in items}, now=utcnow())
    return insp.id


def _task(w: World, _login: str) -> int:
    """An open rectification task at the target site."""
    import datetime as dt

    from bastion.supervision.models import RectificationTask

    with w.sf.begin() as s:
        t = RectificationTask(site_id=w.site_id, inspection_id=_inspection(w, _login), item_id="uk_ppa_2025:cctv",
                              measure="cctv", standard_id="uk_ppa_2025", text="CCTV", owner_agency="Operator",
                              deadline=utcnow() + dt.timedelta(days=30), status="open", overdue=False,
                              escalation_level=0, created_at=utcnow(), updated_at=utcnow())
        s.add(t)
        s.flush()
        return t.id


_ALERT: dict[str, int] = {}


def _warning_alert(w: World, _login: str) -> int:
    """One early-warning alert in region A (made once; no route deletes alerts)."""
    if "id" not in _ALERT:
        import datetime as dt

        from bastion.warning.models import WarningAlert

        with w.sf.begin() as s:
            a = WarningAlert(region_id=w.region_a, dataset="manual", attack_type="ied", target_type=19,
                             method="farrington", week=dt.date(2026, 11, 2), last_week=dt.date(2026, 11, 2),
                             alarm_weeks=["2026-11-02"], observed=9, peak_observed=9, expected=2.0, upper=7.0,
                             p_value=1e-4, score=2.4, level_shift=False, suppressed_until=dt.date(2026, 11, 9),
                             status="open", current_level="SUBSTANTIAL", recommended_action="raise",
                             recommended_level="SEVERE", evidence={}, decision="pending", created_at=utcnow(),
                             updated_at=utcnow())
            s.add(a)
            s.flush()
            _ALERT["id"] = a.id
    return _ALERT["id"]


SITE_X = lambda w: Resource(region_id=w.region_a, operator_agency_id=w.agency_x)  # noqa: E731
INCIDENT_A = lambda w: Resource(region_id=w.region_a, visibility=Permission.INCIDENT_READ)  # noqa: E731


def _incident(w: World, _login: str) -> int:
    """A fresh open incident in region A (version 1) with a cordon."""
    from bastion.incidents import dispatch as inc_dispatch
    from bastion.incidents import service as inc_svc

    actor = inc_svc.Actor("test:matrix")
    inc = inc_svc.create_incident(w.sf, inc_svc.IncidentSpec(
        region=w.region_a, incident_type="suspicious_item", severity="moderate", title="Matrix item", lon=7.4246,
        lat=43.7384), actor=actor, now=utcnow())
    inc_dispatch.draw_cordon(w.sf, inc.id, actor=actor, now=utcnow())
    _LAST_INCIDENT["id"] = inc.id
    return inc.id


_LAST_INCIDENT: dict[str, int] = {}  # /incidents/{incident_id}/sitreps/{sitrep_id}: the report is of that incident


def _warning(w: World, login: str) -> int:
    """A drafted public warning of a fresh incident in region A (drafted by someone else than any caller)."""
    from bastion.incidents import service as inc_svc
    from bastion.incidents import warnings as inc_warnings

    return inc_warnings.draft(w.sf, _incident(w, login), headline="Matrix warning", instruction="Stay away.",
                              radius_m=None, actor=inc_svc.Actor("test:matrix-drafter"), now=utcnow()).id


def _sitrep(w: World, login: str) -> int:
    """A stored situation report of the incident the path's incident_id just designated (written directly: no PDF
    engine per call)."""
    from bastion.incidents.models import Sitrep

    incident_id = _LAST_INCIDENT.get("id") or _incident(w, login)
    with w.sf.begin() as s:
        rep = Sitrep(incident_id=incident_id, report_no=1, mode="real", lang="en", due_at=utcnow(),
                     generated_at=utcnow(), html="<p>matrix</p>",
                     counts={"casualties": {}, "casualties_total": 0, "units_committed": 0, "units_listed": 0,
                             "timeline_entries": 1}, pdf=b"%PDF", job_id=None)
        s.add(rep)
        s.flush()
        return rep.id


def _eplan(w: World, _login: str) -> int:
    """A fresh draft emergency plan of the target site by no account (any approver is a second account)."""
    from bastion.preparedness import service as eplan_svc

    sections = {p: {"triggers": ["alarm"], "decision_role": "duty_manager", "steps": ["act"]}
                for p in ("evacuation", "invacuation", "lockdown", "communication")}
    return eplan_svc.save_plan(w.sf, w.site_id, "ied", sections, now=utcnow()).id


def _exercise(w: World, _login: str) -> int:
    """A fresh evaluated exercise in region A at the target site (so it can still be finalised)."""
    import datetime as dt

    from bastion.preparedness import exercises as ex_svc
    from bastion.preparedness.models import Exercise

    start = utcnow() + dt.timedelta(days=30)
    e = ex_svc.create_exercise(w.sf, w.region_a, name="Matrix drill", type="drill", start=start,
                               end=start + dt.timedelta(hours=2), site_ids=[w.site_id], now=utcnow())
    ex_svc.evaluate(w.sf, e.id, ratings={"planning": "P"})
    with w.sf.begin() as s:  # one inject, so that the exercise clock can start
        s.execute(update(Exercise).where(Exercise.id == e.id).values(msel=[
            {"no": 1, "offset_s": 0, "mode": "EXERCISE", "synopsis": "EXERCISE: start", "to": "duty_manager"}]))
    return e.id


def _job(w: World, login: str) -> int:
    """A finished job in region A that the caller asked for, with a file (a coordinator also sees others' jobs;
    cancel leaves a finished job as is, re-run queues it again: its kind is unknown, so it then fails)."""
    from bastion.jobs.models import Job
    from bastion.jobs.models import JobFile

    with w.sf.begin() as s:
        uid = s.scalar(select(User.id).where(User.login == login))
        j = Job(kind="matrix.none", params={}, state="succeeded", progress=1.0, message="", requested_by=uid,
                actor=f"user:{login}", principal={}, region_id=w.region_a, attempts=1, cancel_requested=False,
                result={}, created_at=utcnow())
        s.add(j)
        s.flush()
        s.add(JobFile(job_id=j.id, filename="m.pdf", media_type="application/pdf", size_bytes=4, content=b"%PDF"))
        return j.id

# path parameter -> (value for this caller, the Resource it designates or None)
PARAMS: dict[str, Callable[[World, str], tuple[Any, Resource | None]]] = {
    "site_id": lambda w, _l: (w.site_id, Resource(region_id=w.region_a, operator_agency_id=w.agency_x)),
    "region_id": lambda w, _l: (w.region_a, REGION_A(w)),
    "unit_id": lambda w, l: (_unit(w, l), REGION_A(w)),  # a response unit in region A
    "plan_id": lambda w, l: (_plan(w, l), REGION_A(w)),  # a patrol plan in region A
    "user_id": lambda w, _l: (w.target_user, None),
    "grant_id": lambda w, l: (_target_grant(w, l), None),
    "token_id": lambda w, l: (_own_token(w, l), None),
    "lang": lambda w, _l: ("en", None),
    "kind": lambda w, l: (_measure_kind(w, l), None),  # with site_id: the site designates the resource
    "inspection_id": lambda w, l: (_inspection(w, l), SITE_X(w)),  # an inspection of the target site
    "task_id": lambda w, l: (_task(w, l), SITE_X(w)),  # a task at the target site
    "alert_id": lambda w, l: (_warning_alert(w, l), REGION_A(w)),  # an early-warning alert in region A
    "incident_id": lambda w, l: (_incident(w, l), INCIDENT_A(w)),  # an open incident in region A
    "warning_id": lambda w, l: (_warning(w, l), INCIDENT_A(w)),  # a drafted warning of an incident in region A
    "sitrep_id": lambda w, l: (_sitrep(w, l), INCIDENT_A(w)),  # a stored situation report of an incident in A
    "eplan_id": lambda w, l: (_eplan(w, l), SITE_X(w)),  # a draft emergency plan of the target site
    "exercise_id": lambda w, l: (_exercise(w, l), REGION_A(w)),  # an exercise of region A
    "job_id": lambda w, l: (_job(w, l), Resource(region_id=w.region_a, visibility=Permission.REGION_READ)),
    "declaration_id": lambda w, l: (_posture_proposal(w, l), REGION_A(w)),  # a posture proposal in region A
    "duty_id": lambda w, l: (_duty(w, l), SITE_X(w)),  # an open duty of the target site
    "agency_id": lambda w, _l: (w.agency_x, None),  # operates sites in regions A and B
    "channel": lambda w, _l: ("email", None),
}


def _duty(w: World, _login: str) -> int:
    """A fresh open duty of the target site (each call can close it)."""
    import datetime as dt

    from bastion.office.models import Duty

    with w.sf.begin() as s:
        d = Duty(site_id=w.site_id, code="matrix", period=f"m{next(_seq)}", role="operator", agency_id=w.agency_x,
                 due_on=dt.date(2026, 12, 1), title="matrix duty", evidence="record", source="matrix", status="open")
        s.add(d)
        s.flush()
        return d.id


def _endpoint(w: World, _login: str) -> None:
    from bastion.office import notify

    notify.set_endpoint(w.sf, w.agency_x, "email", "duty@stadium.example")


_posture_ids: dict[str, int] = {}


def _posture_proposal(w: World, _login: str, key: str = "proposal") -> int:
    """A UK SEVERE proposal in region A by a proposer no matrix user is (the two-person rule is not in play)."""
    from bastion.kernel.db.base import utcnow as now
    from bastion.posture import service as ps

    d = ps.propose(w.sf, w.region_a, scheme="uk", level="SEVERE", reason="matrix", now=now(),
                   by=ps.Signer("matrix-proposer"))
    _posture_ids[key] = d.id
    return d.id


def _posture_active(w: World, _login: str) -> None:
    import datetime as dt

    from bastion.kernel.db.base import utcnow as now
    from bastion.posture import service as ps

    d = ps.propose(w.sf, w.region_a, scheme="ntas", level="bulletin", reason="matrix", now=now(),
                   by=ps.Signer("matrix-proposer"), expires_at=now() + dt.timedelta(days=1))
    ps.approve(w.sf, d.id, now=now(), by=ps.Signer("matrix-approver"))
    _posture_ids["active"] = d.id


@dataclass
class Case:
    query: dict[str, Any] | None = None
    body: Callable[[World, str], Any] | None = None
    before: Callable[[World, str], None] | None = None
    resources: Callable[[World], list[Resource]] | None = None  # further resources the route checks
    independent: bool = False  # separation of duties: the site's operator agency is refused (403)


def _reset_target(w: World, _login: str) -> None:
    with w.sf.begin() as s:
        s.execute(delete(RoleGrant).where(RoleGrant.user_id == w.target_user))
        s.execute(update(User).where(User.id == w.target_user).values(status="active"))


def _reset_own_password(w: World, login: str) -> None:
    with w.sf.begin() as s:
        s.execute(update(User).where(User.login == login).values(password_hash=w.pw_hash))


_seq = itertools.count()
CASES: dict[tuple[str, str], Case] = {
    ("POST", "/api/v1/sites/{site_id}/emergency-plans"): Case(body=lambda w, l: {"threat": "ied", "sections": {}}),
    ("POST", "/api/v1/sites/{site_id}/emergency-plans/draft"): Case(body=lambda w, l: {"threat": "ied"}),
    ("POST", "/api/v1/sites/{site_id}/emergency-plan-tasks"): Case(body=lambda w, l: {"owner_agency": "Operator"}),
    ("PUT", "/api/v1/sites/{site_id}/exits"): Case(body=lambda w, l: {"exits": [{"label": "Gate", "width_m": 2}]}),
    ("PUT", "/api/v1/sites/{site_id}/training"): Case(body=lambda w, l: {"position": "steward", "trained": 1,
                                                                           "expected": 2}),
    ("POST", "/api/v1/regions/{region_id}/emergency-plans/draft"): Case(body=lambda w, l: {
        "site_ids": [w.site_id], "threats_per_site": 1}),
    ("POST", "/api/v1/regions/{region_id}/exercises"): Case(body=lambda w, l: {
        "name": "Matrix", "type": "tabletop", "start": "2030-01-08T10:00:00Z", "end": "2030-01-08T12:00:00Z",
        "site_ids": [w.site_id]}),
    ("POST", "/api/v1/regions/{region_id}/exercises.ics"): Case(body=lambda w, l: {
        "ics": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nEND:VCALENDAR\r\n"}),
    ("PUT", "/api/v1/exercises/{exercise_id}/evaluation"): Case(body=lambda w, l: {"ratings": {"planning": "S"}}),
    ("PUT", "/api/v1/exercises/{exercise_id}/aar"): Case(body=lambda w, l: {"strengths": ["x"]}),
    ("POST", "/api/v1/exercises/{exercise_id}/clock"): Case(body=lambda w, l: {"action": "start"}),
    ("PUT", "/api/v1/sites/{site_id}/spaces"): Case(body=lambda w, l: {"spaces": [
        {"kind": "protected_space", "label": "Hall", "area_m2": 100}]}),
    ("PUT", "/api/v1/regions/{region_id}/exercise-calendar-pack"): Case(body=lambda w, l: {
        "yaml": "id: matrix\nrules:\n  - {id: r, standard_id: uk_ppa_2025, tiers: [enhanced], period: year, "
                "min_count: 1, source: matrix}\n"}),
    ("POST", "/api/v1/auth/login"): Case(body=lambda w, l: {
        "login": "target" if l == "anonymous" else l, "password": PASSWORD, "mode": "token"}),
    ("POST", "/api/v1/auth/password"): Case(before=_reset_own_password, body=lambda w, l: {
        "current_password": PASSWORD, "new_password": "another horse battery"}),
    ("POST", "/api/v1/auth/tokens"): Case(body=lambda w, l: {"name": "cli", "ttl_days": 1}),
    ("POST", "/api/v1/agencies"): Case(body=lambda w, l: {"name": f"Agency {next(_seq)}", "kind": "fire"}),
    ("POST", "/api/v1/users"): Case(body=lambda w, l: {
        "login": f"new{next(_seq)}", "display_name": "New", "agency_id": w.agency_y, "password": PASSWORD}),
    ("PATCH", "/api/v1/users/{user_id}"): Case(body=lambda w, l: {"status": "active"}),
    ("POST", "/api/v1/users/{user_id}/password"): Case(body=lambda w, l: {"new_password": PASSWORD}),
    ("POST", "/api/v1/users/{user_id}/grants"): Case(before=_reset_target,
                                                    body=lambda w, l: {"role": "viewer", "region_id": w.region_a}),
    ("GET", "/api/v1/sites/export"): Case(query={"format": "csv"}),
    ("GET", "/api/v1/regions/{region_id}/isochrones.geojson"): Case(query={"limits": "60"}),
    ("GET", "/api/v1/audit/export"): Case(query={"format": "json"}),
    ("PATCH", "/api/v1/sites/{site_id}"): Case(body=lambda w, l: {"notes": f"matrix {l}"}),
    # setting a site's operator needs site:edit over the whole region, not just over the agency's own sites
    ("PUT", "/api/v1/sites/{site_id}/operator"): Case(body=lambda w, l: {"agency_id": w.agency_x},
                                                     resources=lambda w: [REGION_A(w)]),
    ("POST", "/api/v1/regions/{region_id}/units"): Case(body=lambda w, l: {
        "unit_type": "patrol_car", "name": "Matrix car", "lon": 7.42, "lat": 43.738}),
    ("POST", "/api/v1/regions/{region_id}/patrol-plans"): Case(body=lambda w, l: {
        "teams": 1, "days": 1, "max_sites": 5}),
    ("PATCH", "/api/v1/units/{unit_id}"): Case(body=lambda w, l: {"name": "Renamed car"}),
    ("POST", "/api/v1/regions/{region_id}/coverage/placement"): Case(body=lambda w, l: {
        "add": 1, "standard_s": 180, "time_limit_s": 10}),
    ("POST", "/api/v1/regions/{region_id}/vehicle-assessments"): Case(body=lambda w, l: {
        "vehicles": ["car"], "site_ids": [w.site_id]}),
    ("POST", "/api/v1/sites/{site_id}/vehicle-tasks"): Case(body=lambda w, l: {"owner_agency": "Operator"}),
    ("POST", "/api/v1/sites/{site_id}/measures"): Case(body=lambda w, l: {"kind": "cctv",
                                                                          "params": {"retention_days": 90}}),
    ("PUT", "/api/v1/sites/{site_id}/facts"): Case(body=lambda w, l: {"facts": {"symbolism": 2}}),
    ("PUT", "/api/v1/regions/{region_id}/threat-level"): Case(body=lambda w, l: {"uk_threat_level": "SUBSTANTIAL"}),
    ("POST", "/api/v1/regions/{region_id}/portfolio"): Case(body=lambda w, l: {"budget": 10000, "max_candidates": 1}),
    ("POST", "/api/v1/sites/{site_id}/inspections"): Case(before=_close_open_inspections,
                                                         body=lambda w, l: {"inspector_agency": "Matrix"},
                                                         independent=True),
    ("PUT", "/api/v1/inspections/{inspection_id}/answers"): Case(body=lambda w, l: {"answers": {}}, independent=True),
    ("POST", "/api/v1/inspections/{inspection_id}/complete"): Case(body=lambda w, l: {"owner_agency": "Operator"},
                                                                  independent=True),
    ("PATCH", "/api/v1/tasks/{task_id}"): Case(body=lambda w, l: {"status": "in_progress"}),
    ("POST", "/api/v1/regions/{region_id}/warning/imports"): Case(body=lambda w, l: {
        "format": "gtd", "csv": "iyear,imonth,iday,targtype1,attacktype1\n2024,1,1,19,3\n"}),
    ("POST", "/api/v1/regions/{region_id}/warning/counts"): Case(body=lambda w, l: {"counts": [
        {"week": "2024-W02", "attack_type": "ied", "target_type": 19, "events": 1}]}),
    ("GET", "/api/v1/regions/{region_id}/warning/series-data"): Case(query={
        "dataset": "manual", "attack_type": "ied", "target_type": 19}),
    ("POST", "/api/v1/regions/{region_id}/warning/detect"): Case(body=lambda w, l: {}),
    ("PATCH", "/api/v1/warning/alerts/{alert_id}"): Case(body=lambda w, l: {"status": "acknowledged"}),
    ("GET", "/api/v1/regions/{region_id}/warning/backtest"): Case(query={"month": "2024-01"}),
    ("POST", "/api/v1/tasks/escalate"): Case(body=lambda w, l: {}),
    ("POST", "/api/v1/sites/{site_id}/report-jobs"): Case(body=lambda w, l: {}),
    ("POST", "/api/v1/regions/{region_id}/report-jobs"): Case(body=lambda w, l: {}),
    ("POST", "/api/v1/regions/{region_id}/coverage/what-if"): Case(body=lambda w, l: {
        "add": [{"lon": 7.4255, "lat": 43.731}]}),
    ("POST", "/api/v1/incidents"): Case(body=lambda w, l: {
        "region_id": w.region_a, "incident_type": "arson", "severity": "minor", "title": "Matrix fire",
        "lon": 7.42, "lat": 43.735}, resources=lambda w: [INCIDENT_A(w)]),
    ("PATCH", "/api/v1/incidents/{incident_id}"): Case(body=lambda w, l: {"version": 1, "severity": "severe"}),
    ("POST", "/api/v1/incidents/{incident_id}/notes"): Case(body=lambda w, l: {"text": "matrix note"}),
    ("POST", "/api/v1/incidents/{incident_id}/dispatch"): Case(body=lambda w, l: {"unit_ids": [_unit(w, l)]}),
    ("PUT", "/api/v1/incidents/{incident_id}/cordon"): Case(body=lambda w, l: {}),
    ("POST", "/api/v1/incidents/{incident_id}/close"): Case(body=lambda w, l: {"version": 1}),
    ("POST", "/api/v1/incidents/{incident_id}/warnings"): Case(body=lambda w, l: {
        "headline": "Matrix warning", "instruction": "Stay away."}),
    ("PATCH", "/api/v1/units/{unit_id}/status"): Case(body=lambda w, l: {"version": 1, "crew_count": 3}),
    ("GET", "/api/v1/incident-board/stream"): Case(query={"once": True}),
    ("PUT", "/api/v1/incidents/{incident_id}/sitrep-schedule"): Case(body=lambda w, l: {"interval_min": 30}),
    ("POST", "/api/v1/regions/{region_id}/incident-imports"): Case(body=lambda w, l: {
        "csv": f"ref,incident_type,severity,title,lon,lat\nmatrix-{next(_seq)},arson,minor,Bin fire,7.42,43.735\n"},
        resources=lambda w: [INCIDENT_A(w)]),
    ("POST", "/api/v1/office/rules"): Case(body=lambda w, l: {"role": "lead", "agency_id": w.agency_x,
                                                              "region_id": w.region_a},
                                           resources=lambda w: [REGION_A(w)]),
    ("POST", "/api/v1/office/rules/import"): Case(body=lambda w, l: {
        "csv": f"role,agency,region\nlead,{w.agency_x},{w.region_a}\n"}, resources=lambda w: [REGION_A(w)]),
    ("PUT", "/api/v1/sites/{site_id}/responsibility"): Case(body=lambda w, l: {"role": "supervising",
                                                                              "agency_id": w.agency_y}),
    ("POST", "/api/v1/regions/{region_id}/office/duties"): Case(body=lambda w, l: {}),
    ("POST", "/api/v1/regions/{region_id}/office/campaigns"): Case(body=lambda w, l: {
        "name": "matrix", "categories": ["health"], "checklist": ["cctv"], "clock": "calendar"}),
    ("PUT", "/api/v1/office/preferences"): Case(body=lambda w, l: {"channels": ["inpage"], "digest": True}),
    ("POST", "/api/v1/regions/{region_id}/posture/preview"): Case(body=lambda w, l: {"scheme": "uk",
                                                                                    "level": "SEVERE"}),
    ("POST", "/api/v1/regions/{region_id}/posture"): Case(body=lambda w, l: {"scheme": "uk", "level": "SEVERE",
                                                                             "reason": "matrix"}),
    ("POST", "/api/v1/regions/{region_id}/posture/approve"): Case(
        before=_posture_proposal, body=lambda w, l: {"declaration_id": _posture_ids.get("proposal", 0)}),
    ("POST", "/api/v1/regions/{region_id}/posture/reject"): Case(
        before=_posture_proposal, body=lambda w, l: {"declaration_id": _posture_ids.get("proposal", 0)}),
    ("POST", "/api/v1/office/duties/{duty_id}/complete"): Case(body=lambda w, l: {"evidence": "matrix record 1"}),
    ("PUT", "/api/v1/office/agencies/{agency_id}/endpoints/{channel}"): Case(
        body=lambda w, l: {"address": "duty@stadium.example"}),
    ("DELETE", "/api/v1/office/agencies/{agency_id}/endpoints/{channel}"): Case(before=_endpoint),
    ("PUT", "/api/v1/regions/{region_id}/office/ladder"): Case(
        body=lambda w, l: {"spec": "-24h:owner,2bd:supervising,5bd:lead"}),
    ("POST", "/api/v1/regions/{region_id}/posture/end"): Case(
        before=_posture_active, body=lambda w, l: {"declaration_id": _posture_ids.get("active", 0)}),
}


def routes(app: FastAPI) -> list[tuple[str, str, Any]]:
    out = []
    for path, methods, route in api_routes(app):
        for m in sorted(methods - {"HEAD"}):
            out.append((m, path, route))
    return out


def expected(principal: Principal | None, route: Any, resources: list[Resource], *, sod: bool = False) -> int:
    """200 (allowed), 401, 403 or 404, from the pure policy."""
    req = route_requirement(route)
    assert req is not None
    if req.kind == "public":
        return 200
    if principal is None:
        return 401
    if not all(decide(principal, p).allowed for p in req.permissions):  # require(...) runs first
        return 403
    for p in req.permissions:  # then the handler's resource checks
        for r in resources:
            d = decide(principal, p, r)
            if not d.allowed:
                return d.status
    if sod and not all(independent(principal, r).allowed for r in resources):
        return 403
    return 200


def call(w: World, method: str, path: str, login: str | None) -> tuple[int, Any, list[Resource]]:
    case = CASES.get((method, path), Case())
    if case.before is not None and login is not None:
        case.before(w, login)
    url, resources = path, []
    for name in re.findall(r"\{(\w+)(?::\w+)?\}", path):
        if name not in PARAMS:
            pytest.fail(f"{method} {path}: path parameter {name!r} has no resolver: add one to PARAMS in {__file__}")
        value, res = PARAMS[name](w, login or "target")
        url = url.replace("{" + name + "}", str(value))
        if res is not None:
            resources.append(res)
    if case.resources is not None:
        resources += case.resources(w)
    headers = {"Authorization": f"Bearer {w.token(login)}"} if login else {}
    body = case.body(w, login or "anonymous") if case.body else None
    r = w.client.request(method, url, params=case.query, json=body, headers=headers)  # type: ignore[attr-defined]
    return r.status_code, r, resources


def test_every_route_declares_a_permission(world: World) -> None:
    undeclared = [f"{m} {p}" for m, p, r in routes(world.app) if route_requirement(r) is None]
    assert undeclared == [], ("routes without require(...)/authenticated()/public(): " + ", ".join(undeclared)
                              + " — see docs/security.md")


def test_an_undeclared_route_is_caught(tmp_path: Path) -> None:
    """The check above can fail: a route added without a permission is reported."""
    app = create_app(Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'x.db'}"))

    @app.get("/api/v1/naked")
    def naked() -> dict[str, str]:
        return {"secret": "yes"}

    assert [f"{m} {p}" for m, p, r in routes(app) if route_requirement(r) is None] == ["GET /api/v1/naked"]
    app.state.engine.dispose()


@pytest.mark.slow
def test_matrix(world: World) -> None:
    cells = 0
    failures: list[str] = []
    table = routes(world.app)
    assert len(table) >= 39
    timing: dict[str, float] = {}
    for method, path, route in table:
        t0 = time.perf_counter()
        status, r, res = call(world, method, path, None)
        exp = expected(None, route, res)
        cells += 1
        if (exp == 200 and status >= 400) or (exp != 200 and status != exp):
            failures.append(f"{method} {path} anonymous: expected {exp}, got {status} {r.text[:200]}")
        for (role, own_j, own_a), (login, principal) in world.users.items():
            status, r, res = call(world, method, path, login)
            exp = expected(principal, route, res, sod=CASES.get((method, path), Case()).independent)
            cells += 1
            if (exp == 200 and status >= 400) or (exp != 200 and status != exp):
                failures.append(f"{method} {path} role={role} jurisdiction={'own' if own_j else 'other'} "
                                f"agency={'own' if own_a else 'other'}: expected {exp}, got {status} {r.text[:200]}")
        timing[f"{method} {path}"] = time.perf_counter() - t0
    print(sorted(timing.items(), key=lambda kv: -kv[1])[:8])
    print(f"authorization matrix: {len(table)} routes, {cells} cells")
    assert not failures, f"{len(failures)} of {cells} cells wrong:\n" + "\n".join(failures[:40])
    assert cells == len(table) * (len(ROLES) * 4 + 1)


def test_lists_are_filtered_to_the_scope(world: World) -> None:
    """Lists show exactly what the principal's scope admits (jurisdiction, and agency for agency-scoped roles)."""
    with world.sf() as s:
        rows = s.execute(select(Site.id, Site.region_id, Site.operator_agency_id)
                         .where(Site.missing_from_source.is_(False))).all()
        region_ids = set(s.scalars(select(Region.id)))
    seen_some = 0
    for (role, own_j, own_a), (login, principal) in world.users.items():
        headers = {"Authorization": f"Bearer {world.token(login)}"}
        r = world.client.get("/api/v1/sites", params={"limit": 5000}, headers=headers)  # type: ignore[attr-defined]
        if not decide(principal, Permission.SITE_READ).allowed:
            assert r.status_code == 403
            continue
        sc = scope(principal, Permission.SITE_READ)
        want = {i for i, reg, ag in rows if sc.admits(reg, ag)}
        got = {i["id"] for i in r.json()["items"]}
        assert got == want, (role, own_j, own_a)
        seen_some += bool(got)
        r = world.client.get("/api/v1/regions", headers=headers)  # type: ignore[attr-defined]
        rsc = scope(principal, Permission.REGION_READ)
        assert {i["id"] for i in r.json()["items"]} == {x for x in region_ids if rsc.admits(x)}
    assert seen_some >= 10


def test_head_answers_every_get_route(world: World) -> None:
    """HEAD on every GET route, as an admin: the GET's status and headers, no body; the authorization still applies
    (anonymous HEAD on a protected route is 401, like GET)."""
    login, _principal = world.users[("admin", True, True)]
    gets = [(m, p, r) for m, p, r in routes(world.app) if m == "GET"]
    assert len(gets) >= 25
    failures = []
    for _m, path, _route in gets:
        status_get, _r, _res = call(world, "GET", path, login)
        status_head, r, _res = call(world, "HEAD", path, login)
        if status_head != status_get or r.content != b"":
            failures.append(f"HEAD {path}: {status_head} with {len(r.content)} bytes, GET gave {status_get}")
    assert not failures, "\n".join(failures)
    assert world.client.head("/api/v1/users").status_code == 401  # type: ignore[attr-defined]
    assert world.client.head("/api/v1/health").status_code == 200  # type: ignore[attr-defined]


def test_every_collection_route_answers_one_page_envelope(world: World) -> None:
    """Every route whose response model is a list answers Page[T]: {items, total, limit, offset}."""
    from bastion.kernel.pagination import Page

    bare = [f"{m} {p}" for m, p, r in routes(world.app)
            if getattr(getattr(r, "response_model", None), "__origin__", None) is list]
    assert bare == [], f"collection routes answering a bare list: {bare}"
    paged = [(m, p) for m, p, r in routes(world.app)
             if isinstance(getattr(r, "response_model", None), type) and issubclass(r.response_model, Page)]
    assert len(paged) >= 14, paged
    for method, path in paged:
        for login, _principal in world.users.values():  # the first user allowed to call it
            status, r, _res = call(world, method, path, login)
            if status < 300:
                break
        assert status < 300, (method, path, r.text[:200])
        body = r.json()
        assert set(body) == {"items", "total", "limit", "offset"}, (method, path, sorted(body))
        assert len(body["items"]) <= body["limit"] and body["total"] >= len(body["items"]), (method, path)
