"""Nearest sites to a point, in metres: a KD-tree over the sites in one local projection (kernel.geo).

Used to match the rows of an office's own site list to the OSM sites already known (same place = same
category within a radius); the rule that decides a match stays with the caller.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.kernel.geo import LocalProjection


class NearbySites:
    """Build once over the sites' lon/lat; query many points."""

    def __init__(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> None:
        lon_a, lat_a = (
            np.atleast_1d(np.asarray(lon, dtype=np.float64)),
            np.atleast_1d(np.asarray(lat, dtype=np.float64)),
        )
        self.n_sites = len(lon_a)
        self.projection = LocalProjection.around(lon_a, lat_a) if self.n_sites else LocalProjection(0.0, 0.0)
        self._tree = cKDTree(np.column_stack(self.projection.to_xy(lon_a, lat_a)) if self.n_sites else np.zeros((0, 2)))

    def within(self, lon: float, lat: float, radius_m: float, *, k: int) -> tuple[IntArray, FloatArray]:
        """Up to ``k`` nearest sites no farther than ``radius_m``: (indices, distances in metres), nearest first."""
        if self.n_sites == 0 or k < 1:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        x, y = self.projection.to_xy(lon, lat)
        d, i = self._tree.query([float(x), float(y)], k=min(k, self.n_sites))
        d, i = np.atleast_1d(d), np.atleast_1d(i)
        keep = d <= radius_m
        return i[keep].astype(np.int64), d[keep]
