"""The write journal: what a transaction changed, field by field, for the audit trail.

After every flush the journal notes each inserted, updated and deleted ORM row as
`{"table", "id", "op", "changes": {field: [before, after]}}` in `session.info["journal"]`. Secrets never enter
it: a column whose name holds "password", "hash", "secret", "token" or "seed" is written as "(changed)" or
"(set)". Values are clipped (long text, geometry blobs) and at most MAX_ENTRIES rows are noted per transaction
(the rest are counted), so an import does not write a megabyte of audit.

Where the journal goes:
- `access.audit.record(session, ...)` takes it into the record it writes in the same transaction;
- otherwise, on commit, it is handed to the request's sink (`collect()`, used by the API's audit middleware,
  whose request record then carries the changes);
- a command-line session (`session.info["cli_actor"]`) hands what no service audited to the registered
  `on_unaudited` handler before commit: the CLI's writes are audited like the API's (actor cli:<os user>).

The kernel knows no domain: the handler is registered by the platform (platform/cli.py).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm import UOWTransaction

JOURNAL = "journal"
CLI_ACTOR = "cli_actor"
CLI_COMMAND = "cli_command"
MAX_ENTRIES = 50
MAX_TEXT = 300
SECRET_WORDS = ("password", "hash", "secret", "token", "seed", "csrf")
SKIP_TABLES = frozenset({"audit_log", "audit_head", "login_throttle", "road_nodes", "road_edges", "patrol_stops",
                         "patrol_coverage", "vehicle_approaches", "alembic_version"})
SKIP_COLUMNS = frozenset({"version", "updated_at", "recorded_at", "created_at"})

_sink: contextvars.ContextVar[list[dict[str, Any]] | None] = contextvars.ContextVar("bastion_journal_sink",
                                                                                      default=None)
_handler: list[Callable[[Session, str, list[dict[str, Any]]], None]] = []


def on_unaudited(fn: Callable[[Session, str, list[dict[str, Any]]], None]) -> None:
    """Register the one function that audits a command-line transaction's unaudited changes (platform wiring)."""
    _handler[:] = [fn]


@contextmanager
def collect() -> Iterator[list[dict[str, Any]]]:
    """Collect the changes committed while the block runs (in this context and the threads it starts)."""
    bucket: list[dict[str, Any]] = []
    token = _sink.set(bucket)
    try:
        yield bucket
    finally:
        _sink.reset(token)


def is_secret(column: str) -> bool:
    name = column.lower()
    return any(w in name for w in SECRET_WORDS)


def safe_value(v: Any) -> Any:
    """A JSON value for the journal: short text, numbers, ISO times; blobs and big structures summarised."""
    if v is None or isinstance(v, bool | int | float):
        return v
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, bytes | bytearray | memoryview):
        return f"({len(bytes(v))} bytes)"
    if isinstance(v, str):
        return v if len(v) <= MAX_TEXT else v[:MAX_TEXT] + f"… ({len(v)} characters)"
    try:
        text = json.dumps(v, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = str(v)
    return v if len(text) <= MAX_TEXT and isinstance(v, dict | list) else text[:MAX_TEXT]


def _entries(session: Session) -> list[dict[str, Any]]:
    return session.info.setdefault(JOURNAL, [])  # type: ignore[no-any-return]


def note(session: Session, table: str, ident: object, op: str, changes: dict[str, Any]) -> None:
    """Add changes of one row (merged with what is already noted for it in this transaction)."""
    if table in SKIP_TABLES:
        return
    entries = _entries(session)
    for e in entries:
        if e.get("table") == table and e.get("id") == ident and e.get("op") in (op, "update", "insert"):
            for k, change in changes.items():
                old = e["changes"].get(k)
                if isinstance(change, list) and isinstance(old, list):
                    change = [old[0], change[1]]  # first before, last after
                e["changes"][k] = change
            return
    if len(entries) >= MAX_ENTRIES:
        session.info["journal_more"] = int(session.info.get("journal_more", 0)) + 1
        return
    entries.append({"table": table, "id": ident, "op": op, "changes": changes})


def _identity(state: Any) -> object:
    key = state.identity
    if key is None:
        return None
    return key[0] if len(key) == 1 else list(key)


def _row_changes(state: Any, op: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        name = attr.key
        if name in SKIP_COLUMNS:
            continue
        hist = state.attrs[name].history
        if op == "update":
            if not hist.has_changes():
                continue
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
        elif op == "insert":
            before, after = None, state.attrs[name].value
            if after is None:
                continue
        else:  # delete
            before, after = state.attrs[name].value, None
        if before == after and op == "update":
            continue
        if is_secret(name):
            out[name] = "(changed)" if op == "update" else "(set)" if op == "insert" else "(removed)"
        else:
            out[name] = [safe_value(before), safe_value(after)]
    return out


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    for op, objs in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            state = inspect(obj)
            table = getattr(state.mapper.local_table, "name", "")
            if table in SKIP_TABLES:
                continue
            changes = _row_changes(state, op)
            if op == "update" and not changes:
                continue
            note(session, table, _identity(state), op, changes)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    actor = session.info.get(CLI_ACTOR)
    if not actor or not _handler:
        return
    session.flush()
    entries = session.info.pop(JOURNAL, None)
    if entries:
        _handler[0](session, str(actor), entries)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    entries = session.info.pop(JOURNAL, None)
    session.info.pop("journal_more", None)
    bucket = _sink.get()
    if entries and bucket is not None:
        bucket.extend(entries[: max(0, MAX_ENTRIES - len(bucket))])


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(JOURNAL, None)
    session.info.pop("journal_more", None)
