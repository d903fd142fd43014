"""Engine and session factories. SQLite gets foreign keys on and WAL journaling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.errors import InvalidInput


def make_engine(url: str, **kwargs: Any) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001 - sqlalchemy raises ArgumentError with a terse text
        raise InvalidInput(
            f"BASTION_DATABASE_URL {url!r} is not a database URL: use sqlite:///path/to/file.db or "
            "postgresql+psycopg://user:password@host/dbname",
            field="database_url",
        ) from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InvalidInput(
            f"database backend {parsed.get_backend_name()!r} is not supported: use sqlite or postgresql",
            field="database_url",
        )
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine, *, audit_key: bytes | None = None) -> sessionmaker[Session]:
    """Sessions for the services. `audit_key` (Settings.audit_secret()) seals the audit chain: it travels in
    `session.info` so `access.audit.record(session, ...)` needs no settings; absent: a development key."""
    info = {} if audit_key is None else {"audit_key": audit_key}
    return sessionmaker(engine, expire_on_commit=False, info=info)
