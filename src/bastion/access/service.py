"""Agencies, users and role grants: administration use cases (each one transaction, each one audited)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import audit
from bastion.access import throttle
from bastion.access.credentials import check_password_strength
from bastion.access.credentials import hash_password
from bastion.access.models import AGENCY_KINDS
from bastion.access.models import USER_STATUSES
from bastion.access.models import Agency
from bastion.access.models import ApiToken
from bastion.access.models import RoleGrant
from bastion.access.models import User
from bastion.access.models import WebSession
from bastion.access.policy import Grant
from bastion.access.policy import Principal
from bastion.access.policy import Role
from bastion.access.policy import check_grant
from bastion.kernel.db.base import rows_changed
from bastion.kernel.db.base import utcnow
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.db.versioning import claim
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.regions.repository import RegionRepo

LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


@dataclass(frozen=True)
class Actor:
    """Who performs an administrative action and from where (for the audit record)."""

    name: str
    client: str | None = None


@dataclass(frozen=True)
class GrantInfo:
    id: int
    role: str
    region_id: int | None
    region_name: str | None


@dataclass(frozen=True)
class UserInfo:
    id: int
    login: str
    display_name: str
    agency_id: int
    agency_name: str
    status: str
    locked: bool
    grants: tuple[GrantInfo, ...]
    version: int = 1


@dataclass(frozen=True)
class AgencyInfo:
    id: int
    name: str
    kind: str


def _agency_info(a: Agency) -> AgencyInfo:
    return AgencyInfo(a.id, a.name, a.kind)


def user_info(s: Session, u: User) -> UserInfo:
    agency = s.get(Agency, u.agency_id)
    names = {r.id: r.name for r in RegionRepo(s).list()}
    grants = tuple(
        GrantInfo(g.id, g.role, g.region_id, None if g.region_id is None else names.get(g.region_id))
        for g in s.scalars(select(RoleGrant).where(RoleGrant.user_id == u.id).order_by(RoleGrant.id))
    )
    locked = throttle.locked(s, u.login, utcnow().timestamp())
    return UserInfo(u.id, u.login, u.display_name, u.agency_id, agency.name if agency else "?", u.status, locked,
                    grants, u.version)


def principal_of(s: Session, u: User) -> Principal:
    grants = tuple(Grant(Role(g.role), g.region_id)
                   for g in s.scalars(select(RoleGrant).where(RoleGrant.user_id == u.id).order_by(RoleGrant.id)))
    return Principal(actor=f"user:{u.login}", user_id=u.id, agency_id=u.agency_id, grants=grants)


# --- agencies -----------------------------------------------------------------------------------------------

def _agency_by_ref(s: Session, ref: str | int) -> Agency:
    a = s.get(Agency, int(ref)) if isinstance(ref, int) or str(ref).isdigit() else s.scalar(
        select(Agency).where(Agency.name == ref))
    if a is None:
        raise NotFound(f"agency {ref!r} does not exist", hint="list agencies with `bastion agencies list`")
    return a


def create_agency(sf: sessionmaker[Session], name: str, kind: str, *, actor: Actor) -> AgencyInfo:
    name = (name or "").strip()
    if not 1 <= len(name) <= 200:
        raise InvalidInput("agency name must be 1 to 200 characters", field="name")
    if kind not in AGENCY_KINDS:
        raise InvalidInput(f"agency kind {kind!r} is unknown; use one of {', '.join(AGENCY_KINDS)}", field="kind")
    with unit_of_work(sf) as s:
        if s.scalar(select(Agency).where(Agency.name == name)) is not None:
            raise Conflict(f"agency {name!r} already exists")
        a = Agency(name=name, kind=kind, created_at=utcnow())
        s.add(a)
        s.flush()
        audit.record(s, actor=actor.name, action="agency.create", object_type="agency", object_id=a.id,
                     client=actor.client, details={"name": name, "kind": kind})
        return _agency_info(a)


def list_agencies(s: Session) -> list[AgencyInfo]:
    return [_agency_info(a) for a in s.scalars(select(Agency).order_by(Agency.name))]


def ensure_agency(sf: sessionmaker[Session], name: str, kind: str, *, actor: Actor) -> AgencyInfo:
    with sf() as s:
        a = s.scalar(select(Agency).where(Agency.name == name))
        if a is not None:
            return _agency_info(a)
    return create_agency(sf, name, kind, actor=actor)


# --- users ----------------------------------------------------------------------------------------------------

def _user_by_ref(s: Session, ref: str | int) -> User:
    u = s.get(User, int(ref)) if isinstance(ref, int) else s.scalar(select(User).where(User.login == ref))
    if u is None:
        raise NotFound(f"user {ref!r} does not exist", hint="list users with `bastion users list`")
    return u


def create_user(sf: sessionmaker[Session], login: str, display_name: str, agency: str | int, password: str, *,
                actor: Actor) -> UserInfo:
    login = (login or "").strip().lower()
    if not LOGIN_RE.match(login):
        raise InvalidInput(f"login {login!r} must be 2 to 64 characters: lower-case letters, digits, '.', '_' or "
                           "'-', starting with a letter or digit", field="login")
    display_name = (display_name or "").strip()
    if not 1 <= len(display_name) <= 200:
        raise InvalidInput("display name must be 1 to 200 characters (a role title is fine, e.g. 'Duty officer')",
                           field="display_name")
    check_password_strength(password)
    pw_hash = hash_password(password)
    with unit_of_work(sf) as s:
        a = _agency_by_ref(s, agency)
        if s.scalar(select(User).where(User.login == login)) is not None:
            raise Conflict(f"user {login!r} already exists")
        now = utcnow()
        u = User(login=login, display_name=display_name, agency_id=a.id, password_hash=pw_hash, status="active",
                 failed_logins=0, password_changed_at=now, created_at=now)
        s.add(u)
        s.flush()
        audit.record(s, actor=actor.name, action="user.create", object_type="user", object_id=u.id,
                     client=actor.client, details={"login": login, "agency_id": a.id})
        return user_info(s, u)


def list_users(s: Session) -> list[UserInfo]:
    return [user_info(s, u) for u in s.scalars(select(User).order_by(User.login))]


def get_user(s: Session, ref: str | int) -> UserInfo:
    return user_info(s, _user_by_ref(s, ref))


def _revoke_credentials(s: Session, user_id: int, *, keep_session_id: int | None = None) -> None:
    now = utcnow()
    s.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
              .values(revoked_at=now))
    q = update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    if keep_session_id is not None:
        q = q.where(WebSession.id != keep_session_id)
    s.execute(q.values(revoked_at=now))


def _keep_an_admin(s: Session, u: User, actor: Actor) -> None:
    """Over the API, the last active administrator cannot be disabled or lose the admin grant (nobody could
    manage accounts any more). The local operator (CLI) can, and can undo it."""
    if not actor.name.startswith("user:"):
        return
    s.flush()
    left = s.scalar(select(func.count(func.distinct(User.id))).select_from(User)
                    .join(RoleGrant, RoleGrant.user_id == User.id)
                    .where(RoleGrant.role == Role.ADMIN.value, User.status == "active"))
    if not left:
        raise Conflict(f"{u.login!r} is the last active administrator: grant admin to another account first")


def set_status(sf: sessionmaker[Session], ref: str | int, status: str, *, actor: Actor,
               expected_version: int | None = None) -> UserInfo:
    if status not in USER_STATUSES:
        raise InvalidInput(f"status {status!r} is unknown; use one of {', '.join(USER_STATUSES)}", field="status")
    with unit_of_work(sf) as s:
        u = _user_by_ref(s, ref)
        claim(s, User, u.id, expected_version, what="user", obj=u)
        u.status = status
        if status == "active":
            u.failed_logins, u.locked_until = 0, None
            throttle.clear(s, u.login)
        else:
            _keep_an_admin(s, u, actor)
            _revoke_credentials(s, u.id)
        audit.record(s, actor=actor.name, action=f"user.{'enable' if status == 'active' else 'disable'}",
                     object_type="user", object_id=u.id, client=actor.client)
        s.flush()
        return user_info(s, u)


def set_password(sf: sessionmaker[Session], ref: str | int, password: str, *, actor: Actor,
                 keep_session_id: int | None = None, expected_version: int | None = None) -> UserInfo:
    """Set a new password; every API token and every other session of the user is revoked."""
    check_password_strength(password)
    pw_hash = hash_password(password)
    with unit_of_work(sf) as s:
        u = _user_by_ref(s, ref)
        claim(s, User, u.id, expected_version, what="user", obj=u)
        u.password_hash, u.password_changed_at = pw_hash, utcnow()
        u.failed_logins, u.locked_until = 0, None
        throttle.clear(s, u.login)
        _revoke_credentials(s, u.id, keep_session_id=keep_session_id)
        audit.record(s, actor=actor.name, action="user.set_password", object_type="user", object_id=u.id,
                     client=actor.client)
        s.flush()
        return user_info(s, u)


def grant(sf: sessionmaker[Session], ref: str | int, role: str, region: str | int | None, *,
          actor: Actor, expected_version: int | None = None) -> UserInfo:
    """Grant a role; the user's grants are part of the user's record (its version moves on)."""
    try:
        r = Role(role)
    except ValueError:
        raise InvalidInput(f"role {role!r} is unknown; use one of {', '.join(x.value for x in Role)}",
                           field="role") from None
    with unit_of_work(sf) as s:
        u = _user_by_ref(s, ref)
        claim(s, User, u.id, expected_version, what="user", obj=u)
        region_id = None if region is None else RegionRepo(s).get_by_ref(region).id
        check_grant(r, region_id)
        exists = s.scalar(select(func.count()).select_from(RoleGrant).where(
            RoleGrant.user_id == u.id, RoleGrant.role == r.value,
            RoleGrant.region_id.is_(None) if region_id is None else RoleGrant.region_id == region_id))
        if exists:
            raise Conflict(f"user {u.login!r} already holds {r.value} over "
                           f"{'all regions' if region_id is None else f'region {region_id}'}")
        g = RoleGrant(user_id=u.id, role=r.value, region_id=region_id, created_at=utcnow())
        s.add(g)
        s.flush()
        audit.record(s, actor=actor.name, action="user.grant", object_type="user", object_id=u.id,
                     client=actor.client, details={"role": r.value, "region_id": region_id, "grant_id": g.id})
        return user_info(s, u)


def revoke_grant(sf: sessionmaker[Session], ref: str | int, grant_id: int, *, actor: Actor,
                 expected_version: int | None = None) -> UserInfo:
    with unit_of_work(sf) as s:
        u = _user_by_ref(s, ref)
        claim(s, User, u.id, expected_version, what="user", obj=u)
        gone = s.execute(delete(RoleGrant).where(RoleGrant.id == grant_id, RoleGrant.user_id == u.id))
        n = rows_changed(gone)
        if not n:
            raise NotFound(f"user {u.login!r} has no grant {grant_id}")
        _keep_an_admin(s, u, actor)
        audit.record(s, actor=actor.name, action="user.revoke_grant", object_type="user", object_id=u.id,
                     client=actor.client, details={"grant_id": grant_id})
        return user_info(s, u)


def user_ids(s: Session) -> Sequence[int]:
    return s.scalars(select(User.id)).all()


def agency_by_ref(s: Session, ref: str | int) -> Agency:
    """An agency by name or id (NotFound names it)."""
    return _agency_by_ref(s, ref)
