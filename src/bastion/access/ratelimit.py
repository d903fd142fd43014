"""A sliding-window rate limiter keyed by client address (time comes in as `now`, seconds)."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any


class SlidingWindow:
    def __init__(self, limit: int, window_s: float = 60.0, *, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float) -> bool:
        """Count one attempt; False when the key is over its limit in the window."""
        with self._lock:
            q = self._hits.get(key)
            if q is None:
                if len(self._hits) >= self.max_keys:
                    self._evict(now)
                q = self._hits.setdefault(key, deque())
            while q and q[0] <= now - self.window_s:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(now)
            return True

    def _evict(self, now: float) -> None:
        for k in [k for k, q in self._hits.items() if not q or q[-1] <= now - self.window_s]:
            del self._hits[k]
        if len(self._hits) >= self.max_keys:
            self._hits.clear()


class ConcurrencyLimit:
    """At most ``per_key`` requests at a time per key (client address) and ``total`` in all: expensive work such
    as an argon2 hash cannot be stacked up by one client, or by many."""

    def __init__(self, per_key: int, total: int) -> None:
        self.per_key = per_key
        self.total = total
        self._busy: dict[str, int] = {}
        self._all = 0
        self._lock = threading.Lock()

    def acquire(self, key: str) -> bool:
        with self._lock:
            if self._all >= self.total or self._busy.get(key, 0) >= self.per_key:
                return False
            self._busy[key] = self._busy.get(key, 0) + 1
            self._all += 1
            return True

    def release(self, key: str) -> None:
        with self._lock:
            n = self._busy.get(key, 0) - 1
            if n <= 0:
                self._busy.pop(key, None)
            else:
                self._busy[key] = n
            self._all = max(0, self._all - 1)


# unauthenticated requests may add at most this many audit records a minute, per client and in all (the rest are
# logged, not recorded): an anonymous flood cannot grow the trail without bound
ANONYMOUS_AUDIT_PER_CLIENT_PER_MINUTE = 30
ANONYMOUS_AUDIT_PER_MINUTE = 300
_budget_lock = threading.Lock()


def anonymous_audit_budget(state: Any, client: str | None) -> bool:
    """One more audit record for an unauthenticated request (kept on the app's ``state``): within the
    per-client and the global budget?"""
    with _budget_lock:
        limits = getattr(state, "anonymous_audit_limits", None)
        if limits is None:
            limits = (SlidingWindow(ANONYMOUS_AUDIT_PER_CLIENT_PER_MINUTE), SlidingWindow(ANONYMOUS_AUDIT_PER_MINUTE))
            state.anonymous_audit_limits = limits
    now = time.monotonic()
    return bool(limits[0].hit(client or "?", now) and limits[1].hit("*", now))
