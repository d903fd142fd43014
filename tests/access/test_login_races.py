"""Lockout under parallel guesses (security finding 5, kept in the database since finding 17): the failure count
is atomic on both backends, and once the limit is reached the right password is refused from that address,
however the requests interleave."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import authn
from bastion.access.errors import Unauthenticated
from bastion.access.models import LoginThrottle
from tests.auth_helpers import PASSWORD
from tests.auth_helpers import TEST_SECRET
from tests.auth_helpers import make_user

POLICY = authn.Policy(secret_key=TEST_SECRET, max_failures=5, lockout_s=900)
PAIR = "fail|racer|127.0.0.1"


def _attempt(sf: sessionmaker[Session], password: str) -> str:
    try:
        authn.login(sf, POLICY, "racer", password, client="127.0.0.1", mode="token")
    except Unauthenticated:
        return "refused"
    return "accepted"


def _pair(sf: sessionmaker[Session]) -> LoginThrottle | None:
    with sf() as s:
        return s.scalar(select(LoginThrottle).where(LoginThrottle.key == PAIR))


def test_parallel_wrong_passwords_lock_the_account(session_factory: sessionmaker[Session]) -> None:
    make_user(session_factory, "racer", role=None)
    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(lambda _: _attempt(session_factory, "wrong password!"), range(12)))
    assert outcomes == ["refused"] * 12
    row = _pair(session_factory)
    assert row is not None and row.until_s is not None  # 12 guesses ≥ the limit of 5: locked (for this address)
    assert row.count >= POLICY.max_failures  # every guess that was checked was counted (no lost update)
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
    row = _pair(session_factory)
    # either the right password came before the fifth failure (accepted, count reset) or after it (refused):
    # never accepted while the stored state says locked by an earlier failure
    if outcomes[4] == "accepted":
        assert row is None or row.count < POLICY.max_failures or row.until_s is not None
    else:
        assert row is not None and row.until_s is not None
