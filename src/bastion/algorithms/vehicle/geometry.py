"""Road geometry in a local metric projection: arc length and bend radii (three-point circles, windowed).

Radius at a vertex P of a polyline: the circle through the points a half-window h before and after P
along the polyline and P itself (circumradius R = abc / (4 * area)). The half-window is clamped
symmetrically to what the polyline offers, h_eff = min(window_m / 2, s_P, L - s_P), so a vertex near an
end is measured on a shorter but still centred chord. A smoothing window of ~20 m averages out OSM
digitising noise (two vertices 0.5 m apart at a kink would otherwise give a ~0 m radius) and models a
driver cutting a junction corner: a square 90-degree corner measured with h = 10 m gives R = h / sqrt(2)
= 7.1 m.
"""

from __future__ import annotations

import numpy as np

from bastion.algorithms._typing import FloatArray
from bastion.kernel.errors import InvalidInput

DEFAULT_WINDOW_M = 20.0  # full smoothing window of the three-point circle, metres
MIN_HALF_WINDOW_M = 0.5  # a chord shorter than this (either side) gives no radius, metres


def dedupe(xy: FloatArray) -> FloatArray:
    """Drop consecutive repeated vertices (zero-length segments)."""
    xy = np.asarray(xy, dtype=float)
    if len(xy) < 2:
        return xy
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.any(np.diff(xy, axis=0) != 0.0, axis=1)
    return xy[keep]


def stations(xy: FloatArray) -> FloatArray:
    """Cumulative arc length at each vertex, metres (first is 0)."""
    seg = np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1]))
    return np.concatenate(([0.0], np.cumsum(seg)))


def points_at(xy: FloatArray, st: FloatArray, s: FloatArray) -> FloatArray:
    """Points at arc lengths s along the polyline (linear interpolation), shape (len(s), 2)."""
    return np.column_stack((np.interp(s, st, xy[:, 0]), np.interp(s, st, xy[:, 1])))


def circumradius(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Radius of the circle through three points (rows), metres; inf when collinear."""
    ab = np.hypot(*(b - a).T)
    bc = np.hypot(*(c - b).T)
    ca = np.hypot(*(a - c).T)
    cross = np.abs((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = ab * bc * ca / (2.0 * cross)
    r = np.where(cross <= 1e-12 * np.maximum(ab * bc, 1e-300), np.inf, r)
    # a U-turn (a == c): the circle degenerates; the vehicle must stop and turn: radius 0
    return np.where(ca <= 1e-9, 0.0, r)


def bend_radii(xy: FloatArray, *, window_m: float = DEFAULT_WINDOW_M) -> tuple[FloatArray, FloatArray]:
    """Stations (m from the start) and radii (m) at every interior vertex of a projected polyline.

    Vertices on a straight line get an infinite radius and are dropped; so are vertices whose clamped
    half-window is below MIN_HALF_WINDOW_M (at the very ends).
    """
    if window_m <= 0:
        raise InvalidInput(f"window_m must be > 0 metres, got {window_m}")
    xy = dedupe(np.asarray(xy, dtype=float))
    if len(xy) < 3:
        return np.empty(0), np.empty(0)
    st = stations(xy)
    s = st[1:-1]
    h = np.minimum(np.minimum(window_m / 2.0, s), st[-1] - s)
    ok = h >= MIN_HALF_WINDOW_M
    s, h = s[ok], h[ok]
    r = circumradius(points_at(xy, st, s - h), points_at(xy, st, s), points_at(xy, st, s + h))
    finite = np.isfinite(r)
    return s[finite], r[finite]


def junction_radius(xy_in: FloatArray, xy_out: FloatArray, *, window_m: float = DEFAULT_WINDOW_M) -> float:
    """Radius of the turn from one polyline into the next at their shared vertex, metres (inf if straight).

    The half-window is clamped to the shorter of the two polylines, so the value depends only on the pair.
    """
    xy_in = dedupe(np.asarray(xy_in, dtype=float))
    xy_out = dedupe(np.asarray(xy_out, dtype=float))
    if len(xy_in) < 2 or len(xy_out) < 2:
        return float("inf")
    st_in, st_out = stations(xy_in), stations(xy_out)
    h = min(window_m / 2.0, st_in[-1], st_out[-1])
    if h < MIN_HALF_WINDOW_M:
        return float("inf")
    a = points_at(xy_in, st_in, np.array([st_in[-1] - h]))
    c = points_at(xy_out, st_out, np.array([h]))
    return float(circumradius(a, xy_in[-1:], c)[0])


def truncate(xy: FloatArray, length_m: float) -> FloatArray:
    """The first length_m metres of a polyline."""
    st = stations(xy)
    if length_m >= st[-1]:
        return xy
    k = int(np.searchsorted(st, length_m, side="right"))
    end = points_at(xy, st, np.array([length_m]))
    return np.vstack((xy[:k], end))
