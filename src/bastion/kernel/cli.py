"""Shared CLI plumbing: settings, database, error mapping, output, and the options every command spells the same.

Start-up cost matters here: `bastion --help` imports this module, so it imports only typer at load time. SQLAlchemy,
pydantic-settings and rich are imported on first use (`console` is built on first access).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

import typer

from bastion.kernel.errors import BastionError
from bastion.kernel.errors import InvalidInput
from bastion.kernel.time import parse_zoned_time

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.orm import Session
    from sqlalchemy.orm import sessionmaker

    from bastion.kernel.settings import Settings

    console: Console
    err_console: Console

F = TypeVar("F", bound=Callable[..., Any])

# ---- the options every command spells the same (docs/cli-conventions.md) ----

REGION_HELP = "Region name or id."


def region_option(default: Any = ..., help: str = REGION_HELP, metavar: str = "NAME|ID") -> Any:
    """`--region NAME|ID`: the one way a command names a region (never a positional argument)."""
    return typer.Option(default, "--region", metavar=metavar, help=help)


def if_version_option() -> Any:
    """`--if-version N`: change the record only if it is still at version N (409-style refusal, exit 2, when
    someone changed it since); omitted: the latest version is changed and the new version is printed."""
    return typer.Option(None, "--if-version", min=0, max=2**31 - 1, metavar="N",
                        help="Change it only if it is still at version N (from `show`/`--json`); omitted: change the "
                        "latest version (the new version is printed).")


def json_option() -> Any:
    """`--json`: machine-readable output with the same fields as the table."""
    return typer.Option(False, "--json", help="Print JSON (the table's fields; lists as {\"items\": [...], "
                                              "\"total\": N}) instead of a table.")


def print_json(data: object) -> None:
    """Write JSON to standard output: plain text (no colour, no wrapping), datetimes as ISO 8601."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def print_items(items: Sequence[Mapping[str, Any]], total: int | None = None) -> None:
    """A list as the `--json` envelope `{"items": [...], "total": N}` (total: every match, before --limit)."""
    print_json({"items": list(items), "total": len(items) if total is None else total})


def _json_default(v: object) -> object:
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, (set, frozenset, tuple)):
        return list(v)
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    raise TypeError(f"{type(v).__name__} is not JSON serialisable")


# ---- settings, database, errors ----

_consoles: dict[str, Console] = {}


def __getattr__(name: str) -> Any:
    """`console` and `err_console` are built on first use (rich costs start-up time)."""
    if name in ("console", "err_console"):
        if name not in _consoles:
            from rich.console import Console

            _consoles[name] = Console(stderr=name == "err_console")
        return _consoles[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _err() -> Console:
    return __getattr__("err_console")  # type: ignore[no-any-return]


def settings() -> Settings:
    from bastion.kernel.settings import get_settings

    try:
        return get_settings()
    except Exception as exc:  # noqa: BLE001 - pydantic's ValidationError: show it as a config error
        raise BastionError(f"configuration error in BASTION_* environment variables: {exc}") from exc


# called with every session factory a command opens (the platform registers the audit of CLI writes here)
SESSION_FACTORY_HOOKS: list[Callable[[Any], None]] = []


def cli_actor_name() -> str:
    """The audit actor of a command: cli:<operating-system user>."""
    import getpass
    import os

    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"cli:{who}"


# the running command for the audit record: the group (set by the root command) and the function (handle_errors)
CURRENT_COMMAND: dict[str, str] = {}


def _command_path() -> str:
    """The running command without the program name, e.g. "sites edit"."""
    return " ".join(w for w in (CURRENT_COMMAND.get("group"), CURRENT_COMMAND.get("function")) if w)[:200]


def session_factory(s: Settings | None = None) -> sessionmaker[Session]:
    """Sessions for a command: their writes are recorded in the audit trail as cli:<os user> (kernel.db.journal)."""
    from bastion.kernel.db import journal
    from bastion.kernel.db.engine import make_engine
    from bastion.kernel.db.engine import make_session_factory

    s = s or settings()
    sf = make_session_factory(make_engine(s.resolved_database_url()), audit_key=s.audit_secret())
    info = sf.kw.setdefault("info", {})
    info[journal.CLI_ACTOR] = cli_actor_name()
    info[journal.CLI_COMMAND] = _command_path()
    for hook in SESSION_FACTORY_HOOKS:
        hook(sf)
    return sf


# records a command's read of sensitive data (registered by the platform: access.audit)
READ_AUDIT_HOOKS: list[Callable[..., None]] = []


def audit_read(what: str, *, object_type: str | None = None, object_id: object = None) -> None:
    """Record that this command read sensitive data (an export, a report, findings), as the API records its reads:
    action `read.<what>`, actor cli:<os user>."""
    if not READ_AUDIT_HOOKS:
        raise RuntimeError("no audit of command-line reads is registered (bastion.platform.cli registers it)")
    sf = session_factory()
    for hook in READ_AUDIT_HOOKS:
        hook(sf, what=what, object_type=object_type, object_id=object_id)


def _missing_schema(exc: Exception) -> bool:
    """A query on a database that was never migrated (or is older than the code)."""
    if not type(exc).__module__.startswith("sqlalchemy"):
        return False  # (and typer.Exit passes through without importing SQLAlchemy)
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import ProgrammingError

    if not isinstance(exc, (OperationalError, ProgrammingError)):
        return False
    text = str(exc.orig)
    return "no such table" in text or "no such column" in text or "does not exist" in text


def handle_errors(fn: F) -> F:
    """Map BastionError to one red line on stderr and exit code 2 (no traceback for user mistakes)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        CURRENT_COMMAND["function"] = fn.__name__.split("_", 1)[-1] if "_" in fn.__name__ else fn.__name__
        try:
            return fn(*args, **kwargs)
        except BastionError as exc:
            hint = f"; {exc.hint}" if getattr(exc, "hint", None) else ""  # the CLI-only remedy, kernel/errors.py
            _err().print(f"[bold red]error:[/] {exc}{hint}", highlight=False, markup=True)
            raise typer.Exit(2) from None
        except Exception as exc:
            if not _missing_schema(exc):
                raise
            _err().print("[bold red]error:[/] the database is not set up (or is older than this version): "
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
        from bastion.kernel.db.base import utcnow

        return utcnow()
    return parse_zoned_time(now, field="now", label="--now")


# ---- long work: a job run in the foreground with a progress bar ----

class JobBar:
    """A rich progress bar for a job run in the foreground: ``bar.update(fraction, message)``."""

    def __init__(self, title: str) -> None:
        from rich.progress import BarColumn
        from rich.progress import Progress
        from rich.progress import TaskProgressColumn
        from rich.progress import TextColumn
        from rich.progress import TimeElapsedColumn

        self._progress = Progress(TextColumn("{task.description:<28}"), BarColumn(), TaskProgressColumn(),
                                  TimeElapsedColumn(), console=__getattr__("console"), transient=False)
        self._task = self._progress.add_task(title, total=1.0)
        self.title = title

    def update(self, fraction: float, message: str = "") -> None:
        self._progress.update(self._task, completed=fraction, description=(message or self.title)[:28])

    def __enter__(self) -> JobBar:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(*exc)  # type: ignore[arg-type]
