"""NearbySites: nearest sites within a radius, in metres."""

from __future__ import annotations

import numpy as np

from bastion.algorithms.sites.matching import NearbySites
from bastion.kernel.geo import LocalProjection


def test_nearest_within_radius_nearest_first() -> None:
    proj = LocalProjection(7.42, 43.73)
    lon, lat = proj.to_lonlat([0.0, 30.0, 45.0, 85.0], [0.0, 0.0, 0.0, 0.0])  # sites 0, 30, 45 and 85 m east
    near = NearbySites(lon, lat)
    qlon, qlat = proj.to_lonlat(40.0, 0.0)
    idx, d = near.within(float(qlon), float(qlat), 50.0, k=5)
    assert idx.tolist() == [2, 1, 0, 3] and np.allclose(d, [5, 10, 40, 45], atol=0.05)
    idx, _ = near.within(float(qlon), float(qlat), 20.0, k=5)
    assert idx.tolist() == [2, 1]
    assert near.within(float(qlon), float(qlat), 50.0, k=1)[0].tolist() == [2]


def test_no_sites() -> None:
    idx, d = NearbySites([], []).within(7.42, 43.73, 50.0, k=5)
    assert idx.size == 0 and d.size == 0
