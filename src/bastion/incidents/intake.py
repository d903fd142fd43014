"""Validation of incident input: the M/ETHANE fields, counts, and the personal-data refusal on free text."""

from __future__ import annotations

import math
from collections.abc import Iterable
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from bastion.algorithms.dispatch.cordon import NCTC_STANDOFF
from bastion.algorithms.pii import refuse_personal_data
from bastion.incidents.enums import TEXT_MAX
from bastion.incidents.enums import Triage
from bastion.kernel.errors import InvalidInput

MAX_COUNT = 1_000_000


def free_text(value: str | None, field: str, *, required: bool = False, max_len: int = TEXT_MAX) -> str | None:
    """Strip, bound and refuse personal data: Bastion stores no caller, suspect, victim or responder identity."""
    if value is None or not str(value).strip():
        if required:
            raise InvalidInput(f"{field} is required", field=field)
        return None
    v = str(value).strip()
    if len(v) > max_len:
        raise InvalidInput(f"{field} must be at most {max_len} characters, got {len(v)}", field=field)
    refuse_personal_data(v, field)
    return v


def choice(value: str, vocab: type[StrEnum], field: str) -> str:
    try:
        return vocab(value).value
    except ValueError:
        raise InvalidInput(f"{field} must be one of {', '.join(vocab)}, got {value!r}", field=field) from None


def choices(values: Iterable[str], vocab: type[StrEnum], field: str) -> list[str]:
    return sorted({choice(v, vocab, field) for v in values})


def casualties(value: Mapping[str, Any] | None) -> dict[str, int]:
    """Counts by triage category (immediate, urgent, delayed, expectant, dead); missing categories are 0."""
    out = {t.value: 0 for t in Triage}
    for k, v in (value or {}).items():
        cat = choice(k, Triage, "casualties")
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_COUNT:
            raise InvalidInput(f"casualties.{k} must be a whole count from 0 to {MAX_COUNT}, got {v!r}",
                               field=f"casualties.{k}")
        out[cat] = v
    return out


def lonlat(lon: float, lat: float) -> tuple[float, float]:
    if not (isinstance(lon, (int, float)) and math.isfinite(lon) and -180 <= lon <= 180):
        raise InvalidInput(f"lon must be WGS84 degrees in [-180, 180], got {lon!r}", field="lon")
    if not (isinstance(lat, (int, float)) and math.isfinite(lat) and -90 <= lat <= 90):
        raise InvalidInput(f"lat must be WGS84 degrees in [-90, 90], got {lat!r}", field="lat")
    return float(lon), float(lat)


def device(value: str | None) -> str | None:
    if value is None:
        return None
    if value not in NCTC_STANDOFF:
        raise InvalidInput(f"device must be one of {', '.join(NCTC_STANDOFF)} (the NCTC stand-off chart), got "
                           f"{value!r}", field="device")
    return value
