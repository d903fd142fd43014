"""Invacuation spaces and lockable zones: the capacity at the cited density (ICC 500 / FEMA P-361, 0.4645 m2 per
person) by hand, the building stand-in, the draft's marked placeholders that the completeness check flags until
filled, and the editor's REST surface (errors naming the field)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.preparedness.invacuation import M2_PER_PERSON
from bastion.algorithms.preparedness.invacuation import Space
from bastion.algorithms.preparedness.invacuation import assess
from bastion.algorithms.preparedness.invacuation import footprint_space
from bastion.algorithms.preparedness.invacuation import space_capacity
from bastion.algorithms.preparedness.plans import PlanFacts
from bastion.algorithms.preparedness.plans import completeness
from bastion.algorithms.preparedness.plans import placeholder
from bastion.kernel.errors import InvalidInput
from bastion.preparedness import drafting
from bastion.preparedness import service as svc
from bastion.preparedness import spaces as sp_svc
from bastion.sites.models import Site

T0 = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)
API = "/api/v1"


def test_capacity_at_the_cited_density_by_hand() -> None:
    assert M2_PER_PERSON == pytest.approx(5 * 0.3048**2, abs=1e-4)  # 5 ft2
    assert space_capacity(100.0, None) == 215  # 100 / 0.4645 = 215.28
    assert space_capacity(0.4645 * 40, None) == 40  # exactly 40 places, not 39 by rounding
    assert space_capacity(100.0, 180) == 180  # an entered capacity wins over the area
    assert space_capacity(None, None) is None
    # 1,000 people; a 100 m2 hall (215) and a basement entered as 300 people: 515 places, 485 short,
    # 1,000 x 0.4645 = 464.5 m2 needed in all
    a = assess(1000, [Space("hall", "protected_space", 100.0, None, "user"),
                      Space("basement", "protected_space", None, 300, "user"),
                      Space("west wing", "lockable_zone", 900.0, None, "user")])  # a zone is no shelter
    assert (a.capacity, a.enough, a.shortfall, a.area_needed_m2) == (515, False, 485, 464.5)
    assert assess(500, [Space("hall", "protected_space", 100.0, None, "user"),
                        Space("basement", "protected_space", None, 300, "user")]).enough is True
    none = assess(10, [Space("zone", "lockable_zone", None, None, "user")])
    assert (none.enough, none.shortfall) == (None, 10)
    # the building stand-in: 25 % of 2,000 m2 floor = 500 m2 -> 1,076 people (500 / 0.4645 = 1,076.4)
    fp = footprint_space(2000.0)
    assert fp is not None and fp.area_m2 == 500.0 and space_capacity(fp.area_m2, None) == 1076
    assert "ASSUMPTION" in fp.label and footprint_space(None) is None


def test_bad_spaces_name_the_field() -> None:
    with pytest.raises(InvalidInput) as e:
        sp_svc.check_spaces([{"kind": "protected_space", "label": "hall"}])
    assert e.value.field == "spaces[0].area_m2"
    with pytest.raises(InvalidInput) as e:
        sp_svc.check_spaces([{"kind": "bunker", "label": "x", "area_m2": 3}])
    assert e.value.field == "spaces[0].kind"
    with pytest.raises(InvalidInput) as e:
        sp_svc.check_spaces([{"kind": "protected_space", "label": "ask +33 6 12 34 56 78", "area_m2": 3}])
    assert e.value.field == "spaces[0].label"  # places, never contact details
    with pytest.raises(InvalidInput) as e:
        sp_svc.check_spaces([{"kind": "protected_space", "label": "hall", "area_m2": -5}])
    assert e.value.field == "spaces[0].area_m2"
    with pytest.raises(InvalidInput) as e:
        sp_svc.check_spaces([{"kind": "protected_space", "label": "hall", "capacity": 2.5}])
    assert e.value.field == "spaces[0].capacity"


def test_placeholders_count_as_missing_until_filled() -> None:
    base = {"triggers": ["t"], "decision_role": "duty_manager", "steps": ["s"],
            "roles": [{"position": "steward", "actions": ["a"]}]}
    secs = {"evacuation": {**base, "exits": ["A"], "assembly_points": ["B"]},
            "invacuation": {**base, "protected_spaces": [placeholder("protected_spaces")]},
            "lockdown": {**base, "lockable_zones": [placeholder("lockable_zones")]},
            "communication": {**base, "means": ["m"], "informs_emergency_services": "control_room_operator"}}
    facts = PlanFacts(secs, True, dt.date(2030, 1, 1), False, dt.date(2026, 12, 1))
    flags = completeness(facts, "enhanced", as_of=dt.date(2027, 1, 4))
    assert flags == ("missing_field:invacuation.protected_spaces", "missing_field:lockdown.lockable_zones")
    secs["invacuation"]["protected_spaces"] = ["basement hall (100 m², 215 people)"]
    secs["lockdown"]["lockable_zones"] = [placeholder("lockable_zones"), "north stand concourse"]
    assert completeness(facts, "enhanced", as_of=dt.date(2027, 1, 4)) == ()
    short = PlanFacts(secs, True, dt.date(2030, 1, 1), False, dt.date(2026, 12, 1), invacuation_enough=False)
    assert completeness(short, "enhanced", as_of=dt.date(2027, 1, 4)) == ("invacuation_capacity_short",)
    assert completeness(short, "standard", as_of=dt.date(2027, 1, 4)) == ()  # the standard tier asks no count


def _stade(sf: sessionmaker[Session]) -> Site:
    with sf() as s:
        site = s.scalar(select(Site).where(Site.name == "Stade Louis-II"))
        assert site is not None
        return site


def test_draft_fills_spaces_from_data_else_marks_a_placeholder(monaco_sf: sessionmaker[Session]) -> None:
    site = _stade(monaco_sf)
    p = drafting.draft_site(monaco_sf, site.id, "marauding_attack", now=T0)
    assert sp_svc.building_floor_area_m2(site) is None  # its capacity is the OSM capacity tag: no floor area
    people = p.data["people_peak"]
    inv = p.data["invacuation"]
    assert (inv["people"], inv["capacity"], inv["enough"]) == (people, 0, None)
    assert p.sections["invacuation"]["protected_spaces"] == [placeholder("protected_spaces")]
    assert p.sections["lockdown"]["lockable_zones"] == [placeholder("lockable_zones")]
    with monaco_sf() as s:
        flags = svc.readiness(s, site.id, now=T0).plans["marauding_attack"]
    assert "missing_field:lockdown.lockable_zones" in flags

    # the user enters the real spaces: 2 halls by area and a basement by capacity; the re-draft lists them
    sp_svc.set_spaces(monaco_sf, site.id, [
        {"kind": "protected_space", "label": "Basement car park B2", "capacity": people},
        {"kind": "protected_space", "label": "Gymnasium", "area_m2": 464.5},
        {"kind": "lockable_zone", "label": "Swimming-pool wing"}])
    p2 = drafting.draft_site(monaco_sf, site.id, "marauding_attack", now=T0)
    assert p2.sections["invacuation"]["protected_spaces"] == [f"Basement car park B2 ({people:,} people)",
                                                              "Gymnasium (464 m², 1,000 people)"]
    assert p2.sections["lockdown"]["lockable_zones"] == ["Swimming-pool wing"]
    assert (p2.data["invacuation"]["capacity"], p2.data["invacuation"]["enough"]) == (people + 1000, True)
    with monaco_sf() as s:
        r = svc.readiness(s, site.id, now=T0)
    flags2 = r.plans["marauding_attack"]
    assert not [f for f in flags2 if "protected_spaces" in f or "lockable_zones" in f or "invacuation_cap" in f]
    # too small: the shortfall is flagged on an enhanced-duty site
    sp_svc.set_spaces(monaco_sf, site.id, [{"kind": "protected_space", "label": "Office", "capacity": 10}])
    with monaco_sf() as s:
        r = svc.readiness(s, site.id, now=T0)
    assert r.level == "enhanced" and r.invacuation is not None
    assert (r.invacuation["capacity"], r.invacuation["shortfall"]) == (10, people - 10)
    assert "invacuation_capacity_short" in r.plans["marauding_attack"]


def test_a_mapped_building_stands_in_for_protected_space(monaco_sf: sessionmaker[Session]) -> None:
    with monaco_sf() as s:
        museum = s.scalar(select(Site).where(Site.name == "Musée Océanographique"))
        assert museum is not None
        # OSM footprint x levels, as the capacity model computed it: 2,139.9 m2 of floor
        assert sp_svc.building_floor_area_m2(museum) == 2139.9
    p = drafting.draft_site(monaco_sf, museum.id, "ied", now=T0)
    # 25 % (ASSUMPTION) of 2,139.9 m2 = 534.9 m2 -> floor(534.9 / 0.4645) = 1,151 people
    assert p.sections["invacuation"]["protected_spaces"] == [
        "building core (25% of 2,140 m2 floor, ASSUMPTION) (535 m², 1,151 people)"]
    assert p.data["invacuation"]["capacity"] == 1151
    assert p.data["invacuation"]["enough"] == (p.data["people_peak"] <= 1151)


def test_spaces_over_rest_and_in_the_printed_plan(client: TestClient, monaco_sf: sessionmaker[Session]) -> None:
    site = _stade(monaco_sf)
    bad = client.put(f"{API}/sites/{site.id}/spaces", json={"spaces": [{"kind": "protected_space", "label": "x"}]})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "spaces[0].area_m2"
    r = client.put(f"{API}/sites/{site.id}/spaces", json={"spaces": [
        {"kind": "protected_space", "label": "Gymnasium", "area_m2": 929.0},
        {"kind": "lockable_zone", "label": "East stand"}]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["protected_spaces"] == ["Gymnasium (929 m², 2,000 people)"]  # 929 / 0.4645 = 2,000
    assert body["lockable_zones"] == ["East stand"] and body["invacuation"]["capacity"] == 2000
    assert client.get(f"{API}/sites/{site.id}/spaces").json() == body
    rd = client.get(f"{API}/sites/{site.id}/readiness").json()
    assert rd["invacuation"]["capacity"] == 2000
    d = client.post(f"{API}/sites/{site.id}/emergency-plans/draft", json={"threat": "ied"})
    assert d.status_code == 201 and d.json()["sections"]["lockdown"]["lockable_zones"] == ["East stand"]
    en = client.get(f"{API}/emergency-plans/{d.json()['id']}/print").text
    zh = client.get(f"{API}/emergency-plans/{d.json()['id']}/print", params={"lang": "zh-CN"}).text
    assert "Invacuation capacity" in en and "2000 of the" in en and "0.4645" in en
    assert "就地避险容量" in zh


def test_space_lines_are_reworded_for_a_chinese_reader_and_user_text_stays() -> None:
    """The draft's generated space lines read in Chinese in a zh-CN plan; a line a user typed is shown as written."""
    from bastion.preparedness.render import translator

    _, text = translator("zh-CN")
    assert text("Gymnasium (929 m², 2,000 people)") == "Gymnasium（929 平方米，可容纳 2,000 人）"
    assert text("Basement car park B2 (1,151 people)") == "Basement car park B2（可容纳 1,151 人）"
    assert (text("building core (25% of 2,140 m2 floor, ASSUMPTION) (535 m², 1,151 people)")
            == "建筑核心区（2,140 平方米楼面面积的 25%，假设值）（535 平方米，可容纳 1,151 人）")
    assert text("the east stair, people wait here") == "the east stair, people wait here"
    _, en = translator("en")
    assert en("Gymnasium (929 m², 2,000 people)") == "Gymnasium (929 m², 2,000 people)"
