"""Greedy heuristics: warm starts (and quick answers) for MCLP and LSCP.

MCLP: add the candidate with the largest uncovered weight p times, then 1-swap (drop one chosen,
add the best replacement) while it strictly improves. LSCP: add the candidate covering most uncovered
rows until all are covered, then drop redundant ones.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.sparse import csc_array
from scipy.sparse import csr_array

from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray

log = logging.getLogger(__name__)


def greedy_mclp(a: csr_array, weight: FloatArray, p: int, *, max_swap_passes: int = 5) -> IntArray:
    """Column indices of a greedy(+swap) solution with at most p columns (fewer if all rows get covered)."""
    af = csr_array(a, dtype=np.float64)
    at = csr_array(af.T)
    ac = csc_array(af)
    n_rows, n_cols = af.shape
    count = np.zeros(n_rows, dtype=np.int64)
    chosen: list[int] = []
    available = np.ones(n_cols, dtype=bool)
    for _ in range(min(p, n_cols)):
        gain = at @ (weight * (count == 0))
        gain[~available] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break
        chosen.append(j)
        available[j] = False
        count += _col(ac, j)
    eps = 1e-9 * max(1.0, float(weight.sum()))
    for _ in range(max_swap_passes):
        improved = False
        for pos in range(len(chosen)):
            j = chosen[pos]
            cj = _col(ac, j)
            without = count - cj
            loss = float(weight[(cj > 0) & (without == 0)].sum())
            gain = at @ (weight * (without == 0))
            gain[~available] = -1.0
            k = int(np.argmax(gain))
            if gain[k] > loss + eps:
                chosen[pos] = k
                available[j], available[k] = True, False
                count = without + _col(ac, k)
                improved = True
        if not improved:
            break
    return np.array(sorted(chosen), dtype=np.int64)


def greedy_lscp(a: csr_array) -> IntArray:
    """Column indices covering every row that any column covers (greedy, then redundant ones dropped)."""
    af = csr_array(a, dtype=np.float64)
    at = csr_array(af.T)
    ac = csc_array(af)
    n_rows, n_cols = af.shape
    need = np.asarray(af.sum(axis=1)).ravel() > 0
    count = np.zeros(n_rows, dtype=np.int64)
    chosen: list[int] = []
    while np.any(need & (count == 0)):
        gain = at @ (need & (count == 0)).astype(np.float64)
        j = int(np.argmax(gain))
        chosen.append(j)
        count += _col(ac, j)
    for j in list(reversed(chosen)):  # latest picks are the likeliest to be redundant
        cj = _col(ac, j)
        if np.all(count[need & (cj > 0)] >= 2):
            chosen.remove(j)
            count -= cj
    return np.array(sorted(chosen), dtype=np.int64)


def _col(ac: csc_array, j: int) -> IntArray:
    out = np.zeros(ac.shape[0], dtype=np.int64)
    out[ac.indices[ac.indptr[j] : ac.indptr[j + 1]]] = 1
    return out
