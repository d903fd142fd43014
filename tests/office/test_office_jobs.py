"""Duty generation and campaign launch run as the `office.duties` and `office.campaign` jobs (docs/jobs.md): 202
with Location, 422 before anything is queued, the job's result counts what was made, and a re-run of the same job
makes nothing new (no duty twice, no second campaign, no second inspection)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.office.models import Campaign
from bastion.office.models import CampaignSite
from bastion.office.models import Duty
from bastion.regions.models import Region
from bastion.supervision.models import Inspection
from tests.api_fixtures import finish_job
from tests.api_fixtures import job_result

API = "/api/v1"


def _count(sf: sessionmaker[Session], model: type) -> int:
    with sf() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _monaco(sf: sessionmaker[Session]) -> int:
    with sf() as s:
        return int(s.scalar(select(Region.id).where(Region.name == "Monaco")))


def test_duties_job_202_result_and_rerun_creates_no_duplicate(office_sf: sessionmaker[Session],
                                                              client: TestClient) -> None:
    rid = _monaco(office_sf)
    bad = client.post(f"{API}/regions/{rid}/office/duties", json={"on": "2026-13-01"})
    assert bad.status_code == 422 and "on" in bad.text
    accepted = client.post(f"{API}/regions/{rid}/office/duties", json={"on": "2026-11-15"})
    assert accepted.status_code == 202 and accepted.headers["location"].startswith(f"{API}/jobs/")
    assert accepted.json()["kind"] == "office.duties"
    first = job_result(client, accepted)
    stored = _count(office_sf, Duty)
    assert first["created"] == stored > 0 and first["existing"] == 0 and first["on"] == "2026-11-15"

    job = finish_job(client, client.post(f"{accepted.headers['location']}/rerun"))
    assert job["state"] == "succeeded" and job["attempts"] == 2, job
    assert job["result"]["created"] == 0 and job["result"]["existing"] == stored  # type: ignore[index]
    assert job["result_url"] == f"{API}/regions/{rid}/office/duties"
    assert _count(office_sf, Duty) == stored


def test_campaign_job_202_result_and_rerun_reuses_the_campaign(office_sf: sessionmaker[Session],
                                                               client: TestClient) -> None:
    rid = _monaco(office_sf)
    bad = client.post(f"{API}/regions/{rid}/office/campaigns", json={"name": "x", "checklist": ["lasers"]})
    assert bad.status_code == 422 and "checklist" in bad.text  # refused before anything is queued
    body = {"name": "Schools and hospitals", "categories": ["education", "health"], "checklist": ["cctv"],
            "clock": "calendar", "deadline_days": 7}
    accepted = client.post(f"{API}/regions/{rid}/office/campaigns", json=body)
    assert accepted.status_code == 202 and accepted.json()["kind"] == "office.campaign"
    first = job_result(client, accepted)
    cid = first["campaign_id"]
    assert first["sites"] == first["added"] == _count(office_sf, CampaignSite) > 0 and first["reused"] is False
    inspections = _count(office_sf, Inspection)
    listed = client.get(f"{API}/regions/{rid}/office/campaigns").json()["items"]
    assert [c["id"] for c in listed] == [cid] and sum(b["sites"] for b in listed[0]["board"]) == first["sites"]

    job = finish_job(client, client.post(f"{accepted.headers['location']}/rerun"))
    assert job["state"] == "succeeded" and job["attempts"] == 2, job
    r = job["result"]
    assert isinstance(r, dict) and r["campaign_id"] == cid and r["reused"] is True and r["added"] == 0
    assert r["sites"] == first["sites"]
    assert (_count(office_sf, Campaign), _count(office_sf, CampaignSite), _count(office_sf, Inspection)) == (
        1, first["sites"], inspections)


def test_cli_duties_and_campaign_run_their_jobs_in_the_foreground(cli_monaco: Path) -> None:
    """`bastion office duties` / `office campaign` queue their kind and run it here; the jobs are recorded."""
    from typer.testing import CliRunner

    from bastion.platform.cli import app

    runner = CliRunner()
    args = ["office", "duties", "--region", "Monaco", "--on", "2026-11-15", "--json"]
    first = json.loads(runner.invoke(app, args).output)
    again = json.loads(runner.invoke(app, args).output)
    assert first["created"] > 0 and (again["created"], again["existing"]) == (0, first["created"])
    r = runner.invoke(app, ["office", "campaign", "Museums", "--region", "Monaco", "--clock", "calendar"])
    assert r.exit_code == 0, r.output
    assert "100%" in r.output and "campaign 1: deadline" in r.output and "(job 3)" in r.output
    bad = runner.invoke(app, ["office", "campaign", "x", "--region", "Monaco", "--measure", "lasers"])
    assert bad.exit_code != 0 and "checklist" in bad.output and "Traceback" not in bad.output
    listed = json.loads(runner.invoke(app, ["jobs", "list", "--json"]).output)
    assert sorted((j["kind"], j["state"]) for j in listed["items"]) == [
        ("office.campaign", "succeeded"), ("office.duties", "succeeded"), ("office.duties", "succeeded")]
