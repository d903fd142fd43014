"""Exact model reductions for covering problems.

- Demand points covered by an existing (fixed) unit are already covered: they leave the model as a constant.
- Demand points with identical coverage sets merge into one row; their weights add.
- A candidate whose coverage set is a subset of another's is dominated (for MCLP and LSCP): some optimum
  never needs it. Ties keep the lowest index. Dominance is NOT valid for backup coverage.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from dataclasses import field

import numpy as np
from scipy.sparse import csr_array

from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reduced:
    a: csr_array = field(repr=False)  # (groups, kept candidates) 0/1
    weight: FloatArray  # (groups,) summed weight
    group_of: IntArray  # (rows of the input,) group index of each input row
    candidates: IntArray  # (kept,) original candidate index of each column


def merge_rows(
    a: csr_array, weight: FloatArray, extra_key: IntArray | None = None
) -> tuple[csr_array, FloatArray, IntArray]:
    """Merge rows with identical sparsity patterns (and equal extra_key); returns (a', w', group_of)."""
    a = csr_array(a)
    a.sort_indices()
    groups: dict[bytes, int] = {}
    group_of = np.empty(a.shape[0], dtype=np.int64)
    ip, ix = a.indptr, a.indices.astype(np.int32)
    for i in range(a.shape[0]):
        key = ix[ip[i] : ip[i + 1]].tobytes()
        if extra_key is not None:
            key += int(extra_key[i]).to_bytes(8, "little", signed=True)
        group_of[i] = groups.setdefault(key, len(groups))
    n_g = len(groups)
    first = np.full(n_g, -1, dtype=np.int64)
    first[group_of[::-1]] = np.arange(a.shape[0] - 1, -1, -1)
    w = np.bincount(group_of, weights=weight, minlength=n_g).astype(np.float64)
    return csr_array(a[first]), w, group_of


def dominated_columns(a: csr_array) -> np.ndarray:
    """Boolean mask of columns whose row set is a subset of another column's (ties: higher index dominated)."""
    b = csr_array(a, dtype=np.float64)
    size = np.asarray(b.sum(axis=0)).ravel()
    inter = (b.T @ b).tocoo()
    j, k, v = inter.row, inter.col, inter.data
    sub = (j != k) & (v >= size[j] - 0.5) & ((size[k] > size[j]) | ((size[k] == size[j]) & (k < j)))
    out = np.zeros(a.shape[1], dtype=bool)
    out[j[sub]] = True
    out |= size == 0
    return out


def reduce_covering(a: csr_array, weight: FloatArray, *, drop_dominated: bool = True) -> Reduced:
    """Merge identical rows and (optionally) drop dominated/empty columns, repeated until stable."""
    cand = np.arange(a.shape[1], dtype=np.int64)
    a = csr_array(a, dtype=np.int8)
    a, w, group_of = merge_rows(a, np.asarray(weight, dtype=np.float64))
    while True:
        if drop_dominated:
            drop = dominated_columns(a)
        else:
            drop = np.asarray(a.sum(axis=0)).ravel() == 0
        if not drop.any():
            break
        a = csr_array(a[:, np.flatnonzero(~drop)])
        cand = cand[~drop]
        a2, w2, g2 = merge_rows(a, w)
        a, w, group_of = a2, w2, g2[group_of]
    log.debug("reduction: %d rows -> %d groups, %d candidates kept", len(group_of), a.shape[0], len(cand))
    return Reduced(a=a, weight=w, group_of=group_of, candidates=cand)
