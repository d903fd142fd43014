from __future__ import annotations

import datetime as dt

import pytest

from bastion.algorithms.risk.checklist import evaluate
from bastion.algorithms.risk.checklist import generate_checklist
from bastion.algorithms.risk.checklist import prefill
from bastion.algorithms.risk.checklist import requirement_met
from bastion.algorithms.risk.checklist import requirements_by_item
from bastion.algorithms.risk.measures import Measure
from bastion.algorithms.risk.measures import MeasureSet
from bastion.algorithms.risk.site import SiteProfile
from bastion.algorithms.risk.standards import Standard
from bastion.algorithms.risk.tiering import tier_all
from bastion.kernel.errors import InvalidInput

DAY = dt.date(2026, 11, 1)


def test_checklist_from_tiers_prefill_and_failed_items(standards: dict[str, Standard]) -> None:
    site = SiteProfile("m1", "retail", "mall", capacity=999)
    tiers = tier_all(site, standards.values())
    cl = generate_checklist("m1", tiers)
    ids = [it.item_id for it in cl.items]
    assert "uk_ppa_2025:evacuation_procedure" in ids and "cn_key_target:cctv" in ids
    assert len(ids) == len(set(ids))
    reqs = requirements_by_item(tiers)
    ms = MeasureSet.of([Measure("cctv", {"retention_days": 30}), "evacuation_procedure",
                        Measure("drills", {"dates": (DAY - dt.timedelta(days=400),)})])
    answers = prefill(cl, reqs, ms, as_of=DAY)
    assert answers["uk_ppa_2025:evacuation_procedure"] == "pass"
    assert answers["us_isc_fsl:cctv"] == "pass"  # 30 days required
    assert answers["cn_key_target:cctv"] == "fail"  # 90 days required
    assert answers["cn_key_target:drills"] == "fail"  # last drill 400 days ago
    answers["uk_ppa_2025:lockdown_procedure"] = "not_applicable"
    del answers["uk_ppa_2025:invacuation_procedure"]
    out = evaluate(cl, answers)
    assert not out.complete and out.unanswered == ("uk_ppa_2025:invacuation_procedure",)
    failed = {f.item_id for f in out.failed}
    assert "cn_key_target:cctv" in failed and "uk_ppa_2025:evacuation_procedure" not in failed
    assert all(f.clause for f in out.failed)
    with pytest.raises(InvalidInput, match="not on this checklist"):
        evaluate(cl, {"nope": "pass"})
    with pytest.raises(InvalidInput, match="must be one of"):
        evaluate(cl, {ids[0]: "maybe"})


def test_requirement_met_parameters(standards: dict[str, Standard]) -> None:
    fsl = standards["us_isc_fsl"]
    scr_all = next(r for r in fsl.tier("IV").requirements if r.measure == "screening")
    scr_rand = next(r for r in fsl.tier("III").requirements if r.measure == "screening")
    assert requirement_met(scr_rand, Measure("screening", {"coverage": "all"}), as_of=DAY)
    assert not requirement_met(scr_all, Measure("screening", {"coverage": "random"}), as_of=DAY)
    guards = next(r for r in fsl.tier("IV").requirements if r.measure == "guards")
    assert not requirement_met(guards, Measure("guards", {"count": 1}), as_of=DAY)
    assert requirement_met(guards, Measure("guards", {"count": 2}), as_of=DAY)
    assert not requirement_met(guards, None, as_of=DAY)
