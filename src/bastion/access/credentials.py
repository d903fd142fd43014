"""Passwords (argon2id) and random tokens stored as keyed hashes. No DB, HTTP or settings here."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from argon2.exceptions import VerifyMismatchError

from bastion.kernel.errors import InvalidInput

_HASHER = PasswordHasher()  # argon2id with the library's current RFC 9106 low-memory defaults
_DUMMY: dict[int, str] = {}

MIN_PASSWORD = 10
MAX_PASSWORD = 200


def check_password_strength(password: str) -> None:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(f"password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long", field="password")
    if password.strip() != password or len(set(password)) < 4:
        raise InvalidInput("password must not start or end with spaces and needs at least 4 different characters",
                           field="password")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (pass None for an unknown login)."""
    try:
        return _HASHER.verify(stored_hash or _dummy(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _dummy() -> str:
    """A hash with the current parameters, verified for unknown logins so they cost the same time."""
    key = id(_HASHER)
    if key not in _DUMMY:
        _DUMMY[key] = _HASHER.hash("not a real password; spends the same time on unknown logins")
    return _DUMMY[key]


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


def new_token(prefix: str) -> str:
    """A random bearer secret (256 bits), e.g. ``bst_...`` for API tokens, ``bss_...`` for browser sessions."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_hash(secret_key: str, token: str) -> str:
    """HMAC-SHA256 of a token under the server's secret key: a leaked table alone cannot be replayed."""
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
