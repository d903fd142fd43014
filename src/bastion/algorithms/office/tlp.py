"""FIRST TLP 2.0 labels (https://www.first.org/tlp/): CLEAR < GREEN < AMBER < AMBER+STRICT < RED.

Content carries the lowest label it may be shared under; an output labelled L may hold only content whose
label is <= L. Posture measures are need-to-know: at least AMBER.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from bastion.kernel.errors import InvalidInput

LABELS = ("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")
RESTRICTED = "TLP:AMBER"  # the lowest label posture measures and findings may carry

T = TypeVar("T")


def rank(label: str) -> int:
    if label not in LABELS:
        raise InvalidInput(f"tlp must be one of {list(LABELS)}, got {label!r}", field="tlp")
    return LABELS.index(label)


def admissible(items: Iterable[tuple[str, T]], output_label: str) -> list[T]:
    """The items (label, content) an output labelled ``output_label`` may contain."""
    cap = rank(output_label)
    return [c for lab, c in items if rank(lab) <= cap]
