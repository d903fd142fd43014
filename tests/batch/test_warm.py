"""A Dask worker's warm-up imports run on a background thread; a region's task waits for them (else SQLAlchemy
could configure the ORM's mappers while a models module is half imported: one class defined, the class its
relationship names not yet — a worker restarted mid-run failed that way)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from bastion.batch import warm


@pytest.fixture
def fresh_warm_state() -> Iterator[None]:
    warm._started.clear()
    warm._done.clear()
    yield
    warm._started.clear()
    warm._done.clear()


def test_a_task_waits_for_the_warm_up_it_overlaps(fresh_warm_state: None, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    monkeypatch.setattr(warm, "warm_up", lambda: release.wait(10) and 0.0)
    assert warm.wait_until_warm(0.01)  # no warm-up started in this process (the sequential path): no wait
    warm.dask_setup()
    assert not warm.wait_until_warm(0.2)  # still importing: the task would wait
    threading.Timer(0.2, release.set).start()
    t0 = time.perf_counter()
    assert warm.wait_until_warm(5)
    assert time.perf_counter() - t0 >= 0.1


def test_a_failed_warm_up_does_not_block_tasks(fresh_warm_state: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> float:
        raise ImportError("no such module")

    monkeypatch.setattr(warm, "warm_up", boom)
    warm.dask_setup()
    assert warm.wait_until_warm(5)  # the task goes on and reports the import error itself
