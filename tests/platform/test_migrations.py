"""Migrations reach head and match the models exactly (no autogenerate diff), on every backend."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import select

from bastion.kernel.db.engine import make_engine
from bastion.kernel.db.engine import make_session_factory
from bastion.platform import migrate

OLD_DB = Path(__file__).resolve().parents[1] / "fixtures" / "db" / "monaco-b64729a.sqlite.gz"


def test_upgrade_head_matches_models(engine: Engine) -> None:
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as conn:
        diff = migrate.schema_diff(conn)
    assert diff == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_a_database_made_before_the_restructure_upgrades_and_works(tmp_path: Path) -> None:
    """A database written by commit b64729a (the old layer layout) opens, upgrades to head with no schema
    difference, and today's services read and write it."""
    from bastion.access.authn import NewSession
    from bastion.access.authn import Policy
    from bastion.access.authn import login
    from bastion.risk.service import store_region_assessment
    from bastion.sites.models import Site

    db = tmp_path / "old.db"
    with gzip.open(OLD_DB) as src, db.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    eng = make_engine(f"sqlite:///{db}")
    try:
        assert migrate.current_revision(eng) == "20261126_0008"
        migrate.upgrade(eng)
        assert migrate.current_revision(eng) == migrate.head_revision()
        with eng.connect() as conn:
            assert migrate.schema_diff(conn) == []
        sf = make_session_factory(eng)
        with sf() as s:
            assert s.scalar(select(func.count()).select_from(Site)) == 164  # the old rows (a re-import merges places)
        rr = store_region_assessment(sf, 1)
        assert len(rr.ranking) == 164
        opened = login(sf, Policy(secret_key="x" * 40), "coord", "fixture-password-123", client=None, mode="cookie")
        assert isinstance(opened, NewSession)  # the old account signs in with today's code
    finally:
        eng.dispose()
