"""FastAPI dependencies as Annotated aliases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from fastapi import Path
from fastapi import Query
from fastapi import Request
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_session_factory(request: Request) -> sessionmaker[Session]:
    return request.app.state.session_factory  # type: ignore[no-any-return]


def get_session(request: Request) -> Iterator[Session]:
    """A read-only session for queries (writes go through services and their unit of work)."""
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]
SessionDep = Annotated[Session, Depends(get_session)]

MAX_ID = 2**31 - 1  # ids are 32-bit on every backend; larger path values are answered 422, never passed to the DB
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="positive integer id")]

# a local wall-clock time for occupancy (risk, reports)
AtQ = Annotated[dt.datetime | None, Query(description="local wall-clock time for occupancy, e.g. 2026-11-28T21:00")]
