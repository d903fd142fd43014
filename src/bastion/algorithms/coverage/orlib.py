"""OR-Library p-median instances (Beasley 1990, pmed1-40): text in, distances out (no file access here)."""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import shortest_path

from bastion.algorithms._typing import FloatArray


def parse_pmed(text: str) -> tuple[FloatArray, int]:
    """(n x n shortest-path distances, p) of an OR-Library p-median file's text: a line `n edges p`, then one
    undirected edge `i j cost` per line (1-based; a repeated edge: the last occurrence wins, as in the
    published optima)."""
    lines = text.split("\n")
    n, _, p = (int(v) for v in lines[0].split())
    edges: dict[tuple[int, int], float] = {}
    for line in lines[1:]:
        if line.strip():
            i, j, c = (int(v) for v in line.split())
            edges[(min(i, j) - 1, max(i, j) - 1)] = float(c)
    ij = np.array(list(edges), dtype=np.int64)
    g = coo_array((np.array(list(edges.values())), (ij[:, 0], ij[:, 1])), shape=(n, n)).tocsr()
    return np.asarray(shortest_path(g, directed=False), dtype=np.float64), p
