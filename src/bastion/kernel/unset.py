"""A typed "not given" marker for partial updates (None can be a real value, e.g. "no availability limit")."""

from __future__ import annotations

from enum import Enum
from typing import Final


class Unset(Enum):
    """The type of UNSET: `name: str | Unset = UNSET` leaves a field unchanged unless given."""

    UNSET = 0

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET
