"""One error hierarchy. Adapters (API, CLI) map these once; nothing else leaks to users.

The message is neutral (no `bastion` command, no CLI flag): an HTTP client sees it as is. A remedy that only the
command line can offer goes in ``hint`` (e.g. "list regions with `bastion regions list`"): the CLI prints it after
the message, the API never shows it.
"""

from __future__ import annotations


class BastionError(Exception):
    """Base of every error a user can cause or must be told about."""

    code = "error"

    def __init__(self, message: str = "", *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class NotFound(BastionError):
    code = "not_found"


class Conflict(BastionError):
    code = "conflict"


class InvalidInput(BastionError, ValueError):
    """Bad input. The message names the field, the bad value and the fix.

    Also a ValueError, so callers of the pure algorithms may catch it the standard way.
    """

    code = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
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
