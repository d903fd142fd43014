"""Existing barriers at an approach's entry point, and whether each meets the approach's need.

A barrier counts for an approach when its geometry lies within `within_m` of the last `last_m` metres of
the approach path (the stretch just before the perimeter, where a barrier line would stand).
A barrier satisfies the approach only through its own certified rating, compared with the need computed
under its OWN standard (`ratings.meets`); ratings are never converted between standards. A barrier
without a rating (e.g. an OSM bollard: OSM records no crash test) never satisfies a need: it is reported
as "unrated, not a certified HVM barrier".
Approach status: "protected" (some barrier meets its need), "not_coverable" (no standard tests a speed
this high: no certified product covers it, layout must slow the vehicle first), else "gap".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from bastion.algorithms._typing import FloatArray
from bastion.algorithms.vehicle.geometry import truncate
from bastion.algorithms.vehicle.ratings import STANDARDS
from bastion.algorithms.vehicle.ratings import RatingNeed
from bastion.algorithms.vehicle.ratings import meets
from bastion.algorithms.vehicle.ratings import parse_rating
from bastion.kernel.errors import InvalidInput
from bastion.kernel.geo import LocalProjection

BARRIER_WITHIN_M = 10.0  # a barrier this close to the approach's final stretch stands on that approach, m
BARRIER_LAST_M = 30.0  # length of the final stretch before the perimeter where a barrier line stands, m

UNRATED = "unrated, not a certified HVM barrier"


@dataclass(frozen=True)
class Barrier:
    """A recorded barrier: OSM street furniture (unrated) or a catalogued measure with its certified rating."""

    key: str  # e.g. "osm:node/123" or "measure:45"
    kind: str
    geometry: BaseGeometry  # lon/lat WGS84
    standard: str | None = None  # the standard its rating was certified under, verbatim
    rating: str | None = None  # the certified rating, verbatim

    def __post_init__(self) -> None:
        if (self.standard is None) != (self.rating is None):
            raise InvalidInput(
                f"barrier {self.key}: give both standard and rating (certified) or neither (unrated), got "
                f"standard={self.standard!r}, rating={self.rating!r}"
            )


@dataclass(frozen=True)
class BarrierCheck:
    key: str
    kind: str
    rated: bool
    standard: str | None
    rating: str | None
    need: str | None  # label of the need it was compared with (same standard), if any
    satisfied: bool
    reason: str


class BarrierIndex:
    """Barriers projected once (with an STRtree) so that many approach paths can be matched quickly."""

    def __init__(self, barriers: list[Barrier], proj: LocalProjection) -> None:
        self.barriers = list(barriers)
        self.proj = proj

        def fwd(c: FloatArray) -> FloatArray:
            return np.column_stack(proj.to_xy(c[:, 0], c[:, 1]))

        self.geoms = [shapely.transform(b.geometry, fwd) for b in self.barriers]
        self.tree = shapely.STRtree(self.geoms)

    def on_path(self, path_lonlat: FloatArray, *, within_m: float = BARRIER_WITHIN_M,
                last_m: float = BARRIER_LAST_M) -> list[Barrier]:
        """The barriers standing on the final `last_m` metres of a path (lon/lat, start .. perimeter)."""
        if within_m < 0 or last_m <= 0:
            raise InvalidInput(f"within_m must be >= 0 and last_m > 0 metres, got {within_m}, {last_m}")
        if not self.barriers or len(path_lonlat) < 2:
            return []
        x, y = self.proj.to_xy(path_lonlat[::-1, 0], path_lonlat[::-1, 1])
        tail = truncate(np.column_stack((x, y)), last_m)
        zone = LineString(tail).buffer(max(within_m, 0.01))
        hit = sorted(int(i) for i in self.tree.query(zone, predicate="intersects"))
        return [self.barriers[i] for i in hit]


def barriers_on_path(
    path_lonlat: FloatArray, barriers: list[Barrier], proj: LocalProjection, *,
    within_m: float = BARRIER_WITHIN_M, last_m: float = BARRIER_LAST_M,
) -> list[Barrier]:
    """The barriers standing on the final `last_m` metres of a path (one-off; use BarrierIndex for many)."""
    return BarrierIndex(barriers, proj).on_path(path_lonlat, within_m=within_m, last_m=last_m)


def check_barrier(barrier: Barrier, needs: tuple[RatingNeed, ...]) -> BarrierCheck:
    """Does this barrier's own rating meet the need computed under its own standard?"""
    if barrier.standard is None or barrier.rating is None:
        return BarrierCheck(barrier.key, barrier.kind, False, None, None, None, False, UNRATED)
    need = next((n for n in needs if n.standard == barrier.standard), None)
    if need is None:
        known = ", ".join(STANDARDS)
        return BarrierCheck(barrier.key, barrier.kind, True, barrier.standard, barrier.rating, None, False,
                            f"rated under {barrier.standard}, which is not assessed here ({known}); "
                            "ratings are never converted")
    try:
        rating = parse_rating(barrier.standard, barrier.rating)
    except InvalidInput as exc:
        return BarrierCheck(barrier.key, barrier.kind, True, barrier.standard, barrier.rating, need.label, False,
                            f"rating not understood: {exc}")
    ok = meets(rating, need)
    if ok:
        reason = f"{barrier.rating} meets {need.label}"
    elif not need.coverable:
        reason = f"no {need.standard} rating covers {need.impact_speed_kph:.0f} km/h"
    else:
        reason = f"{barrier.rating} does not meet {need.label}"
    return BarrierCheck(barrier.key, barrier.kind, True, barrier.standard, barrier.rating, need.label, ok, reason)


def approach_status(needs: tuple[RatingNeed, ...], checks: list[BarrierCheck]) -> str:
    """protected | not_coverable | gap (see module docstring)."""
    if any(c.satisfied for c in checks):
        return "protected"
    if needs and not any(n.coverable for n in needs):
        return "not_coverable"
    return "gap"
