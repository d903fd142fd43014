"""Sparse-matrix helpers shared by the routing graph and its hierarchy."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_array

from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray


def csr_min_weight(u: IntArray, v: IntArray, t: FloatArray, n: int) -> csr_array:
    """CSR matrix keeping the minimum weight of parallel edges (scipy would sum them).

    Explicit zeros (zero-length edges) are kept: scipy.sparse.csgraph treats them as edges.
    """
    order = np.lexsort((t, v, u))
    u, v, t = u[order], v[order], t[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    u, v, t = u[first], v[first], t[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, u + 1, 1)
    indptr = np.cumsum(indptr)
    return csr_array((t.astype(np.float64), v.astype(np.int32), indptr.astype(np.int32)), shape=(n, n))

