"""The posture a region is at, as duty generation reads it: every scheme (UK threat level, China's heightened
protection levels, US NTAS bulletins), the most demanding one deciding the response rank, expiry respected.

The posture domain publishes each approved declaration here (``publish``) and withdraws it when it ends
(``withdraw``); office never imports posture (posture imports office, so the arrow points one way). Schemes
without a published level fall back to the risk domain's stored setting (UK, CN) or to no bulletin (NTAS)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.algorithms.posture.levels import SCHEMES
from bastion.kernel.errors import InvalidInput
from bastion.office.models import RegionLevel
from bastion.risk import service as risk_svc


def publish(s: Session, *, region_id: int, scheme: str, level: str, previous_level: str,
            expires_at: dt.datetime | None, declaration_id: int | None, now: dt.datetime) -> None:
    """Record that ``level`` is in force for ``scheme`` in the region until ``expires_at`` (None: until withdrawn);
    in the caller's transaction."""
    sch = SCHEMES.get(scheme)
    if sch is None:
        raise InvalidInput(f"scheme must be one of {list(SCHEMES)}, got {scheme!r}", field="scheme")
    sch.index(level)
    sch.index(previous_level)
    row = s.get(RegionLevel, (region_id, scheme))
    if row is None:
        row = RegionLevel(region_id=region_id, scheme=scheme)
        s.add(row)
    row.level, row.previous_level, row.expires_at = level, previous_level, expires_at
    row.declaration_id, row.updated_at = declaration_id, now
    s.flush()


def withdraw(s: Session, *, region_id: int, scheme: str) -> None:
    """The scheme's declaration ended: the region falls back to its stored setting (in the caller's transaction)."""
    s.execute(delete(RegionLevel).where(RegionLevel.region_id == region_id, RegionLevel.scheme == scheme))


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def region_levels(s: Session, region_id: int, *, now: dt.datetime) -> dict[str, str]:
    """scheme -> level in force at ``now``: a published level until its expiry (then the level it replaced),
    else the risk setting (UK, CN), else ``none`` (NTAS)."""
    ts = risk_svc.threat_setting(s, region_id)
    out = {"uk": ts.uk_threat_level, "cn": ts.cn_heightened_level or "normal", "ntas": "none"}
    for row in s.scalars(select(RegionLevel).where(RegionLevel.region_id == region_id)):
        live = row.expires_at is None or now < _aware(row.expires_at)
        out[row.scheme] = row.level if live else row.previous_level
    return out


def rank_of(levels: Mapping[str, str]) -> int:
    """The response rank (0..3) of a set of levels: the most demanding scheme decides."""
    return max((SCHEMES[k].rank(v) for k, v in levels.items() if k in SCHEMES), default=0)


def region_rank(s: Session, region_id: int, *, now: dt.datetime) -> int:
    return rank_of(region_levels(s, region_id, now=now))
