"""FastAPI dependencies as Annotated aliases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from fastapi import Header
from fastapi import Path
from fastapi import Query
from fastapi import Request
from fastapi import Response
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.db.versioning import PreconditionRequired
from bastion.kernel.db.versioning import etag
from bastion.kernel.db.versioning import expected_version
from bastion.kernel.db.versioning import parse_if_match
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


class Precondition:
    """The version a write names (If-Match header or a body `version`): see kernel/db/versioning."""

    def __init__(self, if_match: str | None, *, required: bool) -> None:
        self.header = if_match
        self.if_match = parse_if_match(if_match)
        self.required = required

    def expected(self, body_version: int | None = None) -> int | None:
        v = expected_version(self.if_match, body_version)
        if v is None and self.required and (self.header or "").strip() != "*":
            raise PreconditionRequired("this write must name the version it changes: send If-Match with the ETag "
                                       "you read (or `version` in the body); If-Match: * overwrites any version")
        return v


def get_precondition(
    request: Request,
    if_match: Annotated[str | None, Header(alias="If-Match", description=(
        'The ETag (version) of the record as you read it, e.g. "3". A stale one is refused with 409 naming the '
        "current version."))] = None,
) -> Precondition:
    return Precondition(if_match, required=bool(getattr(request.app.state.settings, "require_if_match", False)))


PreconditionDep = Annotated[Precondition, Depends(get_precondition)]


def set_etag(response: Response, version: int) -> None:
    """Send the record's version as its ETag (the value to send back in If-Match)."""
    response.headers["ETag"] = etag(version)
