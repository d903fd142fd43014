"""API fixtures. Every API test authenticates:

- `client`: a coordinator over every region (the lead office), as a bearer token;
- `anon_client`: no credentials;
- `auth_client(role="viewer", region="Monaco", agency="Police", agency_kind="police")`: a factory for a client
  acting as a user with one grant (region: a region name, or None for every region);
- `app_settings`: the Settings the app runs with (the test secret key);
- `app`: the app on a database with Monaco imported (a test module may override `app` with one on an empty
  database, as tests/api/test_auth_api.py does, when it needs no sites)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.settings import Settings
from bastion.platform.app import create_app
from bastion.regions.repository import RegionRepo
from tests.auth_helpers import TEST_SECRET
from tests.auth_helpers import make_user

AuthClient = Callable[..., TestClient]


@pytest.fixture
def app_settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, database_url=db_url, secret_key=TEST_SECRET)


@pytest.fixture
def app(monaco_sf: sessionmaker[Session], app_settings: Settings) -> Iterator[FastAPI]:
    a = create_app(app_settings)
    yield a
    a.state.engine.dispose()


@pytest.fixture
def auth_client(app: FastAPI) -> Iterator[AuthClient]:
    sf: sessionmaker[Session] = app.state.session_factory
    clients: list[TestClient] = []
    n = 0

    def make(role: str | None = "coordinator", region: str | None = None, *, agency: str = "Lead office",
             agency_kind: str = "lead_office", login: str | None = None) -> TestClient:
        nonlocal n
        n += 1
        region_id = None
        if region is not None:
            with sf() as s:
                region_id = RegionRepo(s).get_by_ref(region).id
        token = make_user(sf, login or f"{role or 'none'}-{n}", role=role, region_id=region_id,
                          agency=agency, agency_kind=agency_kind)
        c = TestClient(app, headers={"Authorization": f"Bearer {token}"})
        c.__enter__()
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(auth_client: AuthClient) -> TestClient:
    return auth_client("coordinator", None, login="lead")


@pytest.fixture
def anon_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def finish_job(client: TestClient, accepted: object, *, timeout_s: float = 300.0) -> dict[str, object]:
    """Long work answers 202 with Location /api/v1/jobs/{id} (docs/jobs.md): wait for the app's in-process
    workers to finish the job and return it (GET /jobs/{id}: state, result, result_url, error)."""
    import time

    r = accepted  # an httpx.Response
    assert r.status_code == 202, r.text  # type: ignore[attr-defined]
    url = r.headers["location"]  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout_s
    while True:
        job: dict[str, object] = client.get(url).json()
        if job["state"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline, f"job {url} still {job['state']} after {timeout_s} s"
        time.sleep(0.05)


def job_result(client: TestClient, accepted: object) -> dict[str, object]:
    """``finish_job`` for a job that must succeed: its result."""
    job = finish_job(client, accepted)
    assert job["state"] == "succeeded", job
    result = job["result"]
    assert isinstance(result, dict)
    return result
