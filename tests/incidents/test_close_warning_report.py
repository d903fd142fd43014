"""Closing an incident turns its lessons into rectification tasks (supervision); public warnings are valid CAP
1.2 (OASIS schema), follow the mode, and publish only after a second person approves; the situation report's
counts are the database's."""

from __future__ import annotations

import datetime as dt
import http.server
import re
import threading
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.incidents import dispatch
from bastion.incidents import render
from bastion.incidents import service as svc
from bastion.incidents import warnings as cap
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import PermissionDenied
from bastion.supervision.models import RectificationTask
from bastion.units import service as units
from tests.incidents.helpers import ACTOR
from tests.incidents.helpers import NOW
from tests.incidents.helpers import open_incident

SECOND = svc.Actor("test:duty-officer")


def test_close_turns_lessons_into_tasks(monaco_sf: sessionmaker[Session]) -> None:
    inc = open_incident(monaco_sf, lon=None, lat=None, site_query="Stade Louis-II")
    done, tasks = svc.close_incident(monaco_sf, inc.id, expected_version=1, actor=ACTOR, now=NOW, lessons=[
        svc.LessonSpec("Lockdown of gate C took 9 minutes: fit remote locks", "Stadium operator", 60),
        svc.LessonSpec("PA inaudible in the north stand", "Stadium operator")])
    assert done.status == "closed" and len(tasks) == 2
    with monaco_sf() as s:
        rows = list(s.scalars(select(RectificationTask).where(RectificationTask.id.in_(tasks))
                              .order_by(RectificationTask.id)))
        assert [(t.site_id, t.owner_agency, t.status) for t in rows] == [(inc.site_id, "Stadium operator", "open")] * 2
        assert rows[0].deadline == NOW + dt.timedelta(days=60)
        assert svc.timeline(s, inc.id)[-1].kind == "closed"
    with pytest.raises(Conflict):
        svc.add_note(monaco_sf, inc.id, "late note", actor=ACTOR, now=NOW)


@pytest.mark.parametrize(("mode", "status"), [("real", "Actual"), ("exercise", "Exercise"), ("test", "Test")])
def test_cap_warning_two_person_rule_and_schema(monaco_sf: sessionmaker[Session], mode: str, status: str) -> None:
    inc = open_incident(monaco_sf, mode=mode, incident_type="vehicle_borne_ied", device="sedan")
    dispatch.draw_cordon(monaco_sf, inc.id, actor=ACTOR, now=NOW)
    w = cap.draft(monaco_sf, inc.id, headline="Evacuate the area around Place du Casino",
                  instruction="Move away at least 600 m; follow police directions.", radius_m=None, actor=ACTOR,
                  now=NOW)
    assert w.state == "draft" and w.radius_m == 580.0
    with pytest.raises(PermissionDenied, match="second person"):
        cap.approve(monaco_sf, w.id, actor=ACTOR, now=NOW)
    with pytest.raises(Conflict, match="not published"):
        cap.deliver_webhook(w, "http://127.0.0.1:9/")
    pub = cap.approve(monaco_sf, w.id, actor=SECOND, now=NOW)
    assert pub.state == "published" and pub.approved_by == SECOND.name
    assert cap.validate(pub.xml or "") == []
    assert f"<status>{status}</status>" in (pub.xml or "")
    assert "<responseType>Evacuate</responseType>" in (pub.xml or "")
    # the schema is really enforced: an unknown status fails it
    assert cap.validate((pub.xml or "").replace(f"<status>{status}</status>", "<status>Real</status>"))


def test_webhook_delivery_on_loopback(monaco_sf: sessionmaker[Session]) -> None:
    got: list[bytes] = []

    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            got.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *a: Any) -> None:
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        inc = open_incident(monaco_sf)
        w = cap.draft(monaco_sf, inc.id, headline="Shelter indoors near the casino", instruction="Stay inside.",
                      radius_m=400, actor=ACTOR, now=NOW)
        pub = cap.approve(monaco_sf, w.id, actor=SECOND, now=NOW)
        assert cap.deliver_webhook(pub, f"http://127.0.0.1:{srv.server_port}/cap") == 202
        assert got == [(pub.xml or "").encode()]
    finally:
        srv.shutdown()


def test_sitrep_counts_match_the_database(monaco_sf: sessionmaker[Session]) -> None:
    inc = open_incident(monaco_sf, casualties={"immediate": 3, "urgent": 5, "delayed": 11, "dead": 1})
    u = units.add_units(monaco_sf, "Monaco", [units.UnitSpec(unit_type="patrol_car", name=f"Car {i}", lon=7.42,
                                                             lat=43.738) for i in range(3)])
    dispatch.dispatch_units(monaco_sf, inc.id, [x.id for x in u[:2]], actor=ACTOR, now=NOW)
    for k in range(4):
        svc.add_note(monaco_sf, inc.id, f"update {k}", actor=ACTOR, now=NOW + dt.timedelta(minutes=k))
    with monaco_sf() as s:
        html = render.sitrep_html(s, inc.id, at=NOW + dt.timedelta(hours=1))
        db_inc = svc.get_incident(s, inc.id)
        n_tl = len(svc.timeline(s, inc.id))
        rows = svc.board(s, region_ids=None, now=NOW + dt.timedelta(hours=1))
    for k, v in db_inc.casualties.items():
        assert re.search(rf'data-k="{k}">{v}<', html)
    assert re.search(rf'data-k="total">{svc.triage_total(db_inc.casualties)}<', html)
    assert '<span id="units-committed">2</span>' in html
    assert html.count("<tr><td class=\"num\">") == n_tl
    row = next(r for r in rows if r.incident.id == inc.id)
    assert (row.units_committed, row.casualties_total, row.elapsed_s) == (2, 20, 3600)


def test_every_type_and_mode_builds_schema_valid_cap() -> None:
    """33 messages (11 incident types x 3 modes), each validated against the OASIS CAP 1.2 schema."""
    from bastion.incidents.enums import IncidentType
    from bastion.incidents.enums import Mode
    from bastion.incidents.models import Incident
    from bastion.incidents.models import Warning

    n = 0
    for t in IncidentType:
        for m in Mode:
            inc = Incident(id=1, mode=m.value, incident_type=t.value, severity="extreme", lon=-8.61, lat=41.15)
            w = Warning(id=1, identifier=f"bastion-1-{t.value}-{m.value}", msg_type="Alert",
                        headline="Avoid the area", instruction="Follow police directions.", radius_m=1555.0)
            xml = cap.build_cap(inc, w, sent=NOW)
            assert cap.validate(xml) == [], (t, m)
            assert f"<status>{cap.STATUS[m.value]}</status>" in xml
            n += 1
    print(f"CAP 1.2: {n}/{n} messages valid against CAP-v1.2.xsd")
    assert n == 33
