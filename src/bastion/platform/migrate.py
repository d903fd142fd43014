"""Alembic driven from code: `bastion db upgrade` and the tests use these functions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    cfg = alembic_config("sqlite://")
    return ScriptDirectory.from_config(cfg).get_current_head()


def schema_diff(conn: Connection) -> list[Any]:
    """What differs between the database and the models (Alembic autogenerate's comparison), leaving out what
    exists only in the database on purpose: the PostGIS twins of the geometry columns (ADR 0004)."""
    from bastion.platform.models import load_all
    from bastion.platform.postgis import include_object

    context = MigrationContext.configure(conn, opts={"include_object": include_object})
    return list(compare_metadata(context, load_all()))
