"""Peer check: spopt's own real-world test data (San Francisco, 205 census tracts x 16 stores) must give the
values that spopt's test suite asserts (tests/fixtures/spopt-sf/expected_values.json; BSD-3, see
LICENSE.spopt.txt). The cost matrix and weights are built exactly as spopt's tests build them: a pivot of the
network-distance table (rows = tracts sorted by name, columns = stores sorted as strings: Store_1, Store_10,
..., Store_9), weights = POP2000 sorted by tract name. Distances are metres; our cores take them in place of
seconds (the unit does not enter the models).
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from bastion.algorithms.coverage import CoverageProblem
from bastion.algorithms.coverage import solve_lscp
from bastion.algorithms.coverage import solve_mclp
from bastion.algorithms.coverage import solve_p_median

DATA = Path(__file__).resolve().parents[2] / "fixtures" / "spopt-sf"
RADIUS_M = 5000.0


@cache
def sf() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(205 x 16 network distances in metres, POP2000 weights, store names in column order)."""
    with (DATA / "SF_network_distance_candidateStore_16_censusTract_205_new.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    tracts = sorted({r["DestinationName"] for r in rows})
    stores = sorted({r["name"] for r in rows})
    ti = {t: i for i, t in enumerate(tracts)}
    si = {s: j for j, s in enumerate(stores)}
    d = np.full((len(tracts), len(stores)), np.nan)
    for r in rows:
        d[ti[r["DestinationName"]], si[r["name"]]] = float(r["distance"])
    with (DATA / "SF_demand_205_centroid_uniform_weight.csv").open(newline="") as fh:
        pop = {r["NAME"]: float(r["POP2000"]) for r in csv.DictReader(fh)}
    return d, np.array([pop[t] for t in tracts]), stores


def case(model: str) -> dict:
    cases = json.loads((DATA / "expected_values.json").read_text())["cases"]
    return next(c for c in cases if c["model"] == model)


def test_fixture_shape():
    d, w, stores = sf()
    assert d.shape == (205, 16) and np.isfinite(d).all() and (d >= 0).all()
    assert stores[:3] == ["Store_1", "Store_11", "Store_12"] and stores[-1] == "Store_7"  # no Store_8, 9, 10
    assert w.shape == (205,) and (w > 0).all()


def test_mclp_5000m_p4_uncovers_21_tracts():
    c = case("MCLP")
    d, w, stores = sf()
    r = solve_mclp(CoverageProblem.from_arrays(d, w, c["service_radius"]), c["p"])
    assert r.status == "optimal" and r.gap == 0.0
    n_cov = int((d[:, list(r.open)] <= c["service_radius"]).any(axis=1).sum())
    assert 205 - n_cov == c["expected"]["n_cli_uncov"] == 21
    assert 100.0 * n_cov / 205 == pytest.approx(c["expected"]["perc_cov"], rel=1e-12)  # 89.756 %, unweighted
    assert r.objective == pytest.approx(875247.0)  # POP2000 covered (the objective); spopt's sites:
    assert sorted(stores[j] for j in r.chosen) == ["Store_11", "Store_12", "Store_15", "Store_2"]


@pytest.mark.parametrize("formulation", ["radius", "assignment"])
def test_p_median_p4_weighted_mean_distance(formulation):
    c = case("PMedian")
    d, w, _ = sf()
    r = solve_p_median(CoverageProblem.from_arrays(d, w, RADIUS_M), c["p"], formulation=formulation)
    assert r.status == "optimal" and r.gap == 0.0 and len(r.chosen) == 4
    assert r.objective / w.sum() == pytest.approx(c["expected"]["mean_dist"], rel=1e-9)  # 2,982.1269 m


def test_lscp_5000m_needs_8_stores():
    d, w, _ = sf()
    r = solve_lscp(CoverageProblem.from_arrays(d, w, RADIUS_M))
    assert r.status == "optimal" and r.objective == 8 and len(r.chosen) == 8 and r.covered_share == 1.0


def test_backup_coverage_81_463_percent():
    """spopt's LSCPB: with p = the LSCP optimum (8), every tract covered at least once, maximise the number of
    tracts (unweighted) with backup; backup_perc = spopt's objective / 205 * 100. spopt writes the backup row as
    sum_j a_ij y_j >= 1 + u_i only for tracts with at least two stores in range; for the others u_i is free, so
    they count as backed up although they cannot be covered twice (22 tracts here). Hence
    backup_perc = (tracts covered twice + tracts with fewer than two stores in range) / 205 * 100.

    Our backup MCLP maximises sum(y) + beta * sum(b) with b <= y. With unit weights and beta = 1 / (n + 1),
    losing one single coverage (-1) can never be paid for by extra double coverage (at most n * beta < 1), so
    the optimum covers every tract once (8 stores suffice) and then maximises double coverage: spopt's model."""
    c = case("LSCPB (backup coverage)")
    d, _, _ = sf()
    n = d.shape[0]
    prob = CoverageProblem.from_arrays(d, np.ones(n), c["service_radius"])
    p = int(solve_lscp(prob).objective)
    r = solve_mclp(prob, p, backup=True, backup_weight=1.0 / (n + 1))
    assert r.status == "optimal" and p == 8
    assert r.covered_weight == n
    single = int(((d <= c["service_radius"]).sum(axis=1) < 2).sum())
    assert (r.backup_covered_weight, single) == (145, 22)  # 70.73 % of tracts are really covered twice
    spopt_backup = 100.0 * (r.backup_covered_weight + single) / n
    assert spopt_backup == pytest.approx(c["expected"]["backup_perc"], rel=1e-12)  # 81.463 %
