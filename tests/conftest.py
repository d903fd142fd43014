"""Shared fixtures. Database tests run on SQLite and, when BASTION_TEST_PG_URL is set (always in `make test`
and CI), on a fresh PostgreSQL database per test.

Monaco is imported once per worker process and backend (`golden_dbs`); each test that needs it gets its own
copy (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), so tests stay independent."""

from __future__ import annotations

import os

if os.environ.get("PYTEST_XDIST_WORKER"):
    # pytest-xdist workers run with COLUMNS=80 in their environment; rich consoles created at import would then
    # be fixed at 80 columns and ignore the width the CLI tests set: run workers like a plain pytest process
    for _var in ("COLUMNS", "LINES"):
        os.environ.pop(_var, None)

import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.db.engine import make_engine
from bastion.kernel.db.engine import make_session_factory
from bastion.kernel.settings import Settings
from bastion.platform import migrate

REPO = Path(__file__).resolve().parents[1]
OSM_DIR = REPO / "data" / "osm"
MONACO = OSM_DIR / "monaco-2023-12.osm.pbf"
MONACO_BOUNDARY = OSM_DIR / "monaco-boundary.geojson"
ANDORRA = OSM_DIR / "andorra-2023-05.osm.pbf"
# the account `live_server_url` creates (coordinator over Monaco); web tests sign in with it (tests/web)
WEB_LOGIN, WEB_PASSWORD = "web-tester", "web-tester-password"
WEB_ADMIN_LOGIN = "web-admin"  # an administrator (users, agencies, grants, audit) with WEB_PASSWORD
LIVE: dict[str, str] = {}  # the live server's database URL ("database_url"), set by `live_server_url`
# fixtures shared by the domain folders: an app with an authenticated client (REST), a CLI with Monaco imported
pytest_plugins = ["tests.api_fixtures", "tests.cli_fixtures", "tests.office_fixtures"]

PG_URL = os.environ.get("BASTION_TEST_PG_URL")
if os.environ.get("CI") and not PG_URL:
    raise RuntimeError("CI must run the suite against PostgreSQL too: set BASTION_TEST_PG_URL (make test does)")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


try:  # pytest 9.2 keeps a node's id in `_id` (a NodeId); earlier versions in `_nodeid`
    from _pytest.nodeid import coerce_node_id
except ImportError:  # pragma: no cover - older pytest
    coerce_node_id = None


def _set_nodeid(item: pytest.Item, nodeid: str) -> None:
    if coerce_node_id is not None:
        item._id = coerce_node_id(nodeid)
    else:  # pragma: no cover - older pytest
        item._nodeid = nodeid  # type: ignore[attr-defined]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The node ids pytest-xdist schedules by. schemathesis 4.32 and pytest-xdist 3.8 still write them to
    `_nodeid`, which pytest 9.2 no longer reads, so:
    - schemathesis' tests would all have the function's id and xdist would run only the first operation: give
      each the id its name carries (`test_api_conforms_to_its_schema[GET /api/v1/meta]`);
    - under `--dist loadgroup`, append `@group` for `xdist_group` marks (what xdist means to do), so that a group
      runs in one worker, in order."""
    loadgroup = bool(getattr(config.option, "loadgroup", False))  # set in pytest-xdist workers
    for item in items:
        nodeid = item.nodeid
        if hasattr(item, "operation_label") and "[" not in nodeid:
            nodeid = f"{nodeid.rsplit('::', 1)[0]}::{item.name}"
        groups = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                         for m in item.iter_markers("xdist_group")}) if loadgroup else []
        if groups and "@" not in nodeid:
            nodeid += "@" + "_".join(groups)
        if nodeid != item.nodeid:
            _set_nodeid(item, nodeid)


def _pg_database(name: str, template: str | None = None) -> tuple[str, Engine]:
    """Create database `name` (empty, or a copy of `template`, which must have no open connection)."""
    assert PG_URL
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
    for attempt in range(20):
        try:
            with admin.connect() as c:
                c.execute(text(sql))
            break
        except Exception:  # noqa: BLE001 - psycopg ObjectInUse: a backend was still leaving the template
            if template is None or attempt == 19:
                raise
            time.sleep(0.25)
    with admin.connect() as c:
        # a test database needs no durability: commits do not wait for the WAL to reach the disk (the server's
        # own crash is the only thing this gives up; every connection still sees every committed row)
        c.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
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


# Dropping a database costs PostgreSQL a while (seconds on a busy machine): tests hand it to one background
# thread and go on; the session waits for every drop at its end (and fails if one failed).
_DROPPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-drop")
_DROPS: list[Future[None]] = []


def _drop_pg_later(name: str, admin: Engine) -> None:
    _DROPS.append(_DROPPER.submit(_drop_pg, name, admin))


# Copying a template costs PostgreSQL a while too (it writes the whole ~20 MB database through the WAL): each worker
# makes the next test's copy in the background while the current test runs (`GoldenDatabases.pg_copy`).
_CREATOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-create")


def _new_pg_copy(template: str | None) -> tuple[str, str, Engine]:
    name = f"bastion_t_{uuid.uuid4().hex[:12]}"
    url, admin = _pg_database(name, template=template)
    return name, url, admin


@pytest.fixture(autouse=True, scope="session")
def _pg_drops_finish() -> Iterator[None]:
    yield
    for future in _DROPS:
        future.result()


@pytest.fixture(autouse=True, scope="session")
def _routing_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Routing graphs kept on disk (bastion.regions.graphs) go to a session folder, not the user's data dir; the
    variable reaches CLI subprocesses too."""
    saved = os.environ.get("BASTION_ROUTING_CACHE_DIR")
    os.environ["BASTION_ROUTING_CACHE_DIR"] = str(tmp_path_factory.mktemp("routing-cache"))
    yield
    if saved is None:
        os.environ.pop("BASTION_ROUTING_CACHE_DIR", None)
    else:
        os.environ["BASTION_ROUTING_CACHE_DIR"] = saved


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


class GoldenDatabases:
    """Databases built once per worker process and backend, on first use, and copied for each test that needs
    one (`copy_sqlite`, `pg_template`); the golden databases themselves are never handed out. Kinds:

    - "migrated": an empty database at the head migration (what `engine` makes of an empty database);
    - "monaco": that, plus the real Monaco extract imported by the import service (`import_osm` with MONACO and
      MONACO_BOUNDARY, as `monaco_sf` did per test before)."""

    KINDS = ("migrated", "monaco")

    def __init__(self, directory: Path) -> None:
        self._dir = directory
        self._sqlite: dict[str, Path] = {}
        self._pg: dict[str, str] = {}
        self._pg_created: list[str] = []
        self._pg_spare: dict[str | None, Future[tuple[str, str, Engine]]] = {}

    @staticmethod
    def _fill(url: str, kind: str) -> None:
        eng = make_engine(url)
        try:
            migrate.upgrade(eng)
            if kind == "monaco":
                from bastion.imports.service import import_osm

                import_osm(make_session_factory(eng), MONACO, "Monaco", boundary_file=MONACO_BOUNDARY)
        finally:
            eng.dispose()  # a template must have no open connection, a SQLite file is copied closed

    def copy_sqlite(self, dest: Path, kind: str = "monaco") -> Path:
        """Copy the golden SQLite database `kind` to `dest` (a file no one has open); returns `dest`."""
        assert kind in self.KINDS, kind
        if kind not in self._sqlite:
            path = self._dir / f"{kind}.db"
            self._fill(f"sqlite:///{path}", kind)
            self._sqlite[kind] = path
        src = self._sqlite[kind]
        dest.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal"):  # closing the last connection checkpoints the WAL; copy it if one is left
            if src.with_name(src.name + suffix).exists():
                shutil.copyfile(src.with_name(src.name + suffix), dest.with_name(dest.name + suffix))
        return dest

    def pg_template(self, kind: str = "monaco") -> str:
        """The name of the golden PostgreSQL database `kind`, for `_pg_database(name, template=...)`."""
        assert kind in self.KINDS, kind
        if kind not in self._pg:
            name = f"bastion_golden_{uuid.uuid4().hex[:12]}"  # unique per worker process (and per checkout)
            url, admin = _pg_database(name)
            self._pg_created.append(name)
            self._fill(url, kind)
            with admin.connect() as c:  # no one (autovacuum included) may hold it open while it is copied
                c.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            admin.dispose()
            self._pg[kind] = name
        return self._pg[kind]

    def pg_copy(self, kind: str | None = "monaco") -> tuple[str, str, Engine]:
        """A new PostgreSQL database of its own for one test: a copy of the golden database `kind` (None: an empty
        database); returns (name, url, admin engine) for `_drop_pg_later(name, admin)` when the test is done. The
        copy was made in the background while the previous test of the same kind ran, and the next one is started
        now (tests stay independent: no database is ever handed out twice)."""
        template = self.pg_template(kind) if kind is not None else None
        spare = self._pg_spare.pop(kind, None)
        copy = None
        if spare is not None:
            try:
                copy = spare.result()
            except Exception:  # noqa: BLE001 - make it here instead, where a failure is reported with the test
                copy = None
        if copy is None:
            copy = _new_pg_copy(template)
        self._pg_spare[kind] = _CREATOR.submit(_new_pg_copy, template)
        return copy

    def close(self) -> None:
        assert PG_URL or not self._pg_created
        for spare in self._pg_spare.values():  # first: a template is being copied until its spare is made
            try:
                name, _, admin = spare.result()
            except Exception:  # noqa: BLE001 - nothing was made
                continue
            _drop_pg(name, admin)
        for name in self._pg_created:
            _drop_pg(name, create_engine(PG_URL, isolation_level="AUTOCOMMIT"))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def golden_dbs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GoldenDatabases]:
    """Session scope: once per pytest-xdist worker process; the PostgreSQL templates are dropped at the end."""
    golden = GoldenDatabases(tmp_path_factory.mktemp("golden"))
    try:
        yield golden
    finally:
        golden.close()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL on each backend, private to the test: an empty database, or a copy of a golden one when
    the test's fixtures would make it that anyway, so that `db_url`, `engine`, `session_factory` and `monaco_sf`
    stay one database: the Monaco one when the test uses `monaco_sf` (directly or through a fixture such as
    `app`), else the migrated one when it uses `engine` (which migrates at once)."""
    kind = ("monaco" if "monaco_sf" in request.fixturenames
            else "migrated" if "engine" in request.fixturenames else None)
    golden: GoldenDatabases | None = request.getfixturevalue("golden_dbs") if kind else None
    if request.param == "sqlite":
        path = tmp_path / "bastion.db"
        if golden is not None and kind is not None:
            golden.copy_sqlite(path, kind)
        yield f"sqlite:///{path}"
        return
    name, url, admin = (golden or request.getfixturevalue("golden_dbs")).pg_copy(kind)
    try:
        yield url
    finally:
        _drop_pg_later(name, admin)


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
    """A migrated database with the real Monaco extract imported (on each backend): the test's own copy of
    the golden Monaco database (`db_url` makes the copy when a test uses this fixture)."""
    return session_factory


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server_url(tmp_path_factory: pytest.TempPathFactory, golden_dbs: GoldenDatabases) -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1 serving the app on a SQLite database with Monaco imported, and the
    account WEB_LOGIN / WEB_PASSWORD (coordinator). Sign a browser context in with `sign_in(context, url)`
    (tests/web/conftest.py) or through the page's sign-in form."""
    import uvicorn

    from bastion.platform.app import create_app

    data_dir = tmp_path_factory.mktemp("live")
    from tests.auth_helpers import TEST_SECRET

    # one server for all of a worker's browser tests, each signing in (API token and page): far more than the
    # default 20 sign-ins a minute from 127.0.0.1 (the limit itself is tested in tests/access)
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'bastion.db'}",
                        secret_key=TEST_SECRET, login_rate_per_minute=10_000)
    golden_dbs.copy_sqlite(data_dir / "bastion.db")
    LIVE["database_url"] = settings.resolved_database_url()
    eng = make_engine(settings.resolved_database_url())
    migrate.upgrade(eng)
    sf = make_session_factory(eng)
    from tests.auth_helpers import make_user

    make_user(sf, WEB_LOGIN, role="coordinator", region_id=None, password=WEB_PASSWORD)
    make_user(sf, WEB_ADMIN_LOGIN, role="admin", region_id=None, password=WEB_PASSWORD)
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
