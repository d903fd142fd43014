"""Sign in and out, the current user, the user's own API tokens and password."""

from __future__ import annotations

import threading
from dataclasses import asdict

from fastapi import APIRouter
from fastapi import Request
from fastapi import Response

from bastion.access import audit
from bastion.access import authn
from bastion.access import service as accounts
from bastion.access.credentials import verify_password
from bastion.access.errors import RateLimited
from bastion.access.errors import Unauthenticated
from bastion.access.http import CSRF_COOKIE
from bastion.access.http import SESSION_COOKIE
from bastion.access.http import AuthDep
from bastion.access.http import authenticated
from bastion.access.http import client_address
from bastion.access.http import policy
from bastion.access.http import public
from bastion.access.models import User
from bastion.access.policy import Principal
from bastion.access.policy import permissions_of
from bastion.access.ratelimit import ConcurrencyLimit
from bastion.access.ratelimit import anonymous_audit_budget
from bastion.access.schemas import LoginRequest
from bastion.access.schemas import LoginResponse
from bastion.access.schemas import MeRead
from bastion.access.schemas import PasswordChange
from bastion.access.schemas import TokenCreate
from bastion.access.schemas import TokenCreated
from bastion.access.schemas import TokenRead
from bastion.access.schemas import user_read
from bastion.access.service import Actor
from bastion.access.service import UserInfo
from bastion.kernel.errors import PermissionDenied
from bastion.kernel.http import IdPath
from bastion.kernel.http import SessionDep
from bastion.kernel.http import SessionFactoryDep
from bastion.kernel.http import SettingsDep
from bastion.kernel.pagination import Page
from bastion.kernel.pagination import PageDep

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


_STATE_LOCK = threading.Lock()
LOGIN_CONCURRENCY_PER_CLIENT, LOGIN_CONCURRENCY = 2, 8  # argon2 hashes in progress at once


def _refused_login(request: Request, login: str, client: str | None, reason: str,
                   extra: dict[str, str] | None = None) -> None:
    """Record a sign-in refused before the password was looked at (within the anonymous audit budget)."""
    if anonymous_audit_budget(request.app.state, client):
        audit.record_now(request.app.state.session_factory, actor=f"anonymous:{login[:64]}", action="auth.login",
                         client=client, outcome="denied", details={"reason": reason, **(extra or {})})


def _login_slots(request: Request) -> ConcurrencyLimit:
    with _STATE_LOCK:
        slots = getattr(request.app.state, "login_slots", None)
        if slots is None:
            slots = request.app.state.login_slots = ConcurrencyLimit(LOGIN_CONCURRENCY_PER_CLIENT, LOGIN_CONCURRENCY)
    return slots


def me_read(u: UserInfo, p: Principal) -> MeRead:
    return MeRead(user=user_read(u), permissions=sorted(x.value for x in permissions_of(p)))


@router.post("/login", response_model=LoginResponse, dependencies=[public()],
             responses={401: {"description": "wrong login or password, disabled or locked account"},
                        429: {"description": "too many attempts from this address"}})
def login(body: LoginRequest, request: Request, response: Response, sf: SessionFactoryDep,
          settings: SettingsDep) -> LoginResponse:
    """Sign in. mode=cookie sets an HttpOnly session cookie and a CSRF cookie; mode=token returns an API token."""
    client = client_address(request)
    origin = request.headers.get("origin")
    if origin is not None and origin.rstrip("/") != str(request.base_url).rstrip("/"):
        _refused_login(request, body.login, client, "origin", {"origin": origin[:120]})
        raise PermissionDenied("sign-in from another site's page is refused (Origin header mismatch)")
    if not authn.rate_ok(sf, policy(request), client):
        _refused_login(request, body.login, client, "rate_limited")
        raise RateLimited("too many sign-in attempts from this address: wait a minute")
    slots = _login_slots(request)
    if not slots.acquire(client or "?"):
        raise RateLimited("too many sign-ins in progress: try again in a moment")
    try:
        result = authn.login(sf, policy(request), body.login, body.password, client=client, mode=body.mode,
                             token_name=body.token_name)
    finally:
        slots.release(client or "?")
    with sf() as s:
        if isinstance(result, authn.NewSession):
            info = accounts.get_user(s, result.auth.user_id)
            secure = settings.secure_cookies
            response.set_cookie(SESSION_COOKIE, result.token, max_age=settings.session_ttl_s, httponly=True,
                                secure=secure, samesite="lax", path="/")
            response.set_cookie(CSRF_COOKIE, result.csrf, max_age=settings.session_ttl_s, httponly=False,
                                secure=secure, samesite="lax", path="/")
            return LoginResponse(me=me_read(info, result.auth.principal), expires_at=result.expires_at,
                                 csrf_token=result.csrf)
        u = s.get(User, result.user_id)
        assert u is not None
        return LoginResponse(me=me_read(accounts.user_info(s, u), accounts.principal_of(s, u)),
                             expires_at=result.expires_at, token=result.token)


@router.post("/logout", status_code=204, dependencies=[authenticated()])
def logout(request: Request, response: Response, auth: AuthDep, sf: SessionFactoryDep) -> Response:
    """Sign out: revokes this session (or the API token used for this request) and clears the cookies."""
    authn.logout(sf, auth, client=client_address(request))
    out = Response(status_code=204)
    out.delete_cookie(SESSION_COOKIE, path="/")
    out.delete_cookie(CSRF_COOKIE, path="/")
    return out


@router.get("/me", response_model=MeRead, dependencies=[authenticated()])
def me(auth: AuthDep, session: SessionDep) -> MeRead:
    return me_read(accounts.get_user(session, auth.user_id), auth.principal)


@router.post("/password", response_model=MeRead, dependencies=[authenticated()])
def change_password(body: PasswordChange, request: Request, auth: AuthDep, sf: SessionFactoryDep) -> MeRead:
    """Change your password: every API token and every other session of yours is revoked. At most
    BASTION_LOGIN_MAX_FAILURES attempts per account in BASTION_LOCKOUT_S (then 429); wrong ones are audited."""
    settings = request.app.state.settings
    if not authn.password_attempt_ok(sf, policy(request), auth.user_id):
        raise RateLimited(f"too many password-change attempts: wait {settings.lockout_s} s")
    with sf() as s:
        u = s.get(User, auth.user_id)
        if u is None or not verify_password(u.password_hash, body.current_password):
            audit.record_now(sf, actor=auth.principal.actor, action="auth.password.failure", object_type="user",
                             object_id=auth.user_id, client=client_address(request), outcome="failure")
            raise Unauthenticated("current password is wrong")
    info = accounts.set_password(sf, auth.user_id, body.new_password,
                                 actor=Actor(auth.principal.actor, client_address(request)),
                                 keep_session_id=auth.session_id)
    return me_read(info, auth.principal)


@router.get("/tokens", response_model=Page[TokenRead], dependencies=[authenticated()])
def list_tokens(auth: AuthDep, session: SessionDep, page: PageDep) -> Page[TokenRead]:
    return Page[TokenRead].mapped(authn.list_tokens(session, auth.user_id), page, lambda t: TokenRead(**asdict(t)))


@router.post("/tokens", response_model=TokenCreated, status_code=201, dependencies=[authenticated()])
def create_token(body: TokenCreate, request: Request, auth: AuthDep, sf: SessionFactoryDep) -> TokenCreated:
    """Create an API token for yourself (shown once). It carries your grants and expires after ttl_days."""
    t = authn.create_token(sf, policy(request), auth, body.name, body.ttl_days, client=client_address(request))
    return TokenCreated(id=t.id, name=t.name, token=t.token, expires_at=t.expires_at)


@router.delete("/tokens/{token_id}", status_code=204, dependencies=[authenticated()])
def revoke_token(token_id: IdPath, request: Request, auth: AuthDep, sf: SessionFactoryDep) -> Response:
    authn.revoke_token(sf, auth, token_id, client=client_address(request))
    return Response(status_code=204)
