"""Errors map once: BastionError -> HTTP status and one JSON shape {"error": {"code", "message", "field"}}."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from bastion.access.errors import RateLimited
from bastion.access.errors import Unauthenticated
from bastion.kernel.db.versioning import PreconditionRequired
from bastion.kernel.db.versioning import VersionConflict
from bastion.kernel.db.versioning import etag
from bastion.kernel.errors import BastionError
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import DataIntegrityError
from bastion.kernel.errors import Infeasible
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.kernel.errors import PermissionDenied
from bastion.kernel.errors import SolverError

STATUS: dict[type[BastionError], int] = {
    NotFound: 404, Conflict: 409, InvalidInput: 422, Infeasible: 422, SolverError: 500,
    PermissionDenied: 403, DataIntegrityError: 422, Unauthenticated: 401, RateLimited: 429, PreconditionRequired: 428,
}


BUSY_SQLSTATES = frozenset({"55P03", "40P01", "40001"})  # PostgreSQL: lock not available, deadlock, serialization


def is_busy(exc: OperationalError) -> bool:
    """A write that lost to another one (SQLite's write lock held past the busy timeout; a PostgreSQL lock timeout,
    deadlock or serialization failure): nothing was written, and the same request can simply be sent again."""
    orig = exc.orig
    if "database is locked" in str(orig) or "database table is locked" in str(orig):
        return True
    return getattr(orig, "sqlstate", None) in BUSY_SQLSTATES


def _body(code: str, message: str, field: str | None = None, details: object = None) -> dict[str, object]:
    err: dict[str, object] = {"code": code, "message": message}
    if field:
        err["field"] = field
    if details is not None:
        err["details"] = details
    return {"error": err}


def install(app: FastAPI) -> None:
    @app.exception_handler(BastionError)
    async def _bastion(_req: Request, exc: BastionError) -> JSONResponse:
        status = next((v for k, v in STATUS.items() if isinstance(exc, k)), 400)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(exc, VersionConflict):  # the current version, to read again and retry with
            headers = {"ETag": etag(exc.current_version)}
        return JSONResponse(_body(exc.code, str(exc), getattr(exc, "field", None)), status_code=status,
                            headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_req: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path")),
             "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        first = details[0] if details else {"field": None, "message": "invalid request"}
        return JSONResponse(
            _body("invalid_input", f"{first['field']}: {first['message']}", first["field"] or None, details),
            status_code=422,
        )

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _out_of_range(_req: Request, exc: Exception) -> JSONResponse:
        # a safety net: inputs are bounded at the edge (api/deps.IdPath); a value the database cannot hold is the
        # caller's mistake, not a server error
        return JSONResponse(_body("invalid_input", "a value in the request is out of range for the database"),
                            status_code=422)

    @app.exception_handler(OperationalError)
    async def _busy(_req: Request, exc: OperationalError) -> JSONResponse:
        if not is_busy(exc):
            raise exc  # a real server error: the generic 500
        return JSONResponse(_body("busy", "the database is busy with another change; nothing was saved, send the "
                                          "request again in a few seconds"),
                            status_code=503, headers={"Retry-After": "2"})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "bad_request", 401: "unauthenticated", 403: "permission_denied", 404: "not_found",
                405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "http_error")
        return JSONResponse(_body(code, str(exc.detail)), status_code=exc.status_code)
