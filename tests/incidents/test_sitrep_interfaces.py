"""Scheduled situation reports through REST and the CLI: the commander (incident:command) sets the schedule;
an agency member (incident:read and write, not command) cannot, but reads the reports; the job runs with the
setter's own grants on the app's workers; the list gives generation time and counts; HTML and PDF come back
exactly as stored; the cross-incident list shows real incidents only unless asked."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from bastion.incidents import sitreps
from bastion.jobs import service as jobs
from bastion.kernel.db.base import utcnow
from bastion.platform.cli import app
from tests.api_fixtures import AuthClient
from tests.incidents.helpers import CASINO

runner = CliRunner()


def _open(c: TestClient, **kw: object) -> dict:
    body = {"region_id": 1, "incident_type": "marauding_blades", "severity": "severe", "title": "Knife attack",
            "lon": CASINO[0], "lat": CASINO[1], "casualties": {"urgent": 3}, **kw}
    r = c.post("/api/v1/incidents", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_rest_schedule_reports_and_permissions(auth_client: AuthClient) -> None:
    commander = auth_client("coordinator", "Monaco", login="commander")
    viewer = auth_client("agency_member", "Monaco", login="watcher", agency="Police", agency_kind="police")
    sf: sessionmaker[Session] = commander.app.state.session_factory  # type: ignore[attr-defined]
    inc = _open(commander)
    drill = _open(commander, mode="exercise", title="Drill: knife attack")
    path = f"/api/v1/incidents/{inc['id']}/sitrep-schedule"
    assert viewer.put(path, json={"interval_min": 30}).status_code == 403
    bad = commander.put(path, json={"interval_min": 2})
    assert bad.status_code == 422 and "interval_min" in bad.text
    both = commander.put(path, json={"interval_min": 30, "times_utc": ["06:00"]})
    assert both.status_code == 422 and both.json()["error"]["field"] == "interval_min", both.text
    assert viewer.get(path).json()["active"] is False
    r = commander.put(path, json={"interval_min": 30, "lang": "zh-CN"})
    assert r.status_code == 200, r.text
    sched = r.json()
    assert sched["active"] and sched["interval_min"] == 30 and sched["set_by"] == "user:commander"
    assert commander.put(f"/api/v1/incidents/{drill['id']}/sitrep-schedule",
                         json={"times_utc": ["12:00"]}).status_code == 200
    # the periodic check, 31 min later: the jobs run on the app's workers with the commander's grants
    later = utcnow() + dt.timedelta(days=1, minutes=1)
    queued = sitreps.run_due(sf, later)
    assert len(queued) == 2
    done = [jobs.wait(sf, j, timeout_s=120) for j in queued]
    assert all(j.state == "succeeded" and j.actor == "user:commander" for j in done)
    listed = viewer.get(f"/api/v1/incidents/{inc['id']}/sitreps").json()
    assert listed["total"] == 1
    rep = listed["items"][0]
    assert rep["lang"] == "zh-CN" and rep["mode"] == "real" and rep["report_no"] == 1
    assert rep["counts"]["casualties_total"] == 3 and rep["counts"]["units_committed"] == 0
    html = viewer.get(rep["html_url"])
    assert html.status_code == 200 and "持刀砍杀" in html.text
    pdf = viewer.get(rep["pdf_url"])
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    # exercise reports only when asked
    assert [x["incident_id"] for x in viewer.get("/api/v1/sitreps").json()["items"]] == [inc["id"]]
    both_modes = viewer.get("/api/v1/sitreps", params={"modes": ["real", "exercise"]}).json()["items"]
    assert sorted(x["incident_id"] for x in both_modes) == sorted([inc["id"], drill["id"]])
    tl = viewer.get(f"/api/v1/incidents/{inc['id']}/timeline").json()["items"]
    assert [e["details"].get("event") for e in tl if e["kind"] == "sitrep"] == ["scheduled", "generated"]
    # stop: 204, and again 204 (nothing to stop)
    assert viewer.delete(path).status_code == 403
    assert commander.delete(path).status_code == 204
    assert commander.delete(path).status_code == 204
    assert commander.get(path).json()["active"] is False


def test_cli_schedule_tick_list_and_write(cli_monaco: Path, tmp_path: Path) -> None:
    def ok(*args: str) -> str:
        r = runner.invoke(app, list(args))
        assert r.exit_code == 0, r.output
        return r.output

    inc = json.loads(ok("incidents", "open", "--region", "Monaco", "--type", "arson", "--severity", "moderate",
                        "--title", "Fire in the car park", "--at", "7.4286,43.7393", "--casualties", "delayed=2",
                        "--json"))
    bad = runner.invoke(app, ["incidents", "schedule", str(inc["id"]), "--every", "1"])
    assert bad.exit_code == 2 and "interval_min" in bad.output
    out = ok("incidents", "schedule", str(inc["id"]), "--every", "10", "--lang", "zh-CN")
    assert "every 10 min" in out
    assert "0 situation reports generated" in ok("incidents", "tick")
    later = (utcnow() + dt.timedelta(minutes=11)).isoformat()
    assert "1 situation reports generated" in ok("incidents", "tick", "--now", later)
    rows = json.loads(ok("incidents", "sitreps", str(inc["id"]), "--json"))["items"]
    assert len(rows) == 1 and rows[0]["counts"]["casualties_total"] == 2 and rows[0]["lang"] == "zh-CN"
    target = tmp_path / "r.html"
    ok("incidents", "sitrep", str(inc["id"]), str(rows[0]["id"]), "--out", str(target))
    assert "纵火" in target.read_text(encoding="utf-8")
    ok("incidents", "schedule", str(inc["id"]), "--stop")
    assert "0 situation reports generated" in ok("incidents", "tick", "--now", later)
