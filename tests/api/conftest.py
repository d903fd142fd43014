from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bastion.api.app import create_app
from bastion.config import Settings


@pytest.fixture
def client(monaco_sf: sessionmaker[Session], db_url: str, tmp_path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(Settings(data_dir=tmp_path, database_url=db_url))
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()
