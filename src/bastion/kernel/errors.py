"""One error hierarchy. Adapters (API, CLI) map these once; nothing else leaks to users."""

from __future__ import annotations


class BastionError(Exception):
    """Base of every error a user can cause or must be told about."""

    code = "error"


class NotFound(BastionError):
    code = "not_found"


class Conflict(BastionError):
    code = "conflict"


class InvalidInput(BastionError, ValueError):
    """Bad input. The message names the field, the bad value and the fix.

    Also a ValueError, so callers of the pure algorithms may catch it the standard way.
    """

    code = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Infeasible(BastionError):
    code = "infeasible"


class SolverError(BastionError):
    code = "solver_error"


class PermissionDenied(BastionError):
    code = "permission_denied"


class DataIntegrityError(BastionError):
    """A data file failed a checksum or format check."""

    code = "data_integrity"
