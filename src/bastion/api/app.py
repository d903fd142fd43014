"""The FastAPI application factory."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bastion import __version__
from bastion.api import errors
from bastion.api.routes import coverage, meta, patrol, sites
from bastion.api.routes import inspections, risk  # risk + supervision
from bastion.api.routes.meta import WEB_DIR
from bastion.config import Settings
from bastion.db.engine import make_engine, make_session_factory

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(
        title="Bastion",
        version=__version__,
        description="Protective-security planning for key targets and crowded places. "
        "Map data © OpenStreetMap contributors (ODbL).",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    engine = make_engine(settings.resolved_database_url())
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    errors.install(app)
    app.include_router(meta.router)
    app.include_router(sites.router)
    app.include_router(risk.router); app.include_router(inspections.router)  # noqa: E702
    app.include_router(coverage.router)
    app.include_router(patrol.router)
    static = WEB_DIR / "static"
    static.mkdir(parents=True, exist_ok=True)
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app
