"""Site taxonomy, capacity estimation and opening hours: hand-checked cases and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.algorithms.sites.capacity import IBC_M2_PER_OCCUPANT
from bastion.algorithms.sites.capacity import estimate_capacity
from bastion.algorithms.sites.capacity import parse_capacity_tag
from bastion.algorithms.sites.hours import MINUTES_PER_WEEK
from bastion.algorithms.sites.hours import parse_opening_hours
from bastion.algorithms.sites.taxonomy import CATEGORIES
from bastion.algorithms.sites.taxonomy import KIND_TO_CATEGORY
from bastion.algorithms.sites.taxonomy import classify
from bastion.algorithms.sites.taxonomy import kept_tags


@pytest.mark.parametrize(
    ("tags", "kind"),
    [
        ({"railway": "station", "name": "Monaco"}, "railway_station"),
        ({"railway": "station", "station": "subway"}, "subway_station"),
        ({"amenity": "bus_station"}, "bus_station"),
        ({"aeroway": "heliport"}, "heliport"),
        ({"amenity": "ferry_terminal"}, "ferry_terminal"),
        ({"shop": "mall"}, "mall"),
        ({"leisure": "stadium"}, "stadium"),
        ({"amenity": "theatre", "theatre:type": "concert_hall"}, "concert_hall"),
        ({"amenity": "casino"}, "casino"),
        ({"amenity": "hospital"}, "hospital"),
        ({"healthcare": "hospital"}, "hospital"),
        ({"amenity": "place_of_worship", "religion": "christian"}, "place_of_worship"),
        ({"amenity": "townhall"}, "townhall"),
        ({"office": "government", "government": "ministry"}, "ministry"),
        ({"tourism": "museum"}, "museum"),
        ({"tourism": "hotel"}, "hotel"),
        ({"place": "square"}, "square"),
        ({"power": "substation", "substation": "transmission"}, "substation"),
        ({"man_made": "water_works"}, "water_works"),
        ({"telecom": "exchange"}, "telecom"),
    ],
)
def test_classify_known_tags(tags: dict[str, str], kind: str) -> None:
    c = classify(tags)
    assert c is not None and c.kind == kind and c.category == KIND_TO_CATEGORY[kind]


def test_not_sites_and_minor_substations() -> None:
    assert classify({"amenity": "bench"}) is None
    assert classify({"highway": "residential"}) is None
    assert classify({"power": "substation", "substation": "minor_distribution"}) is None
    # a pedestrian street counts only as an area, or as a named line
    assert classify({"highway": "pedestrian"}, is_line=True) is None
    assert classify({"highway": "pedestrian", "name": "Rue"}, is_line=True).kind == "pedestrian_zone"  # type: ignore[union-attr]
    assert classify({"highway": "pedestrian"}, is_area=True).kind == "pedestrian_zone"  # type: ignore[union-attr]


def test_kept_tags_never_hold_belief_or_people_tags() -> None:
    tags = {"amenity": "place_of_worship", "religion": "muslim", "denomination": "sunni", "name": "X",
            "name:en": "X", "phone": "+377 123", "contact:email": "a@b", "capacity": "300"}
    kept = kept_tags(tags)
    assert kept == {"amenity": "place_of_worship", "name": "X", "name:en": "X", "capacity": "300"}


def test_every_kind_has_one_category() -> None:
    kinds = [k for ks in CATEGORIES.values() for k in ks]
    assert len(kinds) == len(set(kinds)) == len(KIND_TO_CATEGORY)


def test_capacity_tag_wins() -> None:
    est = estimate_capacity("stadium", capacity_tag="18523", footprint_area_m2=30000, levels_tag="2")
    assert (est.capacity, est.method) == (18523, "osm_tag")
    assert parse_capacity_tag("1,200") == 1200
    assert parse_capacity_tag("about 300") is None
    assert parse_capacity_tag("0") is None


def test_floor_area_hand_checked() -> None:
    # mall: 10,000 m² footprint, 2 levels (kind default), 60 ft² gross = 5.574 m² per occupant
    est = estimate_capacity("mall", capacity_tag=None, footprint_area_m2=10_000, levels_tag=None)
    assert est.method == "floor_area"
    assert est.inputs["levels"] == 2 and est.inputs["levels_source"] == "kind_default"
    assert est.capacity == math.floor(20_000 / (60 * 0.09290304)) == 3587
    # building:levels wins over the default
    est3 = estimate_capacity("mall", capacity_tag=None, footprint_area_m2=10_000, levels_tag="3")
    assert est3.capacity == math.floor(30_000 / (60 * 0.09290304))
    # a square: 2 m² per person
    sq = estimate_capacity("square", capacity_tag=None, footprint_area_m2=2432.8, levels_tag=None)
    assert (sq.capacity, sq.method) == (1216, "open_area")


def test_point_site_uses_documented_default_area() -> None:
    est = estimate_capacity("nightclub", capacity_tag=None, footprint_area_m2=None, levels_tag=None)
    assert est.method == "kind_default_area"
    assert est.capacity == math.floor(300 / IBC_M2_PER_OCCUPANT["assembly_standing"])


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.sampled_from(sorted(KIND_TO_CATEGORY)), st.floats(1, 1e6), st.floats(1, 1e6))
def test_capacity_monotone_in_floor_area(kind: str, a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    c_lo = estimate_capacity(kind, capacity_tag=None, footprint_area_m2=lo, levels_tag=None).capacity
    c_hi = estimate_capacity(kind, capacity_tag=None, footprint_area_m2=hi, levels_tag=None).capacity
    assert c_lo is not None and c_hi is not None and c_lo <= c_hi


def test_opening_hours_weekly_intervals() -> None:
    h = parse_opening_hours("Mo-Fr 08:00-18:00; Sa 09:00-12:00")
    assert h.valid
    assert h.intervals == ((480, 1080), (1920, 2520), (3360, 3960), (4800, 5400), (6240, 6840), (7740, 7920))
    assert h.open_minutes() == 5 * 600 + 180
    assert h.is_open_at(8 * 60) and not h.is_open_at(7 * 60 + 59) and not h.is_open_at(6 * 1440 + 600)
    assert parse_opening_hours("24/7").intervals == ((0, MINUTES_PER_WEEK),)
    # past midnight: Sunday 22:00 -> Monday 02:00 wraps to the week's start
    late = parse_opening_hours("Su 22:00-02:00")
    assert late.valid and (0, 120) in late.intervals and (9960, 10080) in late.intervals  # type: ignore[operator]


def test_unparseable_hours_are_flagged_not_raised() -> None:
    h = parse_opening_hours("ask at the desk")
    assert not h.valid and h.intervals is None and h.error
    assert h.is_open_at(100) is None


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.text(max_size=40))
def test_parser_never_raises_and_intervals_are_sorted_in_week(raw: str) -> None:
    h = parse_opening_hours(raw)
    if h.valid:
        assert h.intervals is not None
        prev = -1
        for a, b in h.intervals:
            assert 0 <= a < b <= MINUTES_PER_WEEK and a > prev
            prev = b
