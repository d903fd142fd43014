"""Peer check: p-median on OR-Library pmed1-pmed10 (Beasley 1985) must reach the published optima, proven.

Inputs and answers come from outside the team: tests/fixtures/pmedian/ (pmedN.txt edge lists, optima.csv;
see its README.md). Costs are shortest-path distances over the undirected graph (the last occurrence of a
repeated edge wins, as the OR-Library format says); every vertex is a client of weight 1 and a candidate.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from bastion.algorithms.coverage import CoverageProblem
from bastion.algorithms.coverage import solve_p_median
from bastion.algorithms.coverage.orlib import parse_pmed
from bastion.kernel.errors import InvalidInput

DATA = Path(__file__).resolve().parents[2] / "fixtures" / "pmedian"
SLOW = {"pmed6"}  # > 10 s on the shared 2-core machine under load (radius formulation)


def optima() -> dict[str, tuple[int, int, int]]:
    """instance -> (n_vertices, p, optimal objective) from optima.csv."""
    with (DATA / "optima.csv").open(newline="") as fh:
        return {r["instance"]: (int(r["n_vertices"]), int(r["p"]), int(r["optimal_objective"]))
                for r in csv.DictReader(fh)}


@cache
def instance(name: str) -> tuple[np.ndarray, int]:
    """(n x n shortest-path distances, p) of an OR-Library p-median file."""
    return parse_pmed((DATA / f"{name}.txt").read_text())


def params() -> list:
    return [pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name for name in optima()]


def test_fixture_matches_the_published_table():
    table = optima()
    assert list(table) == [f"pmed{i}" for i in range(1, 11)]
    for name, (n, p, _) in table.items():
        d, p_file = instance(name)
        assert d.shape == (n, n) and p_file == p
        assert np.isfinite(d).all() and np.allclose(d, d.T) and (np.diag(d) == 0).all()


@pytest.mark.parametrize("name", params())
def test_or_library_optimum_proven(name):
    d, p = instance(name)
    _, _, best = optima()[name]
    r = solve_p_median(CoverageProblem.from_arrays(d, np.ones(len(d)), 1.0), p)
    assert r.status == "optimal" and r.gap == 0.0
    assert r.objective == pytest.approx(best, abs=1e-6) and r.bound == pytest.approx(best, abs=1e-6)
    assert len(r.chosen) == p
    assert float(d[:, list(r.chosen)].min(axis=1).sum()) == pytest.approx(best, abs=1e-6)


@pytest.mark.parametrize("name", ["pmed1", "pmed4"])
def test_assignment_formulation_agrees(name):
    d, p = instance(name)
    _, _, best = optima()[name]
    r = solve_p_median(CoverageProblem.from_arrays(d, np.ones(len(d)), 1.0), p, formulation="assignment")
    assert r.status == "optimal" and r.objective == pytest.approx(best, abs=1e-6)


def test_or_library_with_existing_units_and_weights():
    """Same optimum when an optimal site is declared an existing unit (and p drops by one); weights scale it."""
    d, p = instance("pmed1")
    _, _, best = optima()["pmed1"]
    first = solve_p_median(CoverageProblem.from_arrays(d, np.ones(len(d)), 1.0), p)
    fixed = [first.chosen[0]]
    r = solve_p_median(CoverageProblem.from_arrays(d, np.full(len(d), 2.5), 1.0, fixed=fixed), p - 1)
    assert r.status == "optimal" and r.objective == pytest.approx(2.5 * best) and len(r.chosen) == p - 1


def test_time_limit_returns_incumbent_with_valid_bound():
    d, p = instance("pmed6")
    _, _, best = optima()["pmed6"]
    r = solve_p_median(CoverageProblem.from_arrays(d, np.ones(len(d)), 1.0), p, time_limit_s=0.3)
    assert r.status in ("time_limit", "optimal") and len(r.chosen) == p
    assert r.bound <= best + 1e-6 <= r.objective + 1e-6
    assert float(d[:, list(r.chosen)].min(axis=1).sum()) == pytest.approx(r.objective)


def test_unknown_formulation_is_rejected():
    d, p = instance("pmed1")
    with pytest.raises(InvalidInput, match="formulation must be one of"):
        solve_p_median(CoverageProblem.from_arrays(d, np.ones(len(d)), 1.0), p, formulation="lagrangian")
