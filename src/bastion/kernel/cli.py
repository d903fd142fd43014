"""Shared CLI plumbing: settings, database, error mapping, output."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from bastion.kernel.db.base import utcnow
from bastion.kernel.db.engine import make_engine, make_session_factory
from bastion.kernel.errors import BastionError, InvalidInput
from bastion.kernel.settings import Settings, get_settings

console = Console()
err_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def settings() -> Settings:
    try:
        return get_settings()
    except Exception as exc:  # noqa: BLE001 - pydantic's ValidationError: show it as a config error
        raise BastionError(f"configuration error in BASTION_* environment variables: {exc}") from exc


def session_factory(s: Settings | None = None) -> sessionmaker[Session]:
    s = s or settings()
    return make_session_factory(make_engine(s.resolved_database_url()))


def handle_errors(fn: F) -> F:
    """Map BastionError to one red line on stderr and exit code 2 (no traceback for user mistakes)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BastionError as exc:
            hint = f"; {exc.hint}" if getattr(exc, "hint", None) else ""  # the CLI-only remedy, kernel/errors.py
            err_console.print(f"[bold red]error:[/] {exc}{hint}", highlight=False, markup=True)
            raise typer.Exit(2) from None
        except (OperationalError, ProgrammingError) as exc:
            text = str(exc.orig)
            if "no such table" not in text and "does not exist" not in text:
                raise
            err_console.print("[bold red]error:[/] the database is not set up (or is older than this version): "
                              "run `bastion db upgrade`", highlight=False, markup=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def parse_lonlat(text: str, opt: str) -> tuple[float, float]:
    try:
        lon, lat = (float(v) for v in text.split(","))
    except ValueError:
        raise InvalidInput(f"{opt} {text!r}: write lon,lat in degrees, e.g. 7.42,43.73", field=opt) from None
    return lon, lat


def parse_local_time(at: str | None) -> dt.datetime | None:
    if at is None:
        return None
    try:
        return dt.datetime.fromisoformat(at)
    except ValueError:
        raise InvalidInput(f"--at must be a local time like 2026-11-28T21:00, got {at!r}", field="at") from None


def parse_now(now: str | None) -> dt.datetime:
    if now is None:
        return utcnow()
    try:
        v = dt.datetime.fromisoformat(now.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"--now must be an ISO time with a zone like 2026-12-31T00:00Z, got {now!r}",
                           field="now") from None
    if v.tzinfo is None:
        raise InvalidInput(f"--now must carry a zone (e.g. 2026-12-31T00:00Z), got {now!r}", field="now")
    return v
