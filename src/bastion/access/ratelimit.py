"""A sliding-window rate limiter keyed by client address (time comes in as `now`, seconds)."""

from __future__ import annotations

import threading
from collections import deque


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
