from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from bastion.algorithms.risk.standards import Standard
from bastion.algorithms.risk.standards import parse_standard
from bastion.kernel.errors import InvalidInput

MINIMAL: dict[str, Any] = {
    "schema_version": 1, "id": "t", "name": "Test", "version": "1", "jurisdiction": "XX", "source": "test",
    "method": "capacity_bands",
    "tiers": [{"id": "low", "label": "Low", "clause": "c1",
               "requirements": [{"measure": "cctv", "params": {"retention_days": 30}, "clause": "c2"}]},
              {"id": "high", "label": "High", "clause": "c3"}],
    "capacity_bands": [{"min": 100, "max": 499, "tier": "low", "clause": "b1"},
                       {"min": 500, "tier": "high", "clause": "b2"}],
}


def test_builtins_load_and_cite_every_threshold(standards: dict[str, Standard]) -> None:
    assert set(standards) == {"uk_ppa_2025", "us_isc_fsl", "cn_key_target"}
    for s in standards.values():
        for t in s.tiers:
            assert t.clause
            assert all(r.clause for r in t.requirements)
        assert all(b.clause for b in s.capacity_bands)
        assert all(b.clause for b in s.total_bands)
        assert all(f.clause for f in s.factors)
        assert all(r.clause for r in s.rules + s.overrides)


def test_minimal_document_parses_and_is_frozen() -> None:
    s = parse_standard(MINIMAL)
    assert [t.id for t in s.tiers] == ["low", "high"]
    assert s.tiers[0].requirements[0].params["retention_days"] == 30
    with pytest.raises(AttributeError):
        s.id = "x"  # type: ignore[misc]


@pytest.mark.parametrize(("mutate", "path"), [
    (lambda d: d["tiers"][0]["requirements"][0].update(measure="laser"), "tiers[0].requirements[0].measure"),
    (lambda d: d["tiers"][0]["requirements"][0]["params"].update(colour=3), "tiers[0].requirements[0].params.colour"),
    (lambda d: d["capacity_bands"][1].update(tier="mid"), "capacity_bands[1].tier"),
    (lambda d: d["capacity_bands"][1].update(min=600), "capacity_bands[1].min"),
    (lambda d: d.update(method="vibes"), "method"),
    (lambda d: d.update(schema_version=2), "schema_version"),
    (lambda d: d.pop("source"), "source"),
    (lambda d: d.update(extra=1), "extra"),
    (lambda d: d["tiers"][1].update(id="low"), "tiers"),
    (lambda d: d.update(overrides=[{"kinds": ["castle"], "max_tier": "low", "clause": "x"}]), "overrides[0].kinds[0]"),
])
def test_errors_name_the_key_path(mutate: Any, path: str) -> None:
    doc = copy.deepcopy(MINIMAL)
    mutate(doc)
    with pytest.raises(InvalidInput) as ei:
        parse_standard(doc, where="my.yaml")
    assert f"my.yaml: {path} " in str(ei.value)
    assert ei.value.field == path


def test_yaml_round_trip_of_builtin_text() -> None:
    from importlib import resources

    text = (resources.files("bastion.risk") / "standards" / "us_isc_fsl.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    assert parse_standard(doc) == parse_standard(yaml.safe_load(yaml.safe_dump(doc, allow_unicode=True)))
