"""The one error shape every route answers with (api/errors.py), documented for every route in OpenAPI."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    field: str | None = None
    message: str


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None
    details: list[ErrorDetail] | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


def _r(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _r("the request body is not valid JSON"),
    401: _r("not signed in, or the session/token expired or was revoked"),
    403: _r("signed in but lacking the permission (or the CSRF header on a cookie-authenticated write)"),
    404: _r("not found, or outside your jurisdiction"),
    409: _r("conflicts with existing data (e.g. the name is taken), or a stale version (If-Match): the message and "
            "the ETag header name the current version"),
    413: _r("request body too large"),
    422: _r("invalid input: the message names the field, the bad value and the fix"),
    428: _r("the write must name the version it changes (If-Match), when BASTION_REQUIRE_IF_MATCH is on"),
    429: _r("too many attempts"),
}
