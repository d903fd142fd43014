"""The FastAPI application factory."""

from __future__ import annotations

import importlib
import logging

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from bastion import __version__
from bastion.access.http import public
from bastion.kernel.db.engine import make_engine
from bastion.kernel.db.engine import make_session_factory
from bastion.kernel.http_errors import ERROR_RESPONSES
from bastion.kernel.settings import Settings
from bastion.platform import errors
from bastion.platform import meta
from bastion.platform.hardening import AuditWrites
from bastion.platform.hardening import BodyLimit
from bastion.platform.hardening import ClientAddress
from bastion.platform.hardening import SecurityHeaders
from bastion.platform.meta import WEB_DIR
from bastion.platform.registry import specs
from bastion.platform.workers import lifespan

log = logging.getLogger(__name__)

DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Bastion API</title>
  <link rel="icon" href="/static/vendor/swagger-ui-dist/favicon-32x32.png">
  <link rel="stylesheet" href="/static/vendor/swagger-ui-dist/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="/openapi.json"></div>
  <script src="/static/vendor/swagger-ui-dist/swagger-ui-bundle.js"></script>
  <script src="/static/docs.js"></script>
</body>
</html>
"""


def _docs_page() -> HTMLResponse:
    """Swagger UI from the npm-vendored swagger-ui-dist (frontend/), started by static/docs.js: no inline script
    (FastAPI's get_swagger_ui_html writes one, which the Content-Security-Policy refuses) and no CDN."""
    return HTMLResponse(DOCS_PAGE)


class HeadAsGet:
    """Answer HEAD on every GET route (FastAPI routes only list the methods they declare): the request runs as a GET
    (same dependencies, so the same authorization and audit), and the response keeps its status and headers but
    drops its body (RFC 9110 9.3.2). Outermost, so every other middleware sees a GET."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # swallow the chunks; the last (empty) message ends the response
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def app_from_env() -> FastAPI:
    """The app configured from the BASTION_* environment (`bastion serve --workers N` starts one per process)."""
    from bastion.kernel.settings import get_settings

    return create_app(get_settings())


def create_app(settings: Settings) -> FastAPI:
    settings.check_production()  # refuses the default secret key in production
    app = FastAPI(
        title="Bastion",
        version=__version__,
        description="Protective-security planning for key targets and crowded places. "
        "Map data © OpenStreetMap contributors (ODbL).",
        docs_url=None,  # served below from vendored files (no CDN; the CSP allows no third-party script)
        openapi_url="/openapi.json",
        responses=ERROR_RESPONSES,  # every route documents the one error shape
        lifespan=lifespan,  # the in-process job workers (platform/workers.py)
    )
    engine = make_engine(settings.resolved_database_url())
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine, audit_key=settings.audit_secret())
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)  # innermost of these three
    app.add_middleware(AuditWrites)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    app.add_middleware(ClientAddress, trusted=settings.trusted_proxies)  # outermost: every layer sees the client
    app.include_router(meta.router)
    app.add_api_route("/docs", _docs_page, methods=["GET"], include_in_schema=False, dependencies=[public()],
                      response_class=HTMLResponse)
    for spec in specs():
        for module in spec.routers:
            app.include_router(importlib.import_module(module).router)
    static = WEB_DIR / "static"
    static.mkdir(parents=True, exist_ok=True)
    # the shell's files, then each domain's web/ folder, all under /static/ (scripts import each other by name)
    packages: list[str | tuple[str, str]] = [(f"bastion.{d.name}", "web") for d in specs() if d.web_scripts]
    app.mount("/static", StaticFiles(directory=str(static), packages=packages), name="static")
    guide = WEB_DIR / "guide"
    if (guide / "index.html").is_file():  # built by `make guide`; same-origin scripts only, under the same CSP
        app.mount("/guide", StaticFiles(directory=str(guide), html=True), name="guide")
    return app
