"""The audit trail: append-only records chained by sha256; verify names the first broken link; export."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bastion.access.models import AuditHead, AuditLog
from bastion.kernel.csvsafe import LINE_TERMINATOR, cell
from bastion.kernel.db.base import utcnow
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)

GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor", "action", "object_type", "object_id", "client", "outcome", "details")


def canonical(values: dict[str, Any]) -> str:
    """The record's content as canonical JSON (sorted keys, UTC ISO time with microseconds, no spaces)."""
    at = values["at"]
    if isinstance(at, dt.datetime):
        at = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = {k: values[k] for k in FIELDS}
    body["at"] = at
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(prev_hash: str, values: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(values)).encode()).hexdigest()


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _clip(v: str | None, n: int) -> str | None:
    """At most ``n`` characters, control characters (newlines, escapes) shown as \\xNN: one record, one line."""
    if v is None:
        return None
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(v))[:n]


def record(
    session: Session, *, actor: str, action: str, object_type: str | None = None, object_id: object = None,
    client: str | None = None, outcome: str = "ok", details: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> AuditLog:
    """Append one record in the caller's transaction (it commits). Locks the head row first, so appends are
    serialised on both backends (SQLite: the UPDATE takes the write lock before anything is read)."""
    bump = update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
    head_updated = cast("CursorResult[Any]", session.execute(bump)).rowcount  # DML: a CursorResult
    if not head_updated:
        session.add(AuditHead(id=1, seq=1, hash=GENESIS))
        session.flush()
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
    at = (now or utcnow()).astimezone(dt.UTC)
    values: dict[str, Any] = {
        "seq": int(head.seq), "at": at, "actor": _clip(actor, 120) or "unknown", "action": _clip(action, 120),
        "object_type": _clip(object_type, 60), "object_id": _clip(None if object_id is None else str(object_id), 120),
        "client": _clip(client, 120), "outcome": _clip(outcome, 30), "details": details or {},
    }
    h = chain_hash(head.hash, values)
    row = AuditLog(**values, prev_hash=head.hash, hash=h)
    session.add(row)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=h))
    session.flush()
    return row


def record_now(session_factory: sessionmaker[Session], **kwargs: Any) -> None:
    """Append one record in its own transaction (failed logins, denials: recorded even when the request fails)."""
    with unit_of_work(session_factory) as s:
        record(s, **kwargs)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""


def _rows(session: Session, batch: int = 5000) -> Iterator[AuditLog]:
    last = -1
    while True:
        rows = session.scalars(select(AuditLog).where(AuditLog.seq > last).order_by(AuditLog.seq).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify(session: Session) -> VerifyResult:
    """Walk the chain in sequence order; the first record whose content, link or position is wrong is named."""
    prev = GENESIS
    expected_seq = 1
    n = 0
    for r in _rows(session):
        values = {k: getattr(r, k) for k in FIELDS}
        if r.seq != expected_seq:
            return VerifyResult(False, n, r.seq, r.id, f"record seq {r.seq} follows seq {expected_seq - 1}: "
                                f"{r.seq - expected_seq} record(s) missing before it")
        if r.prev_hash != prev:
            return VerifyResult(False, n, r.seq, r.id, f"record seq {r.seq} does not link to the previous record "
                                "(prev_hash differs): the previous record was edited or removed")
        if chain_hash(prev, values) != r.hash:
            return VerifyResult(False, n, r.seq, r.id, f"record seq {r.seq} (id {r.id}) was modified: its content "
                                "does not match its hash")
        prev = r.hash
        expected_seq += 1
        n += 1
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one_or_none()
    if head is not None and (head.seq != n or head.hash != prev):
        return VerifyResult(False, n, n + 1 if head.seq > n else head.seq, None,
                            f"the chain ends at seq {n} but the head records seq {head.seq}: "
                            "records at the end were deleted (or the head was edited)")
    if head is None and n:
        return VerifyResult(False, n, None, None, "the audit head row is missing")
    return VerifyResult(True, n)


# ------------------------------------------------------------------ external anchor

ANCHOR_CONTEXT = b"bastion audit anchor v1"


def anchor_key(secret_key: str) -> bytes:
    """The key that signs anchors: derived from BASTION_SECRET_KEY, which is not in the database."""
    return hmac.new(secret_key.encode(), ANCHOR_CONTEXT, hashlib.sha256).digest()


def _anchor_mac(key: bytes, seq: int, head_hash: str, at: str) -> str:
    return hmac.new(key, f"{seq}:{head_hash}:{at}".encode(), hashlib.sha256).hexdigest()


def anchor(session: Session, key: bytes, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The signed head of a verified chain (record count, last hash, time, HMAC), to keep outside the database.
    Refuses to anchor a broken chain."""
    r = verify(session)
    if not r.ok:
        raise InvalidInput(f"the audit chain is broken, not anchoring it: {r.reason}", field="audit")
    last = session.scalar(select(AuditLog.hash).where(AuditLog.seq == r.checked)) if r.checked else GENESIS
    at = (now or utcnow()).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"format": "bastion-audit-anchor-1", "seq": r.checked, "hash": last, "at": at,
            "mac": _anchor_mac(key, r.checked, str(last), at)}


def verify_anchor(session: Session, key: bytes, saved: dict[str, Any]) -> VerifyResult:
    """The chain verifies and still holds the anchored record unchanged: detects a rewrite (the record at the
    anchored seq has another hash), a truncation below the anchor and a wipe, which all pass `verify` alone."""
    try:
        seq, head_hash, at = int(saved["seq"]), str(saved["hash"]), str(saved["at"])
        mac = str(saved["mac"])
    except (KeyError, TypeError, ValueError):
        return VerifyResult(False, 0, None, None, "the anchor file is not a Bastion audit anchor")
    if not hmac.compare_digest(mac, _anchor_mac(key, seq, head_hash, at)):
        return VerifyResult(False, 0, None, None, "the anchor's signature does not match: the file was altered or "
                            "signed with another BASTION_SECRET_KEY")
    r = verify(session)
    if not r.ok:
        return r
    if r.checked < seq:
        what = "wiped" if r.checked == 0 else f"truncated to {r.checked} records"
        return VerifyResult(False, r.checked, seq, None, f"the anchor of {at} records {seq} records but the chain "
                            f"holds {r.checked}: the log was {what}")
    if seq and session.scalar(select(AuditLog.hash).where(AuditLog.seq == seq)) != head_hash:
        return VerifyResult(False, r.checked, seq, None, f"record seq {seq} differs from the anchor of {at}: the "
                            "chain was rewritten")
    return r


def rows(session: Session, *, since: dt.datetime | None = None, limit: int | None = None,
         offset: int = 0) -> Sequence[AuditLog]:
    q = select(AuditLog).order_by(AuditLog.seq)
    if since is not None:
        q = q.where(AuditLog.at >= since)
    return session.scalars(q.offset(offset).limit(limit)).all()


def count(session: Session, *, since: dt.datetime | None = None) -> int:
    q = select(func.count()).select_from(AuditLog)
    if since is not None:
        q = q.where(AuditLog.at >= since)
    return int(session.scalar(q) or 0)


def as_dict(r: AuditLog) -> dict[str, Any]:
    d = {k: getattr(r, k) for k in FIELDS}
    d["at"] = r.at.astimezone(dt.UTC).isoformat()
    d["prev_hash"], d["hash"] = r.prev_hash, r.hash
    return d


def export(session: Session, fmt: str, *, since: dt.datetime | None = None) -> str:
    """The log as CSV or JSON (a list of records with their hashes, so a copy can be verified elsewhere)."""
    if fmt not in ("csv", "json"):
        raise InvalidInput(f"format {fmt!r} is unknown: use csv or json", field="format")
    items = [as_dict(r) for r in rows(session, since=since)]
    if fmt == "json":
        return json.dumps(items, ensure_ascii=False, indent=1)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=[*FIELDS, "prev_hash", "hash"], lineterminator=LINE_TERMINATOR)
    w.writeheader()
    for d in items:
        row = {**d, "details": json.dumps(d["details"], sort_keys=True, ensure_ascii=False)}
        w.writerow({k: cell(v) for k, v in row.items()})
    return buf.getvalue()
