"""Engine and session factories. SQLite gets foreign keys on and WAL journaling."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.errors import InvalidInput


class EncodedJSON(str):
    """A JSON document already encoded with ``json.dumps``: a JSON column stores it as it is instead of encoding it
    again. A writer of many rows encodes them before it opens its transaction, so that the transaction (and, on
    SQLite, the database's one write lock) is held only for the inserts."""

    __slots__ = ()

    @classmethod
    def of(cls, value: Any) -> EncodedJSON:
        return cls(json.dumps(value))


def encode_json(value: Any) -> str:
    """The engines' JSON serializer: ``json.dumps``, except for an EncodedJSON, which is stored as it is."""
    if isinstance(value, EncodedJSON):
        return str(value)
    return json.dumps(value)


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
    kwargs.setdefault("json_serializer", encode_json)
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
