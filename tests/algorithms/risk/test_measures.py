from __future__ import annotations

import pytest

from bastion.algorithms.risk.measures import CATALOGUE
from bastion.algorithms.risk.measures import Measure
from bastion.algorithms.risk.measures import MeasureSet
from bastion.algorithms.risk.measures import barrier_penetration_m
from bastion.algorithms.risk.measures import proposed
from bastion.kernel.errors import InvalidInput


def test_barrier_rating_kept_verbatim_and_penetration_read_not_converted() -> None:
    m = Measure("hvm_barrier", {"standard": "IWA 14-1", "rating": "V/7200[N3C]/80/90:0.0"})
    assert m.params["rating"] == "V/7200[N3C]/80/90:0.0"
    assert barrier_penetration_m("IWA 14-1", "V/7200[N3C]/80/90:0.0") == 0.0
    assert barrier_penetration_m("PAS 68", "V/7500(N2)/64/90:5.3/12.5") == 5.3
    assert barrier_penetration_m("ASTM F2656", "M50-P1") == 1.0
    assert barrier_penetration_m("ASTM F2656", "M30-P3") == 30.0
    assert barrier_penetration_m("ASTM F2656", "K12") is None  # legacy DoS rating: no band stated


@pytest.mark.parametrize(("kind", "params", "field"), [
    ("hvm_barrier", {"standard": "DIN 1", "rating": "x"}, "hvm_barrier.standard"),
    ("hvm_barrier", {"standard": "PAS 68", "rating": " "}, "hvm_barrier.rating"),
    ("cctv", {"retention_days": "90"}, "cctv.retention_days"),
    ("guards", {"count": 0}, "guards.count"),
    ("guards", {"name": "x"}, "guards.params"),
    ("screening", {"coverage": "some"}, "screening.coverage"),
    ("laser", {}, "kind"),
])
def test_invalid_measures(kind: str, params: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as ei:
        Measure(kind, params)
    assert ei.value.field == field


def test_measure_set() -> None:
    ms = MeasureSet.of(["cctv", Measure("guards", {"count": 3})])
    assert "cctv" in ms and ms.get("guards").params["count"] == 3  # type: ignore[union-attr]
    assert ms.with_measure(Measure("guards", {"count": 5})).get("guards").params["count"] == 5  # type: ignore[union-attr]
    with pytest.raises(InvalidInput, match="more than once"):
        MeasureSet.of(["cctv", "cctv"])
    assert all(proposed(k).kind == k for k in CATALOGUE)
    assert all(s.pillar in ("staffing", "physical", "technical", "management") for s in CATALOGUE.values())
