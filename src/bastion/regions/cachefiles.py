"""Where the routing cache lives and how its files are written: light enough for a cold command-line call.

No numpy, SciPy or graph code is imported here (``regions.graphs`` stores the graph arrays; ``regions.snapping``
the small snap grid), so a command that only snaps one point can find, lock and read its file cheaply.

- cache directory: Settings.routing_cache_dir (default ``<data_dir>/routing-cache``), or what ``configure`` set;
- ``code_version()``: a short hash of the routing code that shapes the stored files (a change is a new key);
- ``file_lock``: an exclusive lock between processes (fcntl), so that concurrent builders build a key once;
- ``write_atomic``: a temporary file in the same directory renamed over the target, so a reader sees a whole file
  or none.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from bastion.algorithms.routing.profiles import PROFILES
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)

FORMAT = "1"  # bump when the file layout changes
_CODE_FILES = ("graph.py", "profiles.py", "hierarchy.py", "_sparse.py", "network.py", "store.py", "snap.py",
               "gridsnap.py")

T = TypeVar("T")

_root_override: Path | None = None
_version: str | None = None


def check_profile(name: str) -> str:
    if name not in PROFILES:
        raise InvalidInput(
            f"speed_profile {name!r} is unknown; use one of {', '.join(PROFILES)}", field="speed_profile"
        )
    return name


def configure(cache_dir: Path | None) -> None:
    """Use ``cache_dir`` for the disk cache (the app factory passes its Settings'); None: from the environment."""
    global _root_override
    _root_override = cache_dir


def cache_root() -> Path:
    if _root_override is not None:
        return _root_override
    from bastion.kernel.settings import get_settings

    s = get_settings()
    return s.routing_cache_dir or s.data_dir / "routing-cache"


def code_version() -> str:
    """Short hash of the routing code that shapes the stored arrays (a new version is a new cache key)."""
    global _version
    if _version is None:
        import bastion.algorithms.routing as pkg

        h = hashlib.sha256(FORMAT.encode())
        base = Path(pkg.__file__).parent
        for name in _CODE_FILES:
            h.update((base / name).read_bytes())
        _version = h.hexdigest()[:12]
    return _version


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Exclusive lock between processes (POSIX fcntl; elsewhere a no-op: atomic renames still keep files whole)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def write_atomic(path: Path, write: Callable[[object], None]) -> None:
    """Write ``path`` through ``write(binary file)`` into a temporary file, then rename it over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # readable by the other processes' users (mkstemp makes it 0600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def get_or_build(path: Path, read: Callable[[Path], T | None], build: Callable[[], T],
                 write: Callable[[Path, T], None]) -> T:
    """What ``read(path)`` gives (None: missing or unreadable), else ``build()`` (once across processes: the
    builders of one path take its lock and look again) and ``write`` it; a directory that cannot be written only
    costs the rebuild."""
    hit = read(path)
    if hit is not None:
        return hit
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with file_lock(path.parent / (path.name + ".lock")):
            hit = read(path)  # another process may have built it while we waited
            if hit is not None:
                return hit
            value = build()
            write(path, value)
            return value
    except OSError as exc:
        log.warning("routing cache %s not writable (%s): building in memory only", path.parent, exc)
        return build()
