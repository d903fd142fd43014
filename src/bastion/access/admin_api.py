"""User, agency and grant administration (admin role), and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter
from fastapi import Request
from fastapi import Response

from bastion.access import audit
from bastion.access import service as accounts
from bastion.access.http import AuthDep
from bastion.access.http import GuardDep
from bastion.access.http import client_address
from bastion.access.http import require
from bastion.access.policy import Permission
from bastion.access.schemas import AgencyCreate
from bastion.access.schemas import AgencyRead
from bastion.access.schemas import AuditList
from bastion.access.schemas import AuditRecord
from bastion.access.schemas import AuditVerify
from bastion.access.schemas import GrantCreate
from bastion.access.schemas import PasswordSet
from bastion.access.schemas import UserCreate
from bastion.access.schemas import UserRead
from bastion.access.schemas import UserUpdate
from bastion.access.schemas import user_read
from bastion.access.service import Actor
from bastion.access.service import UserInfo
from bastion.kernel.http import IdPath
from bastion.kernel.http import PreconditionDep
from bastion.kernel.http import SessionDep
from bastion.kernel.http import SessionFactoryDep
from bastion.kernel.http import set_etag
from bastion.kernel.pagination import Page
from bastion.kernel.pagination import PageDep

router = APIRouter(prefix="/api/v1", tags=["admin"])
ADMIN = [require(Permission.USER_ADMIN)]


def _actor(request: Request, auth: AuthDep) -> Actor:
    return Actor(auth.principal.actor, client_address(request))


@router.get("/agencies", response_model=Page[AgencyRead], dependencies=ADMIN)
def list_agencies(session: SessionDep, page: PageDep) -> Page[AgencyRead]:
    return Page[AgencyRead].mapped(accounts.list_agencies(session), page,
                                   lambda a: AgencyRead(id=a.id, name=a.name, kind=a.kind))


@router.post("/agencies", response_model=AgencyRead, status_code=201, dependencies=ADMIN)
def create_agency(body: AgencyCreate, request: Request, auth: AuthDep, sf: SessionFactoryDep) -> AgencyRead:
    a = accounts.create_agency(sf, body.name, body.kind, actor=_actor(request, auth))
    return AgencyRead(id=a.id, name=a.name, kind=a.kind)


@router.get("/users", response_model=Page[UserRead], dependencies=ADMIN)
def list_users(session: SessionDep, page: PageDep) -> Page[UserRead]:
    return Page[UserRead].mapped(accounts.list_users(session), page, user_read)


@router.post("/users", response_model=UserRead, status_code=201, dependencies=ADMIN)
def create_user(body: UserCreate, request: Request, auth: AuthDep, sf: SessionFactoryDep) -> UserRead:
    return user_read(accounts.create_user(sf, body.login, body.display_name, body.agency_id, body.password,
                                          actor=_actor(request, auth)))


@router.get("/users/{user_id}", response_model=UserRead, dependencies=ADMIN)
def get_user(user_id: IdPath, session: SessionDep, response: Response) -> UserRead:
    u = accounts.get_user(session, user_id)
    set_etag(response, u.version)
    return user_read(u)


def _with_etag(response: Response, u: UserInfo) -> UserRead:
    set_etag(response, u.version)
    return user_read(u)


@router.patch("/users/{user_id}", response_model=UserRead, dependencies=ADMIN)
def update_user(user_id: IdPath, body: UserUpdate, request: Request, auth: AuthDep, sf: SessionFactoryDep,
                pre: PreconditionDep, response: Response) -> UserRead:
    """Disable (revokes the user's sessions and tokens) or re-enable (clears its lockouts) an account. Send the
    version you read (If-Match or `version`): a stale one gets 409."""
    return _with_etag(response, accounts.set_status(sf, user_id, body.status, actor=_actor(request, auth),
                                                    expected_version=pre.expected(body.version)))


@router.post("/users/{user_id}/password", response_model=UserRead, dependencies=ADMIN)
def set_password(user_id: IdPath, body: PasswordSet, request: Request, auth: AuthDep,
                 sf: SessionFactoryDep, pre: PreconditionDep, response: Response) -> UserRead:
    """Reset a user's password: revokes every session and API token of that user."""
    return _with_etag(response, accounts.set_password(sf, user_id, body.new_password, actor=_actor(request, auth),
                                                      expected_version=pre.expected(body.version)))


@router.post("/users/{user_id}/grants", response_model=UserRead, status_code=201, dependencies=ADMIN)
def add_grant(user_id: IdPath, body: GrantCreate, request: Request, auth: AuthDep, sf: SessionFactoryDep,
              pre: PreconditionDep, response: Response) -> UserRead:
    return _with_etag(response, accounts.grant(sf, user_id, body.role, body.region_id, actor=_actor(request, auth),
                                               expected_version=pre.expected(body.version)))


@router.delete("/users/{user_id}/grants/{grant_id}", response_model=UserRead, dependencies=ADMIN)
def revoke_grant(user_id: IdPath, grant_id: IdPath, request: Request, auth: AuthDep, sf: SessionFactoryDep,
                 pre: PreconditionDep, response: Response) -> UserRead:
    return _with_etag(response, accounts.revoke_grant(sf, user_id, grant_id, actor=_actor(request, auth),
                                                      expected_version=pre.expected()))


@router.get("/audit", response_model=AuditList, dependencies=[require(Permission.AUDIT_READ)])
def list_audit(
    session: SessionDep,
    page: PageDep,
    since: dt.datetime | None = None,
) -> AuditList:
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    rows = audit.rows(session, since=since, limit=page.limit, offset=page.offset)
    return AuditList(items=[AuditRecord(**audit.as_dict(r)) for r in rows], total=audit.count(session, since=since),
                     limit=page.limit, offset=page.offset)


@router.get("/audit/verify", response_model=AuditVerify, dependencies=[require(Permission.AUDIT_READ)])
def verify_audit(session: SessionDep) -> AuditVerify:
    r = audit.verify(session)
    return AuditVerify(ok=r.ok, checked=r.checked, broken_seq=r.broken_seq, reason=r.reason)


@router.get("/audit/export", response_model=None, dependencies=[require(Permission.AUDIT_READ)],
            responses={200: {"description": "the audit log with hashes", "content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "text/csv": {"schema": {"type": "string"}}}}})
def export_audit(session: SessionDep, guard: GuardDep, format: Literal["csv", "json"] = "json") -> Response:
    text = audit.export(session, format)
    guard.sensitive_read("audit_log", None, f"audit_export.{format}")  # recorded after the export it describes
    media = "text/csv; charset=utf-8" if format == "csv" else "application/json"
    return Response(text, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="audit.{format}"'})
