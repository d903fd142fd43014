"""Create users and API tokens for tests (any layer): `token = make_user(sf, "ana", role="analyst", region_id=1)`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import authn
from bastion.access import service as accounts
from bastion.access.models import Agency
from bastion.access.models import User
from bastion.access.service import Actor

TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnop"
PASSWORD = "correct horse battery"
ACTOR = Actor("test:fixture")


def agency_id(sf: sessionmaker[Session], name: str = "Lead office", kind: str = "lead_office") -> int:
    return accounts.ensure_agency(sf, name, kind, actor=ACTOR).id


def make_user(
    sf: sessionmaker[Session], login: str, *, role: str | None = "coordinator", region_id: int | None = None,
    agency: str = "Lead office", agency_kind: str = "lead_office", password: str = PASSWORD,
) -> str:
    """Create a user (and its agency if new) with one grant; return an API token for it."""
    aid = agency_id(sf, agency, agency_kind)
    with sf() as s:
        exists = s.scalar(select(User).where(User.login == login)) is not None
    if not exists:
        accounts.create_user(sf, login, login.title(), aid, password, actor=ACTOR)
        if role is not None:
            accounts.grant(sf, login, role, region_id, actor=ACTOR)
    return token_for(sf, login)


def token_for(sf: sessionmaker[Session], login: str) -> str:
    with sf() as s:
        u = s.scalar(select(User).where(User.login == login))
        assert u is not None
        auth = authn.Authenticated(accounts.principal_of(s, u), u.id, u.login)
    return authn.create_token(sf, authn.Policy(secret_key=TEST_SECRET), auth, "test", 1).token


def agency_named(sf: sessionmaker[Session], name: str) -> int:
    with sf() as s:
        a = s.scalar(select(Agency).where(Agency.name == name))
        assert a is not None
        return a.id
