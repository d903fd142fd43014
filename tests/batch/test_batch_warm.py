"""What makes a distributed batch run faster without changing its results: workers import the steps' code when
they start (bastion.batch.warm, a Dask preload), and batch writers on SQLite wait for the write lock instead of
failing and computing a step again."""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

from sqlalchemy import text

from bastion.batch import steps
from bastion.batch import warm
from bastion.batch.service import SQLITE_BUSY_MS
from bastion.batch.service import WORKER_PRELOAD
from bastion.batch.service import _session_factory
from bastion.kernel.db.engine import make_engine
from bastion.platform import migrate


def test_warm_up_covers_every_module_the_steps_import() -> None:
    """The steps import their domains inside the functions; the warm-up list must name each of them (a step that
    starts importing a new module without it here would pay that import on the first region again)."""
    tree = ast.parse(inspect.getsource(steps))
    lazy = {node.module for fn in tree.body if isinstance(fn, ast.FunctionDef)
            for node in ast.walk(fn) if isinstance(node, ast.ImportFrom) and node.module}
    assert lazy and lazy <= set(steps.STEP_MODULES), lazy - set(steps.STEP_MODULES)
    assert WORKER_PRELOAD == warm.__name__ and callable(warm.dask_setup)
    warm.warm_up()
    assert all(m in sys.modules for m in steps.STEP_MODULES)


def test_batch_writers_wait_longer_for_sqlite_write_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    with _session_factory(url)() as s:
        assert s.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_MS
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"  # make_engine's pragmas still apply
    _session_factory.cache_clear()
