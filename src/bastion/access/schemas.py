"""Wire schemas for authentication, users, agencies and the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from bastion.access.service import UserInfo
from bastion.kernel.pagination import Page

AgencyKind = Literal["lead_office", "police", "fire", "transport", "education", "health", "venue_operator", "other"]
RoleName = Literal["admin", "coordinator", "analyst", "agency_member", "site_operator", "viewer"]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    mode: Literal["cookie", "token"] = Field(default="cookie", description="cookie: browser session (sets "
                                             "bastion_session and bastion_csrf cookies); token: returns an API token")
    token_name: str | None = Field(default=None, min_length=1, max_length=100)


class GrantRead(BaseModel):
    id: int
    role: str
    region_id: int | None
    region_name: str | None


class UserRead(BaseModel):
    id: int
    login: str
    display_name: str
    agency_id: int
    agency_name: str
    status: str
    locked: bool
    version: int = Field(default=1, description="the account's version (its ETag): send it back in If-Match")
    grants: list[GrantRead]


class MeRead(BaseModel):
    user: UserRead
    permissions: list[str] = Field(description="permissions held somewhere (region-scoped ones apply in the "
                                   "granted regions only)")
    csrf_header: str = "X-CSRF-Token"


class LoginResponse(BaseModel):
    me: MeRead
    expires_at: dt.datetime
    token: str | None = Field(default=None, description="the API token (mode=token); shown once")
    csrf_token: str | None = Field(default=None, description="mode=cookie: send it as X-CSRF-Token on writes")


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    ttl_days: int | None = Field(default=None, ge=1, le=3650)


class TokenRead(BaseModel):
    id: int
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked: bool
    last_used_at: dt.datetime | None


class TokenCreated(BaseModel):
    id: int
    name: str
    token: str = Field(description="shown once: store it now")
    expires_at: dt.datetime


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=10, max_length=200)


class PasswordSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_password: str = Field(min_length=10, max_length=200)
    version: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                description="the user's version you read (the same as If-Match; stale: 409)")


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: str = Field(min_length=2, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")
    display_name: str = Field(min_length=1, max_length=200)
    agency_id: int = Field(ge=1)
    password: str = Field(min_length=10, max_length=200)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["active", "disabled"]
    version: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                description="the user's version you read (the same as If-Match; stale: 409)")


class GrantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: RoleName
    region_id: int | None = Field(default=None, ge=1, description="null: every region")
    version: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                description="the user's version you read (the same as If-Match; stale: 409)")


class AgencyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: AgencyKind


class AgencyRead(BaseModel):
    id: int
    name: str
    kind: str


class AuditRecord(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    object_type: str | None
    object_id: str | None
    client: str | None
    outcome: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


AuditList = Page[AuditRecord]


class AuditVerify(BaseModel):
    ok: bool
    checked: int
    broken_seq: int | None
    reason: str


class SiteOperator(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency_id: int | None = Field(ge=1, le=2**31 - 1, description="the agency operating the site; null: none")
    version: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                description="the site's version you read (the same as If-Match; stale: 409)")


def user_read(u: UserInfo) -> UserRead:
    return UserRead(**{**asdict(u), "grants": [GrantRead(**asdict(g)) for g in u.grants]})
