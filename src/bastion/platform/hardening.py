"""ASGI middleware: request body size limit, security headers, and one audit record per state-changing request."""

from __future__ import annotations

import ipaddress
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from bastion.access import audit
from bastion.access.ratelimit import anonymous_audit_budget
from bastion.kernel.db import journal

log = logging.getLogger(__name__)

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# routes that write their own, more detailed audit records (login success/failure)
EXPLICITLY_AUDITED = frozenset({"/api/v1/auth/login"})
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


class _TooLarge(HTTPException):
    """An HTTPException so that FastAPI's body parsing re-raises it as is (mapped to 413 by api/errors.py)."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=413, detail=message)


def _json(status: int, code: str, message: str) -> tuple[dict[str, Any], bytes]:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]}
    return start, body


class BodyLimit:
    """Refuse bodies over `max_bytes` with 413: by Content-Length up front, and while streaming (chunked)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        msg = f"request body larger than {self.max_bytes} bytes (BASTION_MAX_BODY_BYTES)"
        for k, v in scope.get("headers", ()):
            if k == b"content-length":
                try:
                    too_big = int(v) > self.max_bytes
                except ValueError:
                    too_big = True
                if too_big:
                    start, body = _json(413, "too_large", msg)
                    await send(start)
                    await send({"type": "http.response.body", "body": body})
                    return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            m = await receive()
            if m["type"] == "http.request":
                seen += len(m.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge(msg)
            return m

        async def tracking_send(m: Message) -> None:
            nonlocal started
            if m["type"] == "http.response.start":
                started = True
            await send(m)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                start, body = _json(413, "too_large", msg)
                await send(start)
                await send({"type": "http.response.body", "body": body})


def tile_source(tile_url: str | None) -> str | None:
    """The CSP source for a configured XYZ tile URL: its scheme and host, with a `{s}` subdomain as `*.`."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url.replace("{s}", "sub"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname
    if tile_url.split("//", 1)[-1].startswith("{s}."):
        host = "*." + host.split(".", 1)[1]
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def content_security_policy(tile_url: str | None = None, *more_tile_urls: str | None) -> str:
    """No inline script, no third-party origin: scripts, styles, fonts and data from the app itself; images also
    as data: URLs (Leaflet's icons) and from the configured tile servers (base map, labels overlay) only. Styles
    set by script through the CSSOM (Leaflet's positioning) are allowed; style="" attributes in markup are not."""
    tiles = [tile_source(u) for u in (tile_url, *more_tile_urls)]
    img = " ".join(dict.fromkeys(x for x in ("'self'", "data:", *tiles) if x))
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src {img}; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'")


class SecurityHeaders:
    """nosniff, no framing, same-origin referrer, no caching, and a strict Content-Security-Policy."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._csp: bytes | None = None

    def _policy(self, scope: Scope) -> bytes:
        if self._csp is None:
            settings = getattr(getattr(scope.get("app"), "state", None), "settings", None)
            self._csp = content_security_policy(getattr(settings, "tile_url", None),
                                                getattr(settings, "tile_labels_url", None)).encode()
        return self._csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = self._policy(scope)

        async def add_headers(m: Message) -> None:
            if m["type"] == "http.response.start":
                names = {k for k, _ in m.get("headers", [])}
                extra = [*SECURITY_HEADERS, (b"content-security-policy", csp)]
                m["headers"] = list(m.get("headers", [])) + [h for h in extra if h[0] not in names]
            await send(m)

        await self.app(scope, receive, add_headers)


class AuditWrites:
    """After every POST/PUT/PATCH/DELETE under /api/: one audit record (who, route, object, client, outcome) with
    the before/after values of every field the request changed and no service recorded itself (kernel.db.journal;
    secrets such as password hashes are never included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        status = 500

        async def capture(m: Message) -> None:
            nonlocal status
            if m["type"] == "http.response.start":
                status = int(m["status"])
            await send(m)

        with journal.collect() as changes:
            try:
                await self.app(scope, receive, capture)
            finally:
                await run_in_threadpool(self._record, scope, status, changes)

    @staticmethod
    def _record(scope: Scope, status: int, changes: list[dict[str, Any]]) -> None:
        route = scope.get("route")
        path = getattr(route, "path", None)
        state = scope.get("state") or {}
        if path in EXPLICITLY_AUDITED or state.get("audited"):
            return  # recorded where it was decided (a denial) or by the route itself (login)
        principal = state.get("principal")
        params = scope.get("path_params") or {}
        obj_type, obj_id = None, None
        for k, v in params.items():
            obj_type, obj_id = k.removesuffix("_id"), v
        outcome = "ok" if status < 400 else "denied" if status in (401, 403) else "error"
        client = (scope.get("client") or (None,))[0]
        if principal is None and not anonymous_audit_budget(scope["app"].state, client):
            log.warning("anonymous audit budget spent: not recording %s %s from %s", scope["method"],
                        scope["path"][:120], client)
            return
        try:
            audit.record_now(scope["app"].state.session_factory, actor=principal.actor if principal else "anonymous",
                             action=f"{scope['method']} {path or scope['path']}", object_type=obj_type,
                             object_id=obj_id, client=client, outcome=outcome,
                             details={"status": status, **({"changes": changes} if changes else {})})
        except Exception:  # noqa: BLE001
            log.exception("could not write the audit record for %s %s", scope["method"], scope["path"])



def parse_trusted_proxies(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network | str, ...]:
    """BASTION_TRUSTED_PROXIES: comma-separated addresses or CIDR networks (a non-IP entry is matched literally)."""
    out: list[ipaddress.IPv4Network | ipaddress.IPv6Network | str] = []
    for item in (x.strip() for x in text.split(",")):
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            out.append(item)
    return tuple(out)


def _trusted(host: str, trusted: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network | str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host in trusted
    return any(not isinstance(t, str) and ip in t for t in trusted)


def client_from_forwarded(peer: str | None, forwarded_for: str | None,
                          trusted: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network | str, ...]) -> str | None:
    """The client's address: the peer, unless the peer is a configured proxy; then the right-most address of
    X-Forwarded-For that is not itself a trusted proxy (left-most entries are whatever the client wrote)."""
    if peer is None or not forwarded_for or not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop[:64]
    return hops[0][:64] if hops else peer


class ClientAddress:
    """Outermost middleware: replaces the ASGI client address with the one a trusted proxy forwarded. With no
    trusted proxies (the default) X-Forwarded-For is ignored, so rotating it neither escapes the login rate limit
    nor writes a forged address into the audit trail."""

    def __init__(self, app: ASGIApp, trusted: str = "") -> None:
        self.app = app
        self.trusted = parse_trusted_proxies(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted and scope.get("client"):
            peer, port = scope["client"]
            fwd = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-forwarded-for"), None)
            client = client_from_forwarded(peer, fwd, self.trusted)
            if client != peer:
                scope = {**scope, "client": (client, port)}
        await self.app(scope, receive, send)
