"""The jobs tray in a real browser: a running job of the signed-in user is listed on load (so it survives a
reload), its progress bar and message follow the job's events, the cancel button asks the server to stop it, and
the tray shows how the job ended. The job row is written directly (no worker holds it) so every step is
controlled; the coverage layer test drives runJob() end to end."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.models import User
from bastion.jobs.models import Job
from bastion.kernel.db.base import utcnow
from bastion.regions.models import Region
from tests.conftest import WEB_LOGIN
from tests.web.test_map_page import _open

pytestmark = pytest.mark.web


def _set(sf: sessionmaker[Session], job_id: int, **values: object) -> None:
    with sf.begin() as s:
        s.execute(update(Job).where(Job.id == job_id).values(**values))


def test_the_tray_lists_follows_and_cancels_a_running_job(browser: Browser, live_server_url: str,
                                                          live_sf: sessionmaker[Session]) -> None:
    with live_sf.begin() as s:
        uid = s.scalar(select(User.id).where(User.login == WEB_LOGIN))
        rid = s.scalar(select(Region.id).where(Region.name == "Monaco"))
        job = Job(kind="patrol.plan", params={}, state="running", progress=0.4, message="solving 4/10",
                  requested_by=uid, actor=f"user:{WEB_LOGIN}", principal={}, region_id=rid, attempts=1,
                  cancel_requested=False, worker="elsewhere:1:t", created_at=utcnow(), started_at=utcnow(),
                  heartbeat_at=utcnow())
        s.add(job)
        s.flush()
        job_id = job.id
    page, errors, foreign = _open(browser, live_server_url, width=1280, height=800)
    row = page.locator(f"#jobs-tray li[data-job-id='{job_id}']")
    expect(row).to_contain_text("Patrol plan: 40 % solving 4/10")
    expect(row.locator("progress")).to_have_attribute("value", "40")
    _set(live_sf, job_id, progress=0.7, message="solving 7/10", heartbeat_at=utcnow())
    expect(row).to_contain_text("70 % solving 7/10")  # from the event stream
    page.reload()
    page.wait_for_selector("body[data-ready='true']", state="attached")
    expect(row).to_contain_text("70 % solving 7/10")  # still listed after a reload
    row.get_by_role("button", name="Cancel").click()
    deadline = time.monotonic() + 20
    while True:
        with live_sf() as s:
            if s.scalar(select(Job.cancel_requested).where(Job.id == job_id)):
                break
        assert time.monotonic() < deadline, "the cancel button did not reach the server"
        time.sleep(0.1)
    _set(live_sf, job_id, state="cancelled", finished_at=utcnow(), error={"code": "cancelled", "message": "stopped"})
    expect(row).to_have_attribute("data-state", "cancelled")
    expect(row.get_by_role("button", name="Cancel")).to_be_hidden()
    assert errors == [] and foreign == []
