"""CoverageProblem: who can reach whom within the response standard.

Rows are demand points (sites, weighted by capacity and, later, risk); columns are candidate locations
for response units. Columns listed in ``fixed`` are existing units: always open, never counted in p.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from dataclasses import field

import numpy as np
import numpy.typing as npt
from scipy.sparse import csc_array
from scipy.sparse import csr_array

from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CoverageProblem:
    travel_time_s: FloatArray = field(repr=False)  # (n_demand, n_candidates) seconds, inf = unreachable
    demand_weight: FloatArray = field(repr=False)  # (n_demand,) >= 0
    standard_s: float  # a demand point is covered by a unit that reaches it within this time
    fixed: IntArray  # sorted candidate indices of existing units (always open)
    cover: csr_array = field(repr=False)  # (n_demand, n_candidates) bool, travel_time_s <= standard_s

    @classmethod
    def from_arrays(
        cls,
        travel_time_s: npt.ArrayLike,
        demand_weight: npt.ArrayLike,
        standard_s: float,
        *,
        fixed: npt.ArrayLike = (),
    ) -> CoverageProblem:
        """Validate and build. travel_time_s has one row per demand point and one column per candidate."""
        t = np.asarray(travel_time_s, dtype=np.float64)
        if t.ndim != 2 or t.shape[0] == 0 or t.shape[1] == 0:
            raise InvalidInput(
                f"travel_time_s must be a non-empty 2-D array (n_demand, n_candidates), got shape {t.shape}",
                field="travel_time_s",
            )
        if np.isnan(t).any() or (t < 0).any():
            raise InvalidInput(
                "travel_time_s must be >= 0 seconds with inf for unreachable pairs; it has NaN or negative entries",
                field="travel_time_s",
            )
        w = np.asarray(demand_weight, dtype=np.float64)
        if w.shape != (t.shape[0],):
            raise InvalidInput(
                f"demand_weight must have one entry per demand point ({t.shape[0]}), got shape {w.shape}",
                field="demand_weight",
            )
        if not np.isfinite(w).all() or (w < 0).any():
            raise InvalidInput("demand_weight must be finite and >= 0; give 0 to ignore a point", field="demand_weight")
        if not (np.isfinite(standard_s) and standard_s > 0):
            raise InvalidInput(
                f"standard_s must be a finite number of seconds > 0, got {standard_s}", field="standard_s"
            )
        f = np.asarray(fixed)
        if f.size and (f.ndim != 1 or not np.issubdtype(f.dtype, np.integer)):
            raise InvalidInput(f"fixed must be a list of candidate indices, got {fixed!r}", field="fixed")
        f = np.unique(f.astype(np.int64)) if f.size else np.zeros(0, dtype=np.int64)
        if f.size != np.asarray(fixed).size:
            raise InvalidInput("fixed must not repeat a candidate index", field="fixed")
        if f.size and (f[0] < 0 or f[-1] >= t.shape[1]):
            raise InvalidInput(
                f"fixed must be candidate indices in [0, {t.shape[1]}), got range [{f[0]}, {f[-1]}]", field="fixed"
            )
        cover = csr_array(t <= standard_s)
        log.debug("coverage problem %dx%d, standard %.0f s, %d fixed, density %.4f",
                  t.shape[0], t.shape[1], standard_s, f.size, cover.nnz / t.size)
        return cls(travel_time_s=t, demand_weight=w, standard_s=float(standard_s), fixed=f, cover=cover)

    @property
    def n_demand(self) -> int:
        return int(self.travel_time_s.shape[0])

    @property
    def n_candidates(self) -> int:
        return int(self.travel_time_s.shape[1])

    def cover_csc(self) -> csc_array:
        return csc_array(self.cover)

    def coverage_count(self, open_: npt.ArrayLike) -> IntArray:
        """Number of open candidates covering each demand point."""
        mask = np.zeros(self.n_candidates, dtype=np.float64)
        mask[np.asarray(open_, dtype=np.int64)] = 1.0
        return np.asarray(self.cover.astype(np.float64) @ mask, dtype=np.int64)

    def covered_weight(self, open_: npt.ArrayLike) -> float:
        """Demand weight within the standard of at least one open candidate."""
        return float(self.demand_weight[self.coverage_count(open_) > 0].sum())
