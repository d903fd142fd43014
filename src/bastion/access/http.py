"""Route protection. Every route declares who may call it, in its decorator:

    @router.get("/sites/{site_id}", dependencies=[require(Permission.SITE_READ)])
    def get_site(site_id: int, guard: GuardDep, session: SessionDep) -> SiteRead:
        site = SiteRepo(session).get(site_id)
        guard.check(Permission.SITE_READ, site_resource(site))   # region scope + agency ownership
        ...

`require(*permissions)` authenticates the request (session cookie + CSRF header on writes, or a bearer token),
checks that the principal holds each permission somewhere (403 otherwise) and stores the principal for the
handler. `authenticated()` is for routes any signed-in user may call (their own account); `public()` marks the few
routes open to everyone (health, meta, translations, login, the page). The authorization matrix test fails for a
route that declares none of these. See docs/security.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated
from typing import Any

from fastapi import Depends
from fastapi import Request
from fastapi.params import Depends as DependsParam
from fastapi.routing import iter_route_contexts
from fastapi.security import APIKeyCookie
from fastapi.security import HTTPBearer

from bastion.access import audit
from bastion.access.authn import Authenticated
from bastion.access.authn import Policy
from bastion.access.authn import authenticate
from bastion.access.authn import csrf_ok
from bastion.access.errors import Unauthenticated
from bastion.access.policy import Permission
from bastion.access.policy import Principal
from bastion.access.policy import Resource
from bastion.access.policy import Scope
from bastion.access.policy import decide
from bastion.access.policy import independent
from bastion.access.policy import scope
from bastion.access.service import Actor
from bastion.kernel.errors import NotFound
from bastion.kernel.errors import PermissionDenied

log = logging.getLogger(__name__)

SESSION_COOKIE = "bastion_session"
CSRF_COOKIE = "bastion_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# documented in OpenAPI (schemathesis and /docs know how to authenticate); checked by hand below
_bearer_scheme = HTTPBearer(auto_error=False, description="API token: `Authorization: Bearer bst_...`")
_cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False,
                              description="Browser session; writes also need the X-CSRF-Token header")


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def policy(request: Request) -> Policy:
    s = request.app.state.settings
    return Policy(secret_key=s.secret_key, session_ttl_s=s.session_ttl_s, token_ttl_days=s.token_ttl_days,
                  max_failures=s.login_max_failures, lockout_s=s.lockout_s, rate_per_minute=s.login_rate_per_minute,
                  account_failures_per_hour=s.login_account_failures_per_hour)


def _audit(request: Request, *, final: bool = True, **kw: Any) -> None:
    """Write an audit record now. ``final``: it stands for the whole request (a denial), so the request-level
    record of AuditWrites is not written; a sensitive read inside a write is not final (the write is recorded)."""
    if final:
        request.state.audited = True
    try:
        audit.record_now(request.app.state.session_factory, client=client_address(request), **kw)
    except Exception:  # noqa: BLE001 - the denial must still be answered; the failure is logged loudly
        log.exception("could not write the audit record %s", kw.get("action"))


def current_auth(request: Request) -> Authenticated:
    """Authenticate once per request (cached on request.state)."""
    cached = getattr(request.state, "auth", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    header = request.headers.get("authorization", "")
    bearer = header[7:].strip() if header[:7].lower() == "bearer " else None
    if header and bearer is None:
        raise Unauthenticated("Authorization header must be 'Bearer <token>'")
    pol = policy(request)
    auth = authenticate(request.app.state.session_factory, pol, bearer=bearer,
                        session_token=None if bearer else request.cookies.get(SESSION_COOKIE))
    if auth.session_id is not None and request.method not in SAFE_METHODS:
        if not csrf_ok(pol, auth, request.headers.get(CSRF_HEADER)):
            _audit(request, actor=auth.principal.actor, action=f"{request.method} {_route_path(request)}",
                   outcome="denied", details={"reason": "csrf"})
            raise PermissionDenied(f"missing or wrong {CSRF_HEADER} header: send the value of the {CSRF_COOKIE} "
                                   "cookie with every state-changing request")
    request.state.auth = auth
    request.state.principal = auth.principal
    return auth


def _route_path(request: Request) -> str:
    route = request.scope.get("route")
    return getattr(route, "path", request.url.path)


class _Requirement:
    """The dependency behind require()/authenticated(); the route table test reads `.kind`, `.permissions`."""

    def __init__(self, kind: str, permissions: tuple[Permission, ...]) -> None:
        self.kind = kind  # "permission" | "authenticated"
        self.permissions = permissions

    def __call__(self, request: Request, _b: Any = Depends(_bearer_scheme), _c: Any = Depends(_cookie_scheme)) -> None:
        auth = current_auth(request)
        for p in self.permissions:
            d = decide(auth.principal, p)
            if not d.allowed:
                _audit(request, actor=auth.principal.actor, action=f"{request.method} {_route_path(request)}",
                       outcome="denied", details={"permission": p.value})
                raise PermissionDenied(f"you lack the permission {p.value} for this request")

    def __repr__(self) -> str:
        return f"require({', '.join(p.name for p in self.permissions)})" if self.permissions else f"{self.kind}()"


def require(*permissions: Permission) -> DependsParam:
    """Route dependency: authenticated and holding every permission somewhere (resource checks: Guard.check)."""
    if not permissions:
        raise ValueError("require() needs at least one Permission; use authenticated() for 'any signed-in user'")
    return DependsParam(_Requirement("permission", tuple(permissions)))


def authenticated() -> DependsParam:
    """Route dependency: any signed-in user (their own account, tokens, sign-out)."""
    return DependsParam(_Requirement("authenticated", ()))


class _Public:
    kind = "public"
    permissions: tuple[Permission, ...] = ()

    def __call__(self) -> None:
        return None

    def __repr__(self) -> str:
        return "public()"


_PUBLIC = _Public()


def public() -> DependsParam:
    """Route marker: open to everyone. Keep this list short (health, meta, translations, login, the page)."""
    return DependsParam(_PUBLIC)


def route_requirement(route: Any) -> _Requirement | _Public | None:
    """The requirement a route declared (None: undeclared — the route table test fails on it)."""
    dependant = getattr(route, "dependant", None)
    for dep in dependant.dependencies if dependant is not None else ():
        if isinstance(dep.call, _Requirement | _Public):
            return dep.call
    return None


def api_routes(app: Any) -> Iterator[tuple[str, frozenset[str], Any]]:
    """(path, methods, route) for every FastAPI route of the app, across included routers."""
    for ctx in iter_route_contexts(app.routes):
        if getattr(ctx, "dependant", None) is None:
            continue  # framework routes (/openapi.json, /docs) and mounts (/static)
        yield str(ctx.path), frozenset(ctx.methods or ()), ctx


class Guard:
    """Resource-level checks inside a handler: region scope and agency ownership/assignment."""

    def __init__(self, request: Request) -> None:
        self.request = request

    @property
    def principal(self) -> Principal:
        p = getattr(self.request.state, "principal", None)
        if p is None:
            raise RuntimeError("Guard used on a route without require(...)")
        return p  # type: ignore[no-any-return]

    def check(self, permission: Permission, resource: Resource, *, object_type: str = "site",
              object_id: object = None) -> None:
        """Allow, or raise 404 (resource outside the principal's view) / 403 and record the denial."""
        d = decide(self.principal, permission, resource)
        if d.allowed:
            return
        _audit(self.request, actor=self.principal.actor,
               action=f"{self.request.method} {_route_path(self.request)}", object_type=object_type,
               object_id=object_id, outcome="denied", details={"permission": permission.value, "status": d.status})
        if d.status == 404:
            raise NotFound(f"{object_type} {object_id} does not exist")
        raise PermissionDenied(f"you lack the permission {permission.value} for {object_type} {object_id}")

    def check_independent(self, resource: Resource, *, object_type: str = "site", object_id: object = None) -> None:
        """Separation of duties (policy.independent): refuse (403, audited) a caller from the site's operator."""
        d = independent(self.principal, resource)
        if d.allowed:
            return
        _audit(self.request, actor=self.principal.actor,
               action=f"{self.request.method} {_route_path(self.request)}", object_type=object_type,
               object_id=object_id, outcome="denied", details={"rule": "separation_of_duties", "status": 403})
        raise PermissionDenied(f"{d.reason} ({object_type} {object_id})")

    def scope(self, permission: Permission) -> Scope:
        return scope(self.principal, permission)

    def allows(self, permission: Permission, resource: Resource) -> bool:
        """Whether the principal holds ``permission`` on ``resource`` (nothing recorded, nothing raised): for
        fields shown only to some callers."""
        return decide(self.principal, permission, resource).allowed

    def sensitive_read(self, object_type: str, object_id: object, what: str) -> None:
        """Record a read of a sensitive field (vulnerability findings, measure gaps, patrol schedules)."""
        _audit(self.request, final=False, actor=self.principal.actor, action=f"read.{what}",
               object_type=object_type, object_id=object_id)


def get_guard(request: Request) -> Guard:
    return Guard(request)


def get_auth(request: Request) -> Authenticated:
    return current_auth(request)


GuardDep = Annotated[Guard, Depends(get_guard)]
AuthDep = Annotated[Authenticated, Depends(get_auth)]


def region_resource(region_id: int) -> Resource:
    return Resource(region_id=region_id, visibility=Permission.REGION_READ)


def site_resource(site: Any) -> Resource:
    """The access-control resource of a site (anything with region_id and operator_agency_id)."""
    return Resource(region_id=site.region_id, operator_agency_id=site.operator_agency_id)


def actor_of(request: Request, auth: Authenticated) -> Actor:
    """Who is acting, for the audit trail: the signed-in principal and the client address."""
    return Actor(auth.principal.actor, client_address(request))
