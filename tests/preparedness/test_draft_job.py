"""Drafting a region's plans runs as the `preparedness.draft_region` job: 202 with Location, the job's result
counts the drafts, and a re-run of the same job drafts nothing new (same plans, no new versions)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.preparedness.models import EmergencyPlan
from bastion.sites.models import Site
from tests.api_fixtures import finish_job
from tests.api_fixtures import job_result

API = "/api/v1"


def test_region_draft_is_a_job_and_a_rerun_adds_no_version(client: TestClient,
                                                           monaco_sf: sessionmaker[Session]) -> None:
    with monaco_sf() as s:
        site = s.scalar(select(Site).where(Site.name == "Stade Louis-II"))
        assert site is not None
        sid, rid = site.id, site.region_id
    bad = client.post(f"{API}/regions/{rid}/emergency-plans/draft", json={"threats_per_site": 9})
    assert bad.status_code == 422 and "threats_per_site" in bad.text  # refused before anything is queued
    accepted = client.post(f"{API}/regions/{rid}/emergency-plans/draft",
                           json={"site_ids": [sid], "threats_per_site": 2})
    assert accepted.status_code == 202 and accepted.headers["location"].startswith(f"{API}/jobs/")
    assert accepted.json()["kind"] == "preparedness.draft_region"
    first = job_result(client, accepted)
    assert (first["sites"], first["plans_created"], first["unchanged"]) == (1, 2, 0)

    rerun = client.post(f"{accepted.headers['location']}/rerun")
    job = finish_job(client, rerun)
    assert job["state"] == "succeeded" and job["attempts"] == 2, job
    assert job["result"]["plans_created"] == 0 and job["result"]["unchanged"] == 2  # type: ignore[index]
    with monaco_sf() as s:
        n = s.scalar(select(func.count()).select_from(EmergencyPlan).where(EmergencyPlan.site_id == sid))
    assert n == 2  # one version per threat: the re-run stored nothing
