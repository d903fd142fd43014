"""Property-based API testing from the OpenAPI schema (schemathesis): zero 5xx, status codes, content types and
bodies match the schema. Bounded: MAX_EXAMPLES per operation, derandomized; SQLite (the app and its checks are the
same on PostgreSQL; the database-specific paths are covered by the other API tests on both backends).

Every request is signed in with a valid API token of a user holding admin + coordinator over every region (minted
anew whenever a call may have revoked it), so each operation's own logic is exercised (authorization is covered by
test_authz_matrix)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import service as accounts
from bastion.kernel.db.engine import make_engine
from bastion.kernel.db.engine import make_session_factory
from bastion.kernel.settings import Settings
from bastion.platform import migrate
from bastion.platform.app import create_app
from tests.auth_helpers import ACTOR
from tests.auth_helpers import TEST_SECRET
from tests.auth_helpers import make_user
from tests.auth_helpers import token_for
from tests.conftest import GoldenDatabases

# slow; one worker under pytest-xdist (test_examples_ran reads what the fuzzing test recorded in this process)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("schemathesis")]
MAX_EXAMPLES = 20
CALLS: list[tuple[str, str, int]] = []
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# schemathesis' lazy `from_fixture` loader does not work with pytest 9, so the app is built at import (cheap: it
# does not touch the database) on a temporary folder; the module fixture below fills the database before any call.
_DIR = Path(tempfile.mkdtemp(prefix="bastion-fuzz-"))
_URL = f"sqlite:///{_DIR / 'bastion.db'}"
# job_workers=0: long work (patrol plans, assessments, placement) answers 202 and stays queued, so a fuzzed
# request with large bounds (a patrol plan of 366 days over 200 sites) costs one row, not minutes of solving; the
# jobs' runs are covered by tests/jobs and each domain's API tests. Event streams are excluded: a job's streams until
# the job ends (never, with no worker; tests/jobs reads it), the incident board's stays open by design
# (tests/incidents covers it).
_APP = create_app(Settings(data_dir=_DIR, database_url=_URL, secret_key=TEST_SECRET, login_rate_per_minute=10_000,
                           job_workers=0))
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP).exclude(
    path="/api/v1/jobs/{job_id}/events", method="GET").exclude(
    path="/api/v1/incident-board/stream", method="GET")


@pytest.fixture(scope="module")
def fuzz_sf(golden_dbs: GoldenDatabases) -> Iterator[sessionmaker[Session]]:
    golden_dbs.copy_sqlite(_DIR / "bastion.db")  # Monaco imported (tests/conftest.py); nothing has opened _URL
    eng = make_engine(_URL)
    migrate.upgrade(eng)
    sf = make_session_factory(eng)
    make_user(sf, "fuzzer", role="admin")
    accounts.grant(sf, "fuzzer", "coordinator", None, actor=ACTOR)
    yield sf
    eng.dispose()
    _APP.state.engine.dispose()
    shutil.rmtree(_DIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case, fuzz_sf: sessionmaker[Session]) -> None:
    token = _token(fuzz_sf)
    # timeout: schemathesis' default (10 s) is a response-time limit the slowest operations (a whole-region vehicle
    # assessment) exceed on a loaded 2-core machine running two pytest-xdist workers; conformance is what is checked
    response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS, timeout=120)
    CALLS.append((case.operation.label, case.method, response.status_code))
    if response.status_code == 401 or (case.method.upper() not in ("GET", "HEAD")
                                       and case.operation.path.startswith(ACCOUNT_PATHS)):
        TOKEN.clear()  # logout, a password change, a disabled user or a changed grant may revoke it: mint anew


# One API token for as long as it stays valid: minting one (a row and an audit record) cost more than most fuzzed
# calls. A new one is minted after any write to the account routes (they may revoke it) and after any 401.
ACCOUNT_PATHS = ("/api/v1/auth", "/api/v1/users", "/api/v1/agencies")
TOKEN: list[str] = []


def _token(sf: sessionmaker[Session]) -> str:
    if not TOKEN:
        TOKEN.append(token_for(sf, "fuzzer"))
    return TOKEN[0]


def test_examples_ran() -> None:
    """Runs after the parametrized test above: it really exercised every operation."""
    if not CALLS:
        pytest.skip("run together with test_api_conforms_to_its_schema")
    ops = {label for label, _, _ in CALLS}
    print(f"schemathesis: {len(CALLS)} examples over {len(ops)} operations; "
          f"statuses {sorted({s for *_, s in CALLS})}")
    assert len(ops) >= 27 and all(s < 500 for *_, s in CALLS)
    assert len(CALLS) >= 500
