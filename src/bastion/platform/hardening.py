"""ASGI middleware: request body size limit, security headers, and one audit record per state-changing request."""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bastion.access import audit

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


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add_headers(m: Message) -> None:
            if m["type"] == "http.response.start":
                names = {k for k, _ in m.get("headers", [])}
                m["headers"] = list(m.get("headers", [])) + [h for h in SECURITY_HEADERS if h[0] not in names]
            await send(m)

        await self.app(scope, receive, add_headers)


class AuditWrites:
    """After every POST/PUT/PATCH/DELETE under /api/: one audit record (who, route, object, client, outcome)."""

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

        try:
            await self.app(scope, receive, capture)
        finally:
            await run_in_threadpool(self._record, scope, status)

    @staticmethod
    def _record(scope: Scope, status: int) -> None:
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
        try:
            audit.record_now(scope["app"].state.session_factory, actor=principal.actor if principal else "anonymous",
                             action=f"{scope['method']} {path or scope['path']}", object_type=obj_type,
                             object_id=obj_id, client=(scope.get("client") or (None,))[0], outcome=outcome,
                             details={"status": status})
        except Exception:  # noqa: BLE001
            log.exception("could not write the audit record for %s %s", scope["method"], scope["path"])

