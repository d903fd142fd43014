"""Small-count suppression for every shared output (pure).

A count c with 0 < c < k (default k = 3 events) is withheld (None, shown as "<3"); zero and counts >= k are shown.
A total over cells is withheld when the cells it hides could be recovered from it (total minus the shown cells):
when exactly one cell is withheld, or the withheld cells sum to less than k. Source: the "rule of three"
threshold common in official statistics disclosure control (e.g. Hundepool et al. 2012, Statistical Disclosure
Control, Wiley, ch. 5).
"""

from __future__ import annotations

from collections.abc import Sequence

from bastion.kernel.errors import InvalidInput

SMALL_COUNT_THRESHOLD = 3  # events; counts 1..2 are withheld


def suppress(count: int, *, k: int = SMALL_COUNT_THRESHOLD) -> int | None:
    if k < 1:
        raise InvalidInput(f"k must be >= 1, got {k}", field="k")
    return None if 0 < count < k else count


def suppress_all(counts: Sequence[int], *, k: int = SMALL_COUNT_THRESHOLD) -> list[int | None]:
    return [suppress(c, k=k) for c in counts]


def suppressed_label(count: int | None, *, k: int = SMALL_COUNT_THRESHOLD) -> str:
    return f"<{k}" if count is None else str(count)


def suppress_total(counts: Sequence[int], *, k: int = SMALL_COUNT_THRESHOLD) -> int | None:
    """The sum of ``counts``, or None when publishing it beside the suppressed cells would reveal one of them."""
    hidden = [c for c in counts if 0 < c < k]
    if len(hidden) == 1 or 0 < sum(hidden) < k:
        return None
    return suppress(sum(counts), k=k)
