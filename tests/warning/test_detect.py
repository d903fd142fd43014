"""Detection on stored series, alerts and their posture recommendation, CAP 1.2 export, priors side by side,
backtest, REST and CLI."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from bastion.algorithms.risk.threat import target_type
from bastion.kernel.errors import DataIntegrityError
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.platform import cli as platform_cli
from bastion.regions.models import Region
from bastion.sites.models import Site
from bastion.warning import alerts as alerts_svc
from bastion.warning import analysis
from bastion.warning import cap
from bastion.warning import service as svc
from bastion.warning.models import WarningAlert
from tests.api_fixtures import finish_job
from tests.api_fixtures import job_result
from tests.warning.synthetic_files import START
from tests.warning.synthetic_files import gtd_csv

API = "/api/v1"
CAP_NS = {"c": "urn:oasis:names:tc:emergency:cap:1.2"}
RISE_WEEK = START + dt.timedelta(weeks=316)  # the transport/IED series jumps from 3 to 12 a week here


def _monaco(sf: sessionmaker[Session]) -> int:
    with sf() as s:
        return int(s.scalar(select(Region.id).where(Region.name == "Monaco")))


@pytest.fixture
def risen(monaco_sf: sessionmaker[Session]) -> int:
    rid = _monaco(monaco_sf)
    svc.import_bytes(monaco_sf, rid, gtd_csv(), "gtd", "synthetic.csv")
    return rid


def test_a_rise_is_detected_once_with_a_posture_recommendation(monaco_sf: sessionmaker[Session], risen: int) -> None:
    r = alerts_svc.detect(monaco_sf, risen, weeks=8)
    assert r.series == 4 and r.decided == 4 * 8
    with monaco_sf() as s:
        alerts = alerts_svc.list_alerts(s, risen)
        hit = [a for a in alerts if (a.attack_type, a.target_type) == ("ied", 19)]
        assert len(hit) == 1 and hit[0].week == RISE_WEEK
        a = hit[0]
        assert a.observed > a.upper and a.status == "open" and a.decision == "pending"
        assert a.current_level == "SUBSTANTIAL"
        assert (a.recommended_action, a.recommended_level) == ("raise", "SEVERE")  # p < 0.001
        assert a.evidence["series"]["site_categories"] == ["transport"]
        rec = alerts_svc.posture_recommendation(s, a.id)
        assert rec.action == "raise" and rec.evidence["observed"] == a.observed
        alert_id = a.id
    again = alerts_svc.detect(monaco_sf, risen, weeks=8)  # idempotent
    assert again.new_alerts == () and again.extended_alerts == ()
    # the posture domain records the outcome; nothing here changes posture
    done = alerts_svc.record_posture_decision(monaco_sf, alert_id, "approved", posture_change_id=42)
    assert done.decision == "approved"
    with pytest.raises(InvalidInput, match="already approved"):
        alerts_svc.record_posture_decision(monaco_sf, alert_id, "rejected")
    with pytest.raises(NotFound):
        alerts_svc.record_posture_decision(monaco_sf, 999_999, "approved")


def test_week_by_week_runs_equal_one_run(monaco_sf: sessionmaker[Session], risen: int) -> None:
    """Deciding 8 weeks one week at a time stores the same alerts as deciding them in one run."""
    last = START + dt.timedelta(weeks=319)
    for k in range(7, -1, -1):
        alerts_svc.detect(monaco_sf, risen, through=last - dt.timedelta(weeks=k))
    with monaco_sf() as s:
        stepwise = sorted((a.attack_type, a.target_type, a.week, a.last_week) for a in alerts_svc.list_alerts(s, risen))
        s.query(WarningAlert).delete()
        s.commit()
    alerts_svc.detect(monaco_sf, risen, weeks=8)
    with monaco_sf() as s:
        once = sorted((a.attack_type, a.target_type, a.week, a.last_week) for a in alerts_svc.list_alerts(s, risen))
    assert stepwise == once and any(x[:2] == ("ied", 19) for x in once)


def test_cap_export_is_valid_cap_1_2(monaco_sf: sessionmaker[Session], risen: int) -> None:
    alerts_svc.detect(monaco_sf, risen, weeks=8)
    with monaco_sf() as s:
        a = next(x for x in alerts_svc.list_alerts(s, risen) if x.target_type == 19)
        xml = cap.alert_xml(a, "Monaco", sent=dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC))
    cap.validate(xml)  # the OASIS CAP 1.2 schema
    root = ET.fromstring(xml)
    assert root.findtext("c:scope", namespaces=CAP_NS) == "Restricted"
    assert root.findtext("c:sent", namespaces=CAP_NS) == "2026-11-30T12:00:00+00:00"
    info = root.find("c:info", CAP_NS)
    assert info is not None and info.findtext("c:category", namespaces=CAP_NS) == "Security"
    assert info.findtext("c:responseType", namespaces=CAP_NS) == "Prepare"
    params = {p.findtext("c:valueName", namespaces=CAP_NS): p.findtext("c:value", namespaces=CAP_NS)
              for p in info.findall("c:parameter", CAP_NS)}
    assert params["recommended_level"] == "SEVERE" and params["decision"] == "pending"
    with pytest.raises(DataIntegrityError, match="CAP 1.2"):
        cap.validate(xml.replace("<scope>Restricted</scope>", "<scope>Everyone</scope>"))


def test_priors_side_by_side(monaco_sf: sessionmaker[Session], risen: int) -> None:
    with monaco_sf() as s:
        c = analysis.compare_priors(s, risen)
    shares = {u.key: u for u in c.update.target_shares}
    assert sum(u.posterior for u in shares.values()) == pytest.approx(1.0)
    assert shares["19"].posterior > shares["19"].prior  # transport is over-represented in the local counts
    assert c.sites and all(x.old_total >= 0 and x.new_total >= 0 for x in c.sites)
    with monaco_sf() as s:
        kinds = {i: k for i, k in s.execute(select(Site.id, Site.kind))}
    on_19 = [x for x in c.sites if target_type(x.category, kinds[x.site_id]) == 19]
    on_2 = [x for x in c.sites if target_type(x.category, kinds[x.site_id]) == 2]
    assert on_19 and all(x.new_total > x.old_total for x in on_19)  # transportation: more local attacks
    assert on_2 and all(x.new_total < x.old_total for x in on_2)  # government: no local attack at all


def test_backtest_month(monaco_sf: sessionmaker[Session], risen: int) -> None:
    month = f"{RISE_WEEK.year}-{RISE_WEEK.month:02d}"
    with monaco_sf() as s:
        b = analysis.backtest(s, risen, month)
    hit = [a for a in b.alerts if (a.attack_type, a.target_type) == ("ied", 19)]
    assert len(hit) == 1 and hit[0].week == RISE_WEEK and hit[0].followed
    assert b.weeks_decided > 0 and 0.0 <= (b.followed_share or 0.0) <= 1.0
    with monaco_sf() as s, pytest.raises(InvalidInput, match="month"):
        analysis.backtest(s, risen, "2026-13")


def test_rest_suppresses_small_counts_and_exports_cap(client: TestClient, monaco_sf: sessionmaker[Session]) -> None:
    rid = _monaco(monaco_sf)
    body = {"format": "gtd", "file_label": "syn.csv", "csv": gtd_csv().decode("iso-8859-1")}
    r = client.post(f"{API}/regions/{rid}/warning/imports", json=body)
    assert r.status_code == 201, r.text
    assert client.post(f"{API}/regions/{rid}/warning/imports", json=body).json()["duplicate"] is True
    r = client.post(f"{API}/regions/{rid}/warning/counts", json={"counts": [
        {"week": "2024-W10", "attack_type": "cbr", "target_type": 8, "events": 1}]})
    assert r.status_code == 201, r.text
    series = client.get(f"{API}/regions/{rid}/warning/series").json()["items"]
    manual = next(x for x in series if x["dataset"] == "manual")
    assert manual["events"] is None  # 1 event: withheld
    data = client.get(f"{API}/regions/{rid}/warning/series-data",
                      params={"dataset": "gtd", "attack_type": "other", "target_type": 20}).json()
    assert data["events"] and all(v is None or v == 0 or v >= 3 for v in data["events"])
    assert None in data["events"]
    r = client.post(f"{API}/regions/{rid}/warning/detect", json={"weeks": 8})
    assert r.status_code == 202 and r.json()["kind"] == "warning.detect", r.text
    assert job_result(client, r)["new_alerts"]
    rerun = finish_job(client, client.post(f"{r.headers['location']}/rerun"))
    assert rerun["state"] == "succeeded" and rerun["result"]["new_alerts"] == []  # type: ignore[index]
    alerts = client.get(f"{API}/regions/{rid}/warning/alerts", params={"status": "open"}).json()["items"]
    a = next(x for x in alerts if x["target_type"] == 19)
    assert a["recommended_action"] == "raise" and a["target_label"] == "Transportation"
    assert all(v is None or v == 0 or v >= 3 for _w, v in a["evidence"]["recent_weeks"])
    r = client.get(f"{API}/warning/alerts/{a['id']}/cap")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/cap+xml")
    cap.validate(r.text)
    r = client.patch(f"{API}/warning/alerts/{a['id']}", json={"status": "acknowledged"})
    assert r.json()["status"] == "acknowledged"
    pri = client.get(f"{API}/regions/{rid}/warning/priors").json()
    assert pri["sites"] and pri["target_shares"]
    bt = client.get(f"{API}/regions/{rid}/warning/backtest", params={"month": "2026-01"}).json()
    assert bt["month"] == "2026-01"
    bad = client.post(f"{API}/regions/{rid}/warning/counts", json={"counts": [
        {"week": "2024-W10", "attack_type": "knife", "target_type": 8, "events": 1}]})
    assert bad.status_code == 422


def test_a_viewer_cannot_read_warnings(auth_client, monaco_sf: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    rid = _monaco(monaco_sf)
    viewer = auth_client(role="viewer", region="Monaco")
    assert viewer.get(f"{API}/regions/{rid}/warning/series").status_code == 403
    analyst = auth_client(role="analyst", region="Monaco")
    assert analyst.get(f"{API}/regions/{rid}/warning/series").status_code == 200


def test_cli_import_detect_alerts(cli_monaco: Path, tmp_path: Path) -> None:
    f = tmp_path / "gtd.csv"
    f.write_bytes(gtd_csv())
    run = CliRunner()
    r = run.invoke(platform_cli.app, ["warning", "import", str(f), "--region", "Monaco", "--format", "gtd"])
    assert r.exit_code == 0, r.output
    assert "weekly cells stored" in r.output
    r = run.invoke(platform_cli.app, ["warning", "import", str(f), "--region", "Monaco", "--format", "gtd"])
    assert "nothing changed" in r.output
    r = run.invoke(platform_cli.app, ["warning", "detect", "--region", "Monaco", "--weeks", "8", "--json"])
    assert r.exit_code == 0 and json.loads(r.output[r.output.index("{"):])["new_alerts"], r.output
    r = run.invoke(platform_cli.app, ["warning", "alerts", "--region", "Monaco", "--json"])
    items = json.loads(r.output)["items"]
    alert_id = next(a["id"] for a in items if a["target_type"] == 19)
    out = tmp_path / "a.xml"
    r = run.invoke(platform_cli.app, ["warning", "cap", str(alert_id), "--out", str(out)])
    assert r.exit_code == 0, r.output
    cap.validate(out.read_text(encoding="utf-8"))
    r = run.invoke(platform_cli.app, ["warning", "import", str(f), "--region", "Monaco", "--format", "xls"])
    assert r.exit_code == 2 and "--format" in r.output
    r = run.invoke(platform_cli.app, ["warning", "priors", "--region", "Monaco", "--top", "3"])
    assert r.exit_code == 0 and "side by side" in r.output, r.output
    month = f"{RISE_WEEK.year}-{RISE_WEEK.month:02d}"
    r = run.invoke(platform_cli.app, ["warning", "backtest", "--region", "Monaco", "--month", month])
    assert r.exit_code == 0 and RISE_WEEK.isoformat() in r.output, r.output
    r = run.invoke(platform_cli.app, ["warning", "series", "--region", "Monaco"])
    assert r.exit_code == 0 and "Transportation" in r.output, r.output


def test_alerts_only_recommend_posture_is_unchanged(monaco_sf: sessionmaker[Session], tmp_path: Path) -> None:
    """A 'raise' recommendation leaves the region's threat level (the posture input of the risk domain) untouched;
    long operations report progress in [0, 1]."""
    from bastion.risk.service import threat_setting

    rid = _monaco(monaco_sf)
    with monaco_sf() as s:
        before = threat_setting(s, rid)
    seen: list[tuple[float, str]] = []
    f = tmp_path / "gtd.csv"
    f.write_bytes(gtd_csv(rows_target=22_000, rise_from=316))
    svc.import_file(monaco_sf, rid, f, "gtd", progress=lambda x, m: seen.append((x, m)))
    assert seen and all(0.0 <= x <= 1.0 for x, _ in seen) and any("rows read" in m for _x, m in seen)
    seen.clear()
    r = alerts_svc.detect(monaco_sf, rid, weeks=8, progress=lambda x, m: seen.append((x, m)))
    assert seen[-1] == (1.0, "done")
    with monaco_sf() as s:
        assert any(a.recommended_action == "raise" for a in alerts_svc.list_alerts(s, rid)) and r.new_alerts
        assert threat_setting(s, rid) == before
