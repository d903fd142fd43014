"""Lockout under parallel guesses (security finding 5): the failure count is atomic on both backends, and once
the limit is reached the right password is refused, however the requests interleave."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import authn
from bastion.access.errors import Unauthenticated
from bastion.access.models import User
from tests.auth_helpers import PASSWORD
from tests.auth_helpers import TEST_SECRET
from tests.auth_helpers import make_user

POLICY = authn.Policy(secret_key=TEST_SECRET, max_failures=5, lockout_s=900)


def _attempt(sf: sessionmaker[Session], password: str) -> str:
    try:
        authn.login(sf, POLICY, "racer", password, client="127.0.0.1", mode="token")
    except Unauthenticated:
        return "refused"
    return "accepted"


def test_parallel_wrong_passwords_lock_the_account(session_factory: sessionmaker[Session]) -> None:
    make_user(session_factory, "racer", role=None)
    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(lambda _: _attempt(session_factory, "wrong password!"), range(12)))
    assert outcomes == ["refused"] * 12
    with session_factory() as s:
        u = s.scalar(select(User).where(User.login == "racer"))
        assert u is not None and u.locked_until is not None  # 12 guesses ≥ the limit of 5: locked
    assert _attempt(session_factory, PASSWORD) == "refused"


def test_guesses_and_the_right_password_in_parallel_never_exceed_the_limit(
        session_factory: sessionmaker[Session]) -> None:
    make_user(session_factory, "racer", role=None)
    # four wrong guesses, then the limit's worth of guesses raced against the right password
    for _ in range(4):
        assert _attempt(session_factory, "wrong password!") == "refused"
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda i: _attempt(session_factory, PASSWORD if i == 4 else "nope nope nope"),
                                 range(8)))
    with session_factory() as s:
        u = s.scalar(select(User).where(User.login == "racer"))
        assert u is not None
    # either the right password came before the fifth failure (accepted, count reset) or after it (refused):
    # never accepted while the stored state says locked by an earlier failure
    if outcomes[4] == "accepted":
        assert u.failed_logins < POLICY.max_failures
    else:
        assert u.locked_until is not None
