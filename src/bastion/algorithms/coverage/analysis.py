"""Coverage analysis of existing units: per demand point the fastest unit and time, per response standard."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

import numpy as np
import numpy.typing as npt

from bastion.algorithms._typing import BoolArray
from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)

DEFAULT_STANDARDS_S: tuple[float, ...] = (60.0, 180.0, 300.0)  # 1/3/5-minute rings


@dataclass(frozen=True)
class StandardCoverage:
    standard_s: float
    unit: IntArray = field(repr=False)  # (n_demand,) fastest eligible unit, -1 if none reachable
    time_s: FloatArray = field(repr=False)  # (n_demand,) its travel time, inf if none
    covered: BoolArray = field(repr=False)  # time_s <= standard_s
    share_points: float  # covered points / points
    share_weight: float  # covered weight / total weight (1.0 if total weight is 0)
    uncovered: tuple[int, ...]  # demand indices not covered, slowest first


@dataclass(frozen=True)
class CoverageAnalysis:
    fastest_unit: IntArray = field(repr=False)  # (n_demand,) over all units, -1 if none reachable
    fastest_time_s: FloatArray = field(repr=False)
    by_standard: tuple[StandardCoverage, ...]


def analyze_coverage(
    travel_time_s: npt.ArrayLike,
    demand_weight: npt.ArrayLike,
    *,
    standards_s: Sequence[float] = DEFAULT_STANDARDS_S,
    unit_standard_s: npt.ArrayLike | None = None,
) -> CoverageAnalysis:
    """travel_time_s: (n_demand, n_units) seconds, inf = unreachable.

    unit_standard_s (optional, per unit): the ring a unit serves. For standard s only units whose own
    standard is <= s count (a 1-minute post also counts in the 3- and 5-minute rings; a 5-minute
    district unit does not count in the 1- or 3-minute ring). Without it every unit counts everywhere."""
    t = np.asarray(travel_time_s, dtype=np.float64)
    if t.ndim != 2:
        raise InvalidInput(f"travel_time_s must be 2-D (n_demand, n_units), got shape {t.shape}", field="travel_time_s")
    if np.isnan(t).any() or (t < 0).any():
        raise InvalidInput("travel_time_s must be >= 0 seconds (inf = unreachable), no NaN", field="travel_time_s")
    w = np.asarray(demand_weight, dtype=np.float64)
    if w.shape != (t.shape[0],) or not np.isfinite(w).all() or (w < 0).any():
        raise InvalidInput(
            f"demand_weight must be {t.shape[0]} finite values >= 0, got shape {w.shape}", field="demand_weight"
        )
    stds = [float(s) for s in standards_s]
    if not stds or min(stds) <= 0:
        raise InvalidInput(
            f"standards_s must be non-empty and > 0 seconds, got {list(standards_s)}", field="standards_s"
        )
    if unit_standard_s is None:
        us = np.zeros(t.shape[1])
    else:
        us = np.asarray(unit_standard_s, dtype=np.float64)
        if us.shape != (t.shape[1],):
            raise InvalidInput(
                f"unit_standard_s must have one entry per unit ({t.shape[1]}), got {us.shape}", field="unit_standard_s"
            )
    fu, ft = _fastest(t)
    total = float(w.sum())
    n = t.shape[0]
    out = []
    for s in stds:
        u_s, t_s = _fastest(np.where((us <= s)[None, :], t, np.inf))
        cov = t_s <= s
        unc = np.flatnonzero(~cov)
        unc = unc[np.argsort(-t_s[unc], kind="stable")]
        out.append(StandardCoverage(
            standard_s=s, unit=u_s, time_s=t_s, covered=cov,
            share_points=float(cov.mean()) if n else 1.0,
            share_weight=float(w[cov].sum() / total) if total > 0 else 1.0,
            uncovered=tuple(int(i) for i in unc),
        ))
        log.debug(
            "coverage within %.0f s: %.3f of points, %.3f of weight", s, out[-1].share_points, out[-1].share_weight
        )
    return CoverageAnalysis(fastest_unit=fu, fastest_time_s=ft, by_standard=tuple(out))


def _fastest(t: FloatArray) -> tuple[IntArray, FloatArray]:
    if t.shape[1] == 0:
        return np.full(t.shape[0], -1, dtype=np.int64), np.full(t.shape[0], np.inf)
    j = np.argmin(t, axis=1)
    tt = t[np.arange(t.shape[0]), j]
    return np.where(np.isfinite(tt), j, -1).astype(np.int64), tt
