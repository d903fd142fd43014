"""Authentication errors (mapped once in api/errors.py: 401 and 429)."""

from __future__ import annotations

from bastion.kernel.errors import BastionError


class Unauthenticated(BastionError):
    """No valid session or token, or a failed login."""

    code = "unauthenticated"


class RateLimited(BastionError):
    code = "rate_limited"
