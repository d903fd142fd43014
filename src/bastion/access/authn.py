"""Authentication: login with lockout, browser sessions (with a bound CSRF token), API tokens."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import audit
from bastion.access import throttle
from bastion.access.credentials import hash_password
from bastion.access.credentials import needs_rehash
from bastion.access.credentials import new_token
from bastion.access.credentials import same
from bastion.access.credentials import token_hash
from bastion.access.credentials import verify_password
from bastion.access.errors import Unauthenticated
from bastion.access.models import ApiToken
from bastion.access.models import User
from bastion.access.models import WebSession
from bastion.access.policy import Principal
from bastion.access.service import principal_of
from bastion.kernel.db.base import utcnow
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound

log = logging.getLogger(__name__)

LOGIN_FAILED = ("login failed: wrong login or password, or the account is disabled or locked after repeated "
                "failures (wait, or ask an administrator)")
SESSION_PREFIX, TOKEN_PREFIX = "bss", "bst"


@dataclass(frozen=True)
class Policy:
    """Authentication settings (from Settings; plain values so services do not read the environment)."""

    secret_key: str
    session_ttl_s: int = 12 * 3600
    token_ttl_days: int = 90
    max_failures: int = 5
    lockout_s: int = 900
    rate_per_minute: int = 20
    account_failures_per_hour: int = 50

    def limits(self) -> throttle.Limits:
        return throttle.Limits(rate_per_minute=self.rate_per_minute, max_failures=self.max_failures,
                               lockout_s=float(self.lockout_s),
                               account_failures_per_hour=self.account_failures_per_hour)


@dataclass(frozen=True)
class Authenticated:
    principal: Principal
    user_id: int
    login: str
    session_id: int | None = None  # set for browser sessions
    token_id: int | None = None  # set for API tokens
    csrf_hash: str | None = None


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf: str
    expires_at: dt.datetime
    auth: Authenticated


@dataclass(frozen=True)
class NewToken:
    id: int
    name: str
    token: str  # shown once
    expires_at: dt.datetime
    user_id: int


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked: bool
    last_used_at: dt.datetime | None


def _check_login(s: Session, policy: Policy, login: str, password: str, client: str | None,
                 now: dt.datetime) -> User:
    """Verify a password under the database-kept throttle (access/throttle.py): an address that guessed wrong
    too often is locked out of this account, not the owner elsewhere; failures count atomically (one UPSERT …
    RETURNING) across threads and server processes; success clears the pair only if no parallel failure has just
    locked it."""
    login = (login or "").strip().lower()[:64]
    now_s = now.timestamp()
    limits = policy.limits()
    u = s.scalar(select(User).where(User.login == login))
    reason = throttle.refusal(s, login, client, now_s, limits)
    if reason is None:
        ok = verify_password(u.password_hash if u else None, password or "")
        if u is None:
            throttle.failure(s, login, client, now_s, limits)  # unknown logins behave like known ones
            reason = "unknown_login"
        elif u.status != "active":
            reason = "disabled"
        elif not ok:
            reason = throttle.failure(s, login, client, now_s, limits)
        elif not throttle.success(s, login, client, now_s):
            reason = "locked"
        else:
            u.last_login_at = now
    if reason is not None:
        audit.record(s, actor=f"user:{login}" if u else f"anonymous:{login}", action="auth.login",
                     object_type="user", object_id=u.id if u else None, client=client, outcome="failure",
                     details={"reason": reason}, now=now)
        raise Unauthenticated(LOGIN_FAILED)
    assert u is not None
    if needs_rehash(u.password_hash):
        u.password_hash = hash_password(password)
    return u


def rate_ok(sf: sessionmaker[Session], policy: Policy, client: str | None) -> bool:
    """One more sign-in attempt from ``client`` within BASTION_LOGIN_RATE_PER_MINUTE (kept in the database: the
    limit holds across server processes)."""
    with unit_of_work(sf) as s:
        return throttle.rate_ok(s, client, policy.limits(), utcnow().timestamp())


def password_attempt_ok(sf: sessionmaker[Session], policy: Policy, user_id: int) -> bool:
    """One more current-password check for the account within its budget (kept in the database)."""
    with unit_of_work(sf) as s:
        return throttle.password_attempt_ok(s, user_id, policy.limits(), utcnow().timestamp())


def login(sf: sessionmaker[Session], policy: Policy, login_: str, password: str, *, client: str | None,
          mode: str, token_name: str | None = None) -> NewSession | NewToken:
    """Check the password; open a browser session (mode "cookie") or issue an API token (mode "token").
    A failure is recorded (and counted towards lockout) in its own transaction before the error is raised."""
    if mode not in ("cookie", "token"):
        raise InvalidInput("mode must be 'cookie' (browser) or 'token' (API client)", field="mode")
    now = utcnow()
    failure: Unauthenticated | None = None
    with unit_of_work(sf) as s:
        try:
            u = _check_login(s, policy, login_, password, client, now)
        except Unauthenticated as exc:
            failure = exc  # commit the failure count and its audit record, then raise
        else:
            audit.record(s, actor=f"user:{u.login}", action="auth.login", object_type="user", object_id=u.id,
                         client=client, details={"mode": mode}, now=now)
            if mode == "cookie":
                return _open_session(s, policy, u, now)
            return _issue_token(s, policy, u, token_name or "login", policy.token_ttl_days, now, client)
    assert failure is not None
    raise failure


def _open_session(s: Session, policy: Policy, u: User, now: dt.datetime) -> NewSession:
    token, csrf = new_token(SESSION_PREFIX), new_token("csrf")
    ws = WebSession(user_id=u.id, token_hash=token_hash(policy.secret_key, token),
                    csrf_hash=token_hash(policy.secret_key, csrf), created_at=now,
                    expires_at=now + dt.timedelta(seconds=policy.session_ttl_s))
    s.add(ws)
    s.flush()
    auth = Authenticated(principal_of(s, u), u.id, u.login, session_id=ws.id, csrf_hash=ws.csrf_hash)
    return NewSession(token, csrf, ws.expires_at, auth)


def _issue_token(s: Session, policy: Policy, u: User, name: str, ttl_days: int, now: dt.datetime,
                 client: str | None = None, parent: ApiToken | None = None) -> NewToken:
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput("token name must be 1 to 100 characters", field="name")
    if not 1 <= ttl_days <= 3650:
        raise InvalidInput("token lifetime must be 1 to 3650 days", field="ttl_days")
    token = new_token(TOKEN_PREFIX)
    expires = now + dt.timedelta(days=ttl_days)
    if parent is not None:  # a token minted with a token lives no longer than it (and is revoked with it)
        expires = min(expires, parent.expires_at)
    t = ApiToken(user_id=u.id, name=name, token_hash=token_hash(policy.secret_key, token), created_at=now,
                 expires_at=expires, parent_token_id=None if parent is None else parent.id)
    s.add(t)
    s.flush()
    audit.record(s, actor=f"user:{u.login}", action="auth.token.create", object_type="api_token", object_id=t.id,
                 client=client, details={"name": name, "ttl_days": ttl_days}, now=now)
    return NewToken(t.id, name, token, t.expires_at, u.id)


def authenticate(sf: sessionmaker[Session], policy: Policy, *, bearer: str | None = None,
                 session_token: str | None = None) -> Authenticated:
    """Resolve a bearer token or a session cookie to the principal; expired, revoked or disabled → 401."""
    now = utcnow()
    with sf() as s:
        if bearer:
            t = s.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(policy.secret_key, bearer)))
            if t is None or t.revoked_at is not None or t.expires_at <= now:
                raise Unauthenticated("the API token is unknown, expired or revoked: create a new one "
                                      "(POST /api/v1/auth/tokens or login with mode=token)")
            u = s.get(User, t.user_id)
            if u is None or u.status != "active":
                raise Unauthenticated("the account of this API token is disabled")
            if t.last_used_at is None or (now - t.last_used_at).total_seconds() > 60:
                s.execute(update(ApiToken).where(ApiToken.id == t.id).values(last_used_at=now))
                s.commit()
            return Authenticated(principal_of(s, u), u.id, u.login, token_id=t.id)
        if session_token:
            w = s.scalar(select(WebSession).where(
                WebSession.token_hash == token_hash(policy.secret_key, session_token)))
            if w is None or w.revoked_at is not None or w.expires_at <= now:
                raise Unauthenticated("your session has expired: sign in again")
            u = s.get(User, w.user_id)
            if u is None or u.status != "active":
                raise Unauthenticated("this account is disabled")
            return Authenticated(principal_of(s, u), u.id, u.login, session_id=w.id, csrf_hash=w.csrf_hash)
    raise Unauthenticated("sign in first: send a session cookie (POST /api/v1/auth/login) or "
                          "'Authorization: Bearer <token>'")


def csrf_ok(policy: Policy, auth: Authenticated, header: str | None) -> bool:
    return bool(header) and auth.csrf_hash is not None and same(token_hash(policy.secret_key, header or ""),
                                                                auth.csrf_hash)


def logout(sf: sessionmaker[Session], auth: Authenticated, *, client: str | None) -> None:
    with unit_of_work(sf) as s:
        if auth.session_id is not None:
            s.execute(update(WebSession).where(WebSession.id == auth.session_id).values(revoked_at=utcnow()))
        if auth.token_id is not None:
            s.execute(update(ApiToken).where(ApiToken.id == auth.token_id).values(revoked_at=utcnow()))
            _revoke_descendants(s, auth.token_id)
        audit.record(s, actor=auth.principal.actor, action="auth.logout", object_type="user", object_id=auth.user_id,
                     client=client)


def create_token(sf: sessionmaker[Session], policy: Policy, auth: Authenticated, name: str,
                 ttl_days: int | None, *, client: str | None = None) -> NewToken:
    with unit_of_work(sf) as s:
        u = s.get(User, auth.user_id)
        if u is None:
            raise NotFound("user does not exist")
        parent = None if auth.token_id is None else s.get(ApiToken, auth.token_id)
        return _issue_token(s, policy, u, name, ttl_days or policy.token_ttl_days, utcnow(), client, parent)


def _revoke_descendants(s: Session, token_id: int) -> None:
    """Revoke the tokens minted with ``token_id``, and theirs."""
    ids = {token_id}
    while ids:
        children = set(s.scalars(select(ApiToken.id).where(ApiToken.parent_token_id.in_(ids),
                                                           ApiToken.revoked_at.is_(None))))
        if children:
            s.execute(update(ApiToken).where(ApiToken.id.in_(children)).values(revoked_at=utcnow()))
        ids = children


def list_tokens(s: Session, user_id: int) -> Sequence[TokenInfo]:
    return [TokenInfo(t.id, t.name, t.created_at, t.expires_at, t.revoked_at is not None, t.last_used_at)
            for t in s.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))]


def revoke_token(sf: sessionmaker[Session], auth: Authenticated, token_id: int, *, client: str | None) -> None:
    with unit_of_work(sf) as s:
        t = s.get(ApiToken, token_id)
        if t is None or t.user_id != auth.user_id:
            raise NotFound(f"you have no API token {token_id}")
        if t.revoked_at is None:
            t.revoked_at = utcnow()
        _revoke_descendants(s, token_id)
        audit.record(s, actor=auth.principal.actor, action="auth.token.revoke", object_type="api_token",
                     object_id=token_id, client=client)
