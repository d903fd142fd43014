"""Shared fixtures. Database tests run on SQLite and, when BASTION_TEST_PG_URL is set (always in `make test`
and CI), on a fresh PostgreSQL database per test."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bastion.kernel.db.engine import make_engine, make_session_factory
from bastion.kernel.settings import Settings
from bastion.platform import migrate

REPO = Path(__file__).resolve().parents[1]
OSM_DIR = REPO / "data" / "osm"
MONACO = OSM_DIR / "monaco-2023-12.osm.pbf"
MONACO_BOUNDARY = OSM_DIR / "monaco-boundary.geojson"
ANDORRA = OSM_DIR / "andorra-2023-05.osm.pbf"
# the account `live_server_url` creates (coordinator over Monaco); web tests sign in with it (tests/web)
WEB_LOGIN, WEB_PASSWORD = "web-tester", "web-tester-password"
# fixtures shared by the domain folders: an app with an authenticated client (REST), a CLI with Monaco imported
pytest_plugins = ["tests.api_fixtures", "tests.cli_fixtures"]

PG_URL = os.environ.get("BASTION_TEST_PG_URL")
if os.environ.get("CI") and not PG_URL:
    raise RuntimeError("CI must run the suite against PostgreSQL too: set BASTION_TEST_PG_URL (make test does)")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def _pg_database(name: str) -> tuple[str, Engine]:
    assert PG_URL
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    return url, admin


def _drop_pg(name: str, admin: Engine) -> None:
    # FORCE cannot end a backend of another role (e.g. an autovacuum worker that just started on the fresh
    # database): retry briefly instead of failing the test's teardown
    for attempt in range(20):
        try:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            break
        except Exception:  # noqa: BLE001 - psycopg InsufficientPrivilege / ObjectInUse
            if attempt == 19:
                raise
            time.sleep(0.25)
    admin.dispose()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """argon2 with production parameters costs ~0.5 s per hash on a loaded CI box: tests use cheap parameters
    (the hashes still carry their parameters, so verification follows them)."""
    from argon2 import PasswordHasher

    from bastion.access import credentials

    saved = credentials._HASHER
    credentials._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    credentials._HASHER = saved


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bastion.db'}"
        return
    name = f"bastion_t_{uuid.uuid4().hex[:12]}"
    url, admin = _pg_database(name)
    try:
        yield url
    finally:
        _drop_pg(name, admin)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def monaco_sf(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """A migrated database with the real Monaco extract imported (on each backend)."""
    from bastion.imports.service import import_osm

    import_osm(session_factory, MONACO, "Monaco", boundary_file=MONACO_BOUNDARY)
    return session_factory


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1 serving the app on a SQLite database with Monaco imported, and the
    account WEB_LOGIN / WEB_PASSWORD (coordinator). Sign a browser context in with `sign_in(context, url)`
    (tests/web/conftest.py) or through the page's sign-in form."""
    import uvicorn

    from bastion.imports.service import import_osm
    from bastion.platform.app import create_app

    data_dir = tmp_path_factory.mktemp("live")
    from tests.auth_helpers import TEST_SECRET

    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'bastion.db'}",
                        secret_key=TEST_SECRET)
    eng = make_engine(settings.resolved_database_url())
    migrate.upgrade(eng)
    sf = make_session_factory(eng)
    import_osm(sf, MONACO, "Monaco", boundary_file=MONACO_BOUNDARY)
    from tests.auth_helpers import make_user

    make_user(sf, WEB_LOGIN, role="coordinator", region_id=None, password=WEB_PASSWORD)
    eng.dispose()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning",
                                           proxy_headers=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
