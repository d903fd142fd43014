"""CSV cells that a spreadsheet cannot run: every CSV export goes through `cell` (OWASP CSV injection).

A text cell beginning with = + - @ (or a tab / carriage return, which some spreadsheets skip before reading a
formula) is prefixed with an apostrophe, so it is shown as text; numbers (also as text, "-7.42") are left alone.
Write with ``lineterminator="\\r\\n"`` (RFC 4180): the csv module then quotes any field holding CR or LF, so a
carriage return in a note cannot break a row."""

from __future__ import annotations

import re
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
LINE_TERMINATOR = "\r\n"
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def cell(value: Any) -> Any:
    """``value`` as a CSV cell that no spreadsheet evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
