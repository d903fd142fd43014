"""Calendar rule packs from YAML: the bundled pack is the documented default, a bad pack is refused with the rule
and field named, and a region's own pack changes the gaps and proposals (Monaco)."""

from __future__ import annotations

from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.preparedness.calendar import DEFAULT_RULES
from bastion.algorithms.preparedness.calendar_pack import pack_document
from bastion.algorithms.preparedness.calendar_pack import parse_pack
from bastion.kernel.errors import InvalidInput
from bastion.preparedness import calendar_packs
from bastion.preparedness import exercises as ex
from tests.preparedness.test_exercises import T0
from tests.preparedness.test_exercises import _ids

API = "/api/v1"
RULE = """
  - id: uk_enhanced_quarterly
    standard_id: uk_ppa_2025
    tiers: [enhanced]
    period: quarter
    min_count: 1
    types: [drill, tabletop]
    source: Our own counter-terrorism policy (2027)
    assumption: true
"""
QUARTERLY = "id: monaco-own\nversion: '2027-01'\nrules:\n" + RULE


def test_bundled_pack_is_the_documented_default() -> None:
    pack = calendar_packs.bundled_pack()
    assert pack.rules == DEFAULT_RULES
    assert all(r.source for r in pack.rules)  # every rule cites its source
    assert [r.id for r in pack.rules if r.assumption] == ["uk_enhanced_annual", "cn_grade1_quarterly"]
    assert parse_pack(pack_document(pack)) == pack


@pytest.mark.parametrize(("text", "field"), [
    (QUARTERLY.replace("    source: Our own counter-terrorism policy (2027)\n", ""),
     "rules[uk_enhanced_quarterly].source"),
    (QUARTERLY.replace("period: quarter", "period: month"), "rules[uk_enhanced_quarterly].period"),
    (QUARTERLY.replace("period: quarter", "perod: quarter"), "rules[uk_enhanced_quarterly].perod"),
    (QUARTERLY.replace("min_count: 1", "min_count: 0"), "rules[uk_enhanced_quarterly].min_count"),
    (QUARTERLY.replace("min_count: 1", "min_count: '1'"), "rules[uk_enhanced_quarterly].min_count"),
    (QUARTERLY.replace("[drill, tabletop]", "[drill, parade]"), "rules[uk_enhanced_quarterly].types"),
    (QUARTERLY.replace("tiers: [enhanced]", "tiers: []"), "rules[uk_enhanced_quarterly].tiers"),
    (QUARTERLY.replace("assumption: true", "assumption: maybe"), "rules[uk_enhanced_quarterly].assumption"),
    (QUARTERLY + RULE, "rules[uk_enhanced_quarterly].id"),  # duplicate id
    ("id: x\nrules: []\n", "pack.rules"),
    ("id: x\nrules:\n  - [1, 2]\n", "rules[0]"),
    ("- just a list\n", "pack"),
    ("id: x\nrules: [\n", "pack"),  # not YAML
    ("id: x\nowner: me\nrules: []\n", "pack.owner"),
])
def test_a_bad_pack_is_refused_naming_the_field(text: str, field: str) -> None:
    with pytest.raises(InvalidInput) as e:
        calendar_packs.load_yaml(text)
    assert e.value.field == field, str(e.value)


def test_a_regions_own_pack_changes_the_proposals(client: TestClient, monaco_sf: sessionmaker[Session]) -> None:
    rid, sid = _ids(monaco_sf)
    with monaco_sf() as s:
        enhanced = sorted(i for i, ts in ex.region_site_tiers(s, rid).items() if ("uk_ppa_2025", "enhanced") in ts)
        before = ex.calendar(s, rid, first_year=2027, years=1)
    assert sid in enhanced and before["pack_source"] == "bundled"
    uk = Counter(g.site_id for g in before["gaps"] if g.rule_id == "uk_enhanced_annual")
    assert uk == dict.fromkeys(enhanced, 1)  # one a year each

    bad = client.put(f"{API}/regions/{rid}/exercise-calendar-pack",
                     json={"yaml": QUARTERLY.replace("period: quarter", "period: month")})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "rules[uk_enhanced_quarterly].period"
    r = client.put(f"{API}/regions/{rid}/exercise-calendar-pack", json={"yaml": QUARTERLY})
    assert r.status_code == 200 and r.json()["source"] == "region"
    cal = client.get(f"{API}/regions/{rid}/exercise-calendar", params={"first_year": 2027, "years": 1}).json()
    assert cal["pack"] == "monaco-own@2027-01" and cal["pack_source"] == "region"
    assert [x["id"] for x in cal["rules"]] == ["uk_enhanced_quarterly"]
    quarters = Counter(g["site_id"] for g in cal["gaps"])
    assert quarters == dict.fromkeys(enhanced, 4)  # now one a quarter each, and the cn rules are gone
    # the proposals fill every quarter of every enhanced site, with the pack's types only
    assert {p["type"] for p in cal["proposals"]} <= {"drill", "tabletop"}
    covered = Counter((s, p["start"][:7]) for p in cal["proposals"] for s in p["site_ids"])
    assert sum(covered.values()) == 4 * len(enhanced)
    made = ex.schedule_proposals(monaco_sf, rid, first_year=2027, years=1, now=T0)
    assert sum(len(e.site_ids) for e in made) == 4 * len(enhanced)
    assert client.delete(f"{API}/regions/{rid}/exercise-calendar-pack").status_code == 204
    assert client.get(f"{API}/regions/{rid}/exercise-calendar-pack").json()["source"] == "bundled"
