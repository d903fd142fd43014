"""Pure posture logic: level schemes, rule-pack validation, the vectorised diff equals the from-scratch set
difference, HVM tasks go exactly to sites with a barrier gap, more patrol resources never lower the defender's
expected utility, days sustainable by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.algorithms.posture import levels as lv
from bastion.algorithms.posture import resources
from bastion.algorithms.posture import rules as algo
from bastion.kernel.errors import InvalidInput
from bastion.posture.service import pack


def test_uk_response_levels_follow_protectuk() -> None:
    uk = lv.SCHEMES["uk"]
    assert [uk.response(x) for x in uk.levels] == ["NORMAL", "NORMAL", "HEIGHTENED", "HEIGHTENED", "EXCEPTIONAL"]
    assert lv.SCHEMES["cn"].levels == ("normal", "level_3", "level_2", "level_1")  # 三级 is the lowest raised level
    assert lv.SCHEMES["ntas"].expiry_required == (False, True, True, True)  # NTAS sunset provision


def test_shipped_pack_cites_every_rule() -> None:
    p = pack()
    assert p.rules and all(r.source.strip() for r in p.rules)
    assert {r.kind for r in p.rules} == set(algo.KINDS)


@pytest.mark.parametrize(("rule", "field"), [
    ({"id": "x", "kind": "task", "title": "t", "source": "s", "when": {"scheme": "uk", "min_level": "SEVERE"}},
     "rules[x].deadline_h"),
    ({"id": "x", "kind": "measure", "title": "t", "when": {"scheme": "uk", "min_level": "SEVERE"}},
     "rules[x].source"),
    ({"id": "x", "kind": "measure", "title": "t", "source": "s", "when": {"scheme": "uk", "min_level": "HIGH"}},
     "level"),
    ({"id": "x", "kind": "wish", "title": "t", "source": "s", "when": {"min_rank": 1}}, "rules[x].kind"),
])
def test_pack_validation_names_the_field(rule: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as e:
        algo.parse_pack({"id": "p", "rules": [rule]})
    assert e.value.field == field


def _rules() -> tuple[algo.PostureRule, ...]:
    return pack().rules


LEVELS = st.fixed_dictionaries({"uk": st.sampled_from(lv.SCHEMES["uk"].levels),
                                "cn": st.sampled_from(lv.SCHEMES["cn"].levels),
                                "ntas": st.sampled_from(lv.SCHEMES["ntas"].levels)})
TIERS = ["uk_ppa_2025:standard", "uk_ppa_2025:enhanced", "cn_key_target:grade_2", "cn_key_target:grade_1"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["education", "health", "venue"]),
                          st.frozensets(st.sampled_from(TIERS)), st.booleans()), min_size=1, max_size=40),
       LEVELS, LEVELS)
def test_diff_equals_from_scratch_set_difference(sites: list[tuple[str, frozenset[str], bool]],
                                                 before: dict[str, str], after: dict[str, str]) -> None:
    rules = _rules()
    table = algo.site_table(list(range(len(sites))), [c for c, _t, _g in sites], [t for _c, t, _g in sites],
                            [g for _c, _t, g in sites])
    app = algo.applicability(table, rules)
    added, removed = algo.diff(app, before, after, rules).as_sets(table, rules)

    def scratch(levels: dict[str, str]) -> set[tuple[int, str]]:
        return {(i, r.rule_id) for i, (cat, tiers, gap) in enumerate(sites) for r in rules
                if r.gate(levels) and (not r.site_categories or cat in r.site_categories)
                and (not r.tiers or r.tiers & tiers) and (r.kind != "hvm" or gap)}

    assert added == scratch(after) - scratch(before)
    assert removed == scratch(before) - scratch(after)


def test_hvm_tasks_go_exactly_to_sites_with_a_barrier_gap() -> None:
    rules = _rules()
    gaps = [True, False, True, False]
    table = algo.site_table([10, 11, 12, 13], ["venue"] * 4, [frozenset()] * 4, gaps)
    req = algo.required(algo.applicability(table, rules), {"uk": "CRITICAL", "cn": "normal", "ntas": "none"}, rules)
    hvm = [j for j, r in enumerate(rules) if r.rule_id == "uk_hvm_temporary"][0]
    assert [int(x) for x in table.site_ids[req[:, hvm]]] == [10, 12]


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 30).flatmap(lambda n: st.tuples(
    st.lists(st.floats(0.5, 50), min_size=n, max_size=n), st.lists(st.floats(0, 0.4), min_size=n, max_size=n),
    st.integers(1, n - 1), st.integers(0, n))))
def test_more_patrol_resources_never_lower_defender_utility(args: tuple[list[float], list[float], int, int]) -> None:
    au_l, frac, base, extra = args
    au = np.array(au_l)
    ac = au * np.array(frac)
    ch = resources.patrol_change(resources.Payoffs(np.zeros(len(au)), -au, ac, au), base_teams=base,
                                 extra_teams=extra, hours_per_day=8.0, shift_h=8.0)
    assert ch.resources_after >= ch.resources_before
    assert ch.defender_eu_after >= ch.defender_eu_before - 1e-9
    assert abs(float(ch.coverage_after.sum()) - ch.resources_after) < 1e-6 or ch.coverage_after.max() >= 1 - 1e-9


def test_days_sustainable_by_hand() -> None:
    assert resources.staffing(40, 16, 100).days_sustainable == 4  # floor(100 / 24)
    assert resources.staffing(10, 16, 100).days_sustainable is None  # within routine staffing: indefinitely
    with pytest.raises(InvalidInput):
        resources.staffing(-1, 0, 0)


def test_a_customer_pack_replaces_the_bundled_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "pack.yaml"
    f.write_text("id: local\nrules:\n  - {id: r1, kind: measure, title: t, source: 'local order 7', "
                 "when: {min_rank: 1}}\n", encoding="utf-8")
    monkeypatch.setenv("BASTION_OFFICE_POSTURE_PACK", str(f))
    assert [r.rule_id for r in pack().rules] == ["r1"]
    f.write_text("id: bad\nrules: [{id: r1, kind: measure, title: t, when: {min_rank: 1}}]\n", encoding="utf-8")
    from bastion.posture.service import load_pack

    with pytest.raises(InvalidInput, match="source is required"):
        load_pack(f)
