"""Sign-in throttling kept in the database, so every server process (`bastion serve --workers N`) shares it.

Counters are fixed windows in the `login_throttle` table, each moved on by ONE statement,

    INSERT INTO login_throttle (key, window_start_s, count) VALUES (:key, :now, 1)
    ON CONFLICT (key) DO UPDATE SET count = CASE WHEN window expired THEN 1 ELSE count + 1 END, ...
    RETURNING count, until_s

which is atomic on SQLite and PostgreSQL: parallel attempts, in one process or many, each see their own count.

The scheme (docs/security.md, "Sign-in throttling"):
- `rate:<client>`: at most BASTION_LOGIN_RATE_PER_MINUTE attempts a minute from one address (429);
- `fail:<login>|<client>`: BASTION_LOGIN_MAX_FAILURES wrong passwords from one address lock the account *for that
  address* for BASTION_LOCKOUT_S. A stranger's guesses lock the stranger out, not the owner at another address;
- `acct:<login>`: wrong passwords for the account from every address in an hour; above
  BASTION_LOGIN_ACCOUNT_FAILURES_PER_HOUR, only addresses that signed in to the account in the last 30 days
  (`known:<login>|<client>`) may still try: distributed guessing is slowed without locking the owner out from
  where they usually sign in.
Times are UNIX seconds given by the caller (`now_s`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case
from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from bastion.access.models import LoginThrottle

KNOWN_CLIENT_S = 30 * 86400.0
ACCOUNT_WINDOW_S = 3600.0
MAX_KEY = 200


@dataclass(frozen=True)
class Limits:
    rate_per_minute: int = 20
    max_failures: int = 5
    lockout_s: float = 900.0
    account_failures_per_hour: int = 50


def _key(*parts: str | None) -> str:
    return "|".join((p or "?") for p in parts)[:MAX_KEY]


def hit(s: Session, key: str, *, now_s: float, window_s: float) -> tuple[int, float | None]:
    """Count one event under ``key`` in its current window (a new window when the last one ended); returns the
    count in the window and the row's ``until_s``. One atomic statement on both backends."""
    t = LoginThrottle
    ins = _insert(s).values(key=key, window_start_s=now_s, count=1, until_s=None)
    expired = t.window_start_s <= now_s - window_s
    stmt = ins.on_conflict_do_update(index_elements=[t.key], set_={
        "count": case((expired, 1), else_=t.count + 1),
        "window_start_s": case((expired, now_s), else_=t.window_start_s),
    }).returning(t.count, t.until_s)
    row = s.execute(stmt).one()
    return int(row[0]), None if row[1] is None else float(row[1])


def _insert(s: Session) -> Any:
    """INSERT … ON CONFLICT for the session's backend (SQLite ≥ 3.35 and PostgreSQL both have UPSERT …
    RETURNING)."""
    if s.get_bind().dialect.name == "postgresql":
        return postgresql.insert(LoginThrottle)
    return sqlite.insert(LoginThrottle)


def _until(s: Session, key: str) -> float | None:
    return s.scalar(select(LoginThrottle.until_s).where(LoginThrottle.key == key))


def _set_until(s: Session, key: str, until_s: float, now_s: float) -> None:
    ins = _insert(s).values(key=key, window_start_s=now_s, count=0, until_s=until_s)
    s.execute(ins.on_conflict_do_update(index_elements=[LoginThrottle.key], set_={"until_s": until_s}))


def rate_ok(s: Session, client: str | None, limits: Limits, now_s: float) -> bool:
    """One more sign-in attempt from ``client`` within its per-minute budget?"""
    n, _ = hit(s, _key("rate", client), now_s=now_s, window_s=60.0)
    return n <= limits.rate_per_minute


def refusal(s: Session, login: str, client: str | None, now_s: float, limits: Limits) -> str | None:
    """Why an attempt must be refused before the password is checked: "locked" (this account from this
    address), "account_throttled" (too many failures from everywhere and this address is not known), or None."""
    until = _until(s, _key("fail", login, client))
    if until is not None and until > now_s:
        return "locked"
    acct = s.execute(select(LoginThrottle.count, LoginThrottle.window_start_s)
                     .where(LoginThrottle.key == _key("acct", login))).one_or_none()
    if (acct is not None and float(acct[1]) > now_s - ACCOUNT_WINDOW_S
            and int(acct[0]) >= limits.account_failures_per_hour):
        known = _until(s, _key("known", login, client))
        if known is None or known <= now_s:
            return "account_throttled"
    return None


def failure(s: Session, login: str, client: str | None, now_s: float, limits: Limits) -> str:
    """Count a wrong password (for this address and for the account); at the limit, lock this pair."""
    hit(s, _key("acct", login), now_s=now_s, window_s=ACCOUNT_WINDOW_S)
    key = _key("fail", login, client)
    n, until = hit(s, key, now_s=now_s, window_s=float(limits.lockout_s))
    if until is not None and until > now_s:
        return "locked"
    if n >= limits.max_failures:
        _set_until(s, key, now_s + limits.lockout_s, now_s)
        return "bad_password_locked"
    return "bad_password"


def success(s: Session, login: str, client: str | None, now_s: float) -> bool:
    """Clear this address's failures, unless a parallel failure has just locked the pair (then False: refuse).
    Remember the address as one the owner signs in from."""
    key = _key("fail", login, client)
    s.execute(delete(LoginThrottle).where(LoginThrottle.key == key,
                                          or_(LoginThrottle.until_s.is_(None), LoginThrottle.until_s <= now_s)))
    until = _until(s, key)
    if until is not None and until > now_s:
        return False
    _set_until(s, _key("known", login, client), now_s + KNOWN_CLIENT_S, now_s)
    return True


def locked(s: Session, login: str, now_s: float) -> bool:
    """Whether the account is locked from some address or throttled as a whole (shown to administrators)."""
    prefix = _key("fail", login) + "|"
    fail = s.scalar(select(LoginThrottle.key).where(LoginThrottle.key.startswith(prefix, autoescape=True),
                                                    LoginThrottle.until_s > now_s).limit(1))
    return fail is not None


def clear(s: Session, login: str) -> None:
    """Forget every lockout and failure count of the account (an administrator re-enables it or resets the
    password); the addresses it signed in from stay known."""
    prefix = _key("fail", login) + "|"
    s.execute(delete(LoginThrottle).where(or_(LoginThrottle.key.startswith(prefix, autoescape=True),
                                              LoginThrottle.key == _key("acct", login))))


def password_attempt_ok(s: Session, user_id: int, limits: Limits, now_s: float) -> bool:
    """One more current-password check for ``user_id`` within BASTION_LOGIN_MAX_FAILURES per BASTION_LOCKOUT_S?"""
    n, _ = hit(s, _key("pwchange", str(user_id)), now_s=now_s, window_s=float(limits.lockout_s))
    return n <= limits.max_failures
