"""A module-scoped database with Monaco imported, on each backend (patrol tests share one import per module)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bastion.kernel.db.engine import make_engine, make_session_factory
from bastion.platform import migrate
from tests.conftest import BACKENDS, MONACO, MONACO_BOUNDARY, _drop_pg, _pg_database


@pytest.fixture(scope="module", params=BACKENDS)
def monaco_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from bastion.imports.service import import_osm

    admin = None
    if request.param == "sqlite":
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('patrol')) / 'bastion.db'}"
    else:
        name = f"bastion_t_{uuid.uuid4().hex[:12]}"
        url, admin = _pg_database(name)
    eng = make_engine(url)
    migrate.upgrade(eng)
    import_osm(make_session_factory(eng), MONACO, "Monaco", boundary_file=MONACO_BOUNDARY)
    eng.dispose()
    yield url
    if admin is not None:
        _drop_pg(name, admin)


@pytest.fixture(scope="module")
def monaco_module_sf(monaco_url: str) -> Iterator[sessionmaker[Session]]:
    eng = make_engine(monaco_url)
    yield make_session_factory(eng)
    eng.dispose()
