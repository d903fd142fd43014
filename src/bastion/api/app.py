"""The FastAPI application factory."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bastion import __version__
from bastion.api import errors
from bastion.api.hardening import AuditWrites, BodyLimit, SecurityHeaders
from bastion.api.routes import admin, auth, coverage, meta, patrol, sites, vehicle
from bastion.api.routes import inspections, risk  # risk + supervision
from bastion.api.routes.meta import WEB_DIR
from bastion.api.schemas.errors import ERROR_RESPONSES
from bastion.auth.ratelimit import SlidingWindow
from bastion.config import Settings
from bastion.db.engine import make_engine, make_session_factory

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> FastAPI:
    settings.check_production()  # refuses the default secret key in production
    app = FastAPI(
        title="Bastion",
        version=__version__,
        description="Protective-security planning for key targets and crowded places. "
        "Map data © OpenStreetMap contributors (ODbL).",
        docs_url="/docs",
        openapi_url="/openapi.json",
        responses=ERROR_RESPONSES,  # every route documents the one error shape
    )
    engine = make_engine(settings.resolved_database_url())
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.login_limiter = SlidingWindow(settings.login_rate_per_minute, 60.0)
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)  # innermost of these three
    app.add_middleware(AuditWrites)
    app.add_middleware(SecurityHeaders)
    app.include_router(meta.router)
    app.include_router(auth.router)
    app.include_router(admin.router)
    app.include_router(sites.router)
    app.include_router(vehicle.router)
    app.include_router(risk.router)
    app.include_router(inspections.router)
    app.include_router(coverage.router)
    app.include_router(patrol.router)
    static = WEB_DIR / "static"
    static.mkdir(parents=True, exist_ok=True)
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app
