"""A module-scoped database with Monaco imported, on each backend (patrol tests share one copy of the golden Monaco
database per module)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.db.engine import make_engine
from bastion.kernel.db.engine import make_session_factory
from tests.conftest import BACKENDS
from tests.conftest import GoldenDatabases
from tests.conftest import _drop_pg_later


@pytest.fixture(scope="module", params=BACKENDS)
def monaco_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
               golden_dbs: GoldenDatabases) -> Iterator[str]:
    admin = None
    if request.param == "sqlite":
        url = f"sqlite:///{golden_dbs.copy_sqlite(Path(tmp_path_factory.mktemp('patrol')) / 'bastion.db')}"
    else:
        name, url, admin = golden_dbs.pg_copy("monaco")
    yield url
    if admin is not None:
        _drop_pg_later(name, admin)


@pytest.fixture(scope="module")
def monaco_module_sf(monaco_url: str) -> Iterator[sessionmaker[Session]]:
    eng = make_engine(monaco_url)
    yield make_session_factory(eng)
    eng.dispose()
