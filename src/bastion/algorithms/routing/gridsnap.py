"""Nearest road node to one point from a uniform grid of the nodes, in plain Python (no numpy, no pyproj).

Adding or moving one unit from the command line snaps one point. Importing numpy and pyproj to do it costs more
than the rest of the command (issue 13: a cold `bastion units add` <= 0.5 s on Porto), so the nodes' plane
coordinates (the same azimuthal-equidistant plane as ``Snapper``: ``kernel.geo.LocalProjection``) are kept bucketed
by a square grid, and a query reads only the cells around the point:

- the nodes are sorted by cell (row-major), ``cell_start[c]:cell_start[c+1]`` are cell c's nodes;
- a query scans the 3 x 3 block of cells around the point, then grows the block by one ring at a time until the
  best distance found is no larger than the distance from the point to the block's open border (nodes outside the
  block can only be farther), or the block covers the grid. The answer is the exact nearest node, not an
  approximation; ties go to the lowest node index, as ``numpy.argmin`` in ``NodeIndex`` does.

The point itself is projected with ``kernel.geodesic.aeqd_xy`` (GeographicLib, the geodesic code PROJ uses), which
agrees with pyproj's ``+proj=aeqd`` to ~1e-8 m. The packed form (``to_bytes``/``from_bytes``) is little-endian
float64/int64 arrays behind a fixed header, read without copying.
"""

from __future__ import annotations

import math
import struct
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from bastion.kernel.errors import InvalidInput

DEFAULT_MAX_SNAP_M = 250.0  # metres; a point farther than this from any routable node is flagged, never snapped
MAGIC = b"BSNAPG01"
_HEADER = struct.Struct("<8s5d3q")  # magic, lon0, lat0, x0, y0, cell_m, nx, ny, n
MAX_CELLS_PER_NODE = 4  # a sparse network gets larger cells instead of a grid mostly empty


@dataclass(frozen=True)
class GridSnap:
    """Road nodes bucketed by a square grid in the local plane (metres); see the module docstring."""

    lon0: float  # projection centre (degrees)
    lat0: float
    x0: float  # grid origin (m): the lower-left corner of cell (0, 0)
    y0: float
    cell_m: float
    nx: int
    ny: int
    cell_start: Sequence[int]  # (nx*ny + 1,) offsets into the node arrays, row-major (row = y)
    x: Sequence[float]  # (n,) node plane coordinates, sorted by cell
    y: Sequence[float]
    node: Sequence[int]  # (n,) the node's index in the graph
    osm_id: Sequence[int]  # (n,) the node's OSM id

    def nearest(self, px: float, py: float) -> tuple[int, float]:
        """(graph node index, distance m) of the node nearest to plane point (px, py)."""
        k, d = self._nearest(px, py)
        return int(self.node[k]), d

    def _nearest(self, px: float, py: float) -> tuple[int, float]:
        if not (math.isfinite(px) and math.isfinite(py)):
            raise InvalidInput(f"point ({px}, {py}) must be finite plane coordinates in metres")
        ci = min(max(int((px - self.x0) // self.cell_m), 0), self.nx - 1)
        cj = min(max(int((py - self.y0) // self.cell_m), 0), self.ny - 1)
        best_d2, best_node, best_k = math.inf, -1, -1
        done: tuple[int, int, int, int] | None = None  # the block already scanned: i0, i1, j0, j1
        ring = 1
        while True:
            i0, i1 = max(ci - ring, 0), min(ci + ring, self.nx - 1)
            j0, j1 = max(cj - ring, 0), min(cj + ring, self.ny - 1)
            for j in range(j0, j1 + 1):  # only the cells this ring adds to the block
                if done is not None and done[2] <= j <= done[3]:
                    columns = [*range(i0, done[0]), *range(done[1] + 1, i1 + 1)]
                else:
                    columns = list(range(i0, i1 + 1))
                for i in columns:
                    c = j * self.nx + i
                    for k in range(self.cell_start[c], self.cell_start[c + 1]):
                        dx, dy = self.x[k] - px, self.y[k] - py
                        d2 = dx * dx + dy * dy
                        if d2 < best_d2 or (d2 == best_d2 and self.node[k] < best_node):
                            best_d2, best_node, best_k = d2, self.node[k], k
            done = (i0, i1, j0, j1)
            # nodes outside the block lie beyond its open sides (a side on the grid's edge has nothing beyond)
            bound = min(px - (self.x0 + i0 * self.cell_m) if i0 > 0 else math.inf,
                        self.x0 + (i1 + 1) * self.cell_m - px if i1 < self.nx - 1 else math.inf,
                        py - (self.y0 + j0 * self.cell_m) if j0 > 0 else math.inf,
                        self.y0 + (j1 + 1) * self.cell_m - py if j1 < self.ny - 1 else math.inf)
            if best_k >= 0 and (bound == math.inf or best_d2 < bound * bound):
                return best_k, math.sqrt(best_d2)
            if bound == math.inf:  # the whole grid scanned and no node: cannot happen for n > 0
                raise InvalidInput("the snap grid has no nodes")
            ring += 1

    def snap(self, px: float, py: float, *, max_snap_m: float = DEFAULT_MAX_SNAP_M) -> tuple[int | None, int, float]:
        """(OSM id of the snapped node or None when farther than max_snap_m, graph node index, distance m)."""
        k, d = self._nearest(px, py)
        return (int(self.osm_id[k]) if d <= max_snap_m else None), int(self.node[k]), d

    # ---- packing ----

    def to_bytes(self) -> bytes:
        n = len(self.x)
        head = _HEADER.pack(MAGIC, self.lon0, self.lat0, self.x0, self.y0, self.cell_m, self.nx, self.ny, n)
        ints = [array("q", self.cell_start), array("q", self.node), array("q", self.osm_id)]
        floats = [array("d", self.x), array("d", self.y)]
        if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
            for a in ints:
                a.byteswap()
            for b in floats:
                b.byteswap()
        return b"".join((head, ints[0].tobytes(), floats[0].tobytes(), floats[1].tobytes(), ints[1].tobytes(),
                         ints[2].tobytes()))

    @classmethod
    def from_bytes(cls, data: bytes) -> GridSnap:
        """The grid packed by ``to_bytes``; InvalidInput if ``data`` is not one (torn, foreign or old file)."""
        if len(data) < _HEADER.size:
            raise InvalidInput("snap grid: file too short")
        magic, lon0, lat0, x0, y0, cell_m, nx, ny, n = _HEADER.unpack_from(data)
        if magic != MAGIC:
            raise InvalidInput("snap grid: not a Bastion snap grid (wrong magic)")
        n_cells = nx * ny
        if nx < 1 or ny < 1 or n < 1 or not cell_m > 0 or len(data) != _HEADER.size + 8 * (n_cells + 1 + 4 * n):
            raise InvalidInput("snap grid: header and size disagree (a torn file)")
        view = memoryview(data)[_HEADER.size:]
        cuts = [0]
        for size in (n_cells + 1, n, n, n, n):
            cuts.append(cuts[-1] + 8 * size)
        raw = [view[cuts[i]:cuts[i + 1]] for i in range(5)]
        cell_start, x, y, node, osm_id = (_ints(raw[0]), _floats(raw[1]), _floats(raw[2]), _ints(raw[3]),
                                          _ints(raw[4]))
        if cell_start[0] != 0 or cell_start[n_cells] != n:
            raise InvalidInput("snap grid: cell offsets do not cover the nodes")
        return cls(lon0, lat0, x0, y0, cell_m, nx, ny, cell_start, x, y, node, osm_id)


def _ints(raw: memoryview) -> Sequence[int]:
    if sys.byteorder == "little":
        return raw.cast("q")  # no copy
    a = array("q", bytes(raw))  # pragma: no cover - big-endian hosts
    a.byteswap()  # pragma: no cover
    return a  # pragma: no cover


def _floats(raw: memoryview) -> Sequence[float]:
    if sys.byteorder == "little":
        return raw.cast("d")
    a = array("d", bytes(raw))  # pragma: no cover - big-endian hosts
    a.byteswap()  # pragma: no cover
    return a  # pragma: no cover


def build_grid(lon0: float, lat0: float, x: Sequence[float], y: Sequence[float], osm_id: Sequence[int], *,
               cell_m: float = DEFAULT_MAX_SNAP_M) -> GridSnap:
    """Bucket nodes (plane coordinates around (lon0, lat0), graph order) by a square grid of ``cell_m`` metres
    (enlarged so that there are at most MAX_CELLS_PER_NODE cells per node)."""
    n = len(x)
    if n == 0 or len(y) != n or len(osm_id) != n:
        raise InvalidInput(f"snap grid needs equal, non-empty x, y and osm_id, got {n}, {len(y)}, {len(osm_id)}")
    if not cell_m > 0:
        raise InvalidInput(f"cell_m must be > 0 metres, got {cell_m}")
    xs, ys = [float(v) for v in x], [float(v) for v in y]
    if not all(math.isfinite(v) for v in xs + ys):
        raise InvalidInput("snap grid: node coordinates must be finite")
    x0, y0 = min(xs), min(ys)
    width, height = max(xs) - x0, max(ys) - y0
    while (int(width // cell_m) + 1) * (int(height // cell_m) + 1) > MAX_CELLS_PER_NODE * n:
        cell_m *= 2
    nx, ny = int(width // cell_m) + 1, int(height // cell_m) + 1
    cell = [min(int((yv - y0) // cell_m), ny - 1) * nx + min(int((xv - x0) // cell_m), nx - 1)
            for xv, yv in zip(xs, ys, strict=True)]
    order = sorted(range(n), key=lambda k: (cell[k], k))
    counts = [0] * (nx * ny + 1)
    for c in cell:
        counts[c + 1] += 1
    for c in range(nx * ny):
        counts[c + 1] += counts[c]
    return GridSnap(float(lon0), float(lat0), x0, y0, float(cell_m), nx, ny, array("q", counts),
                    array("d", (xs[k] for k in order)), array("d", (ys[k] for k in order)), array("q", order),
                    array("q", (int(osm_id[k]) for k in order)))
