"""Capacity rules in context and the merge rules, on tiny hand-checkable cases (no OSM file)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from shapely.geometry import LineString
from shapely.geometry import Point
from shapely.geometry import box

from bastion.algorithms.sites.capacity import EVENT_P_PER_M2
from bastion.algorithms.sites.capacity import IBC_M2_PER_OCCUPANT
from bastion.algorithms.sites.capacity import Building
from bastion.algorithms.sites.capacity import estimate_capacity
from bastion.algorithms.sites.capacity import open_space_capacity
from bastion.algorithms.sites.geometry import area_m2
from bastion.algorithms.sites.geometry import length_m
from bastion.algorithms.sites.geometry import representative_lonlat
from bastion.algorithms.sites.model import SiteRecord
from bastion.algorithms.sites.places import capacities_in_context
from bastion.algorithms.sites.places import fold_name
from bastion.algorithms.sites.places import merge_places
from bastion.algorithms.sites.places import ref_key
from bastion.algorithms.sites.taxonomy import KIND_TO_CATEGORY

CLASSROOM = IBC_M2_PER_OCCUPANT["classroom"]


def test_school_grounds_use_the_buildings_not_the_land() -> None:
    # 18,000 m² of grounds, two buildings: 1,000 m² × 3 storeys (tagged) and 500 m² × 2 (building=school default)
    est = estimate_capacity(
        "school",
        capacity_tag=None,
        footprint_area_m2=18_000,
        levels_tag=None,
        is_building=False,
        buildings=[Building(1000, "3", "yes"), Building(500, None, "school"), Building(40, None, "shed")],
    )
    assert est.method == "buildings_floor_area" and est.inputs["floor_area_m2"] == 4000 and est.inputs["buildings"] == 2
    assert est.capacity == math.floor(4000 * 0.22 / CLASSROOM) == 473
    central = 4000 * 0.22 / CLASSROOM  # band: the wider of ×0.5 – ×1.5 (a storey count assumed) and the share's
    assert est.band == (
        math.floor(min(central * 0.5, 4000 * 0.12 / CLASSROOM)),
        math.ceil(max(central * 1.5, 4000 * 0.30 / CLASSROOM)),
    )
    # the same polygon tagged as a building: its footprint is floor (2 storeys by default for a school)
    bld = estimate_capacity("school", capacity_tag=None, footprint_area_m2=1000, levels_tag=None)
    assert bld.method == "floor_area" and bld.capacity == math.floor(2000 * 0.22 / CLASSROOM)


def test_grounds_without_buildings_never_count_the_land_as_floor() -> None:
    est = estimate_capacity(
        "school", capacity_tag=None, footprint_area_m2=18_000, levels_tag=None, is_building=False, buildings=[]
    )
    assert est.method == "kind_default_area" and est.inputs["assumed_floor_area_m2"] == 3000
    small = estimate_capacity("school", capacity_tag=None, footprint_area_m2=400, levels_tag=None, is_building=False)
    assert small.inputs["assumed_floor_area_m2"] == 800  # grounds × 2 default storeys < the 3,000 m² default


def test_stadium_seats_from_stands_and_tags() -> None:
    est = estimate_capacity(
        "stadium", capacity_tag=None, footprint_area_m2=30_000, levels_tag=None, pitch_area_m2=7_500
    )
    assert est.method == "stands_geometry" and est.capacity == (30_000 - 7_500) * 0.5 * 2 == 22_500
    assert est.band == (11_250, 33_750)
    assumed = estimate_capacity("stadium", capacity_tag=None, footprint_area_m2=30_000, levels_tag=None)
    assert assumed.capacity == math.floor(30_000 * 0.65 * 0.5 * 2) and "pitch_m2_assumed" in assumed.inputs
    seats = estimate_capacity("arena", capacity_tag=None, footprint_area_m2=3_000, levels_tag=None, seats_tag="2500")
    assert (seats.capacity, seats.method, seats.band) == (2500, "osm_tag", (2500, 2500))


def test_open_area_ordinary_peak_band_and_event_scenario() -> None:
    est = estimate_capacity("square", capacity_tag=None, footprint_area_m2=2_000, levels_tag=None)
    assert (est.method, est.capacity, est.band) == ("open_area", 1000, (500, 2000))
    assert est.inputs["event_capacity"] == open_space_capacity(2_000, p_per_m2=EVENT_P_PER_M2) == 4000
    street = estimate_capacity(
        "pedestrian_zone", capacity_tag=None, footprint_area_m2=None, levels_tag=None, line_length_m=100
    )
    assert (street.method, street.capacity) == ("linear_area", 400)  # 100 m × 8 m × 0.5 / m²


def test_theme_park_adds_buildings_and_open_grounds() -> None:
    est = estimate_capacity(
        "theme_park",
        capacity_tag=None,
        footprint_area_m2=100_000,
        levels_tag=None,
        is_building=False,
        buildings=[Building(1_000, "1", "yes")],
    )
    indoor = 1_000 / IBC_M2_PER_OCCUPANT["exhibit_gallery"]
    assert est.method == "grounds_buildings_open"
    assert est.capacity == math.floor(indoor + 99_000 * 0.05)
    assert est.band[0] is not None and est.band[1] is not None and est.band[0] < est.capacity < est.band[1]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.sampled_from(sorted(KIND_TO_CATEGORY)), st.floats(1, 1e6), st.booleans())
def test_band_always_holds_the_central_figure(kind: str, area: float, building: bool) -> None:
    est = estimate_capacity(
        kind,
        capacity_tag=None,
        footprint_area_m2=area,
        levels_tag=None,
        is_building=building,
        buildings=[Building(area / 10, None, "yes")],
    )
    lo, hi = est.band
    assert est.capacity is not None and lo is not None and hi is not None and 0 <= lo <= est.capacity <= hi


def rec(ref: str, name: str | None, kind: str, geom) -> SiteRecord:  # type: ignore[no-untyped-def]
    t, _, i = ref.partition("/")
    lon, lat = representative_lonlat(geom)
    tags = {"name": name} if name else {}
    cap = estimate_capacity(kind, capacity_tag=None, footprint_area_m2=area_m2(geom), levels_tag=None)
    return SiteRecord(
        "osm", t, i, name, KIND_TO_CATEGORY[kind], kind, geom, lon, lat, area_m2(geom), length_m(geom), cap, None, tags
    )


D = 0.001  # about 80-110 m at 43.7° N


def test_building_and_grounds_are_one_place() -> None:
    grounds = rec("way/20", "Zoo", "zoo", box(7.4, 43.7, 7.4 + 2 * D, 43.7 + 2 * D))
    label = rec("node/99", "Le Zoo", "zoo", Point(7.4 + D, 43.7 + D))  # another name, same kind, inside
    school = rec("node/5", "École", "school", Point(7.4 + D / 2, 43.7 + D / 2))  # inside, other kind and name
    merged = merge_places([grounds, label, school])
    assert len(merged) == 2
    zoo = next(s for s in merged if s.kind == "zoo")
    assert zoo.name == "Zoo" and zoo.members == ("way/20", "node/99") and zoo.ref == "way/20"
    assert zoo.geometry.equals(grounds.geometry)


def test_street_segments_join_and_different_streets_do_not() -> None:
    a = rec("way/7", "Rue Notari", "pedestrian_zone", LineString([(7.4, 43.7), (7.4 + D, 43.7)]))
    b = rec("way/3", "rue  notari", "pedestrian_zone", LineString([(7.4 + D, 43.7), (7.4 + 2 * D, 43.7)]))
    far = rec("way/9", "Rue Notari", "pedestrian_zone", LineString([(7.41, 43.7), (7.41 + D, 43.7)]))
    other = rec("way/1", "Rue Grimaldi", "pedestrian_zone", LineString([(7.4 + 2 * D, 43.7), (7.4 + 3 * D, 43.7)]))
    merged = merge_places([a, b, far, other])
    assert len(merged) == 3
    notari = next(s for s in merged if s.members == ("way/3", "way/7"))
    assert notari.ref == "way/3" and notari.geometry.geom_type == "LineString"
    assert notari.length_m == pytest.approx((a.length_m or 0) + (b.length_m or 0), rel=1e-6)


def test_keys_and_names() -> None:
    assert sorted(["node/1", "way/9", "relation/50", "way/10"], key=ref_key) == [
        "relation/50",
        "way/9",
        "way/10",
        "node/1",
    ]
    assert fold_name("Plaça de les Fontetes") == fold_name("placa de les  fontetes") == "placa de les fontetes"
    assert fold_name("Stade Louis-II") == "stade louis ii"


def test_capacity_in_context_counts_buildings_inside_once() -> None:
    from bastion.algorithms.sites.places import Footprint

    grounds = rec("way/20", "Lycée", "school", box(7.4, 43.7, 7.4 + 2 * D, 43.7 + 2 * D))
    inside = Footprint("way/21", box(7.4 + D / 4, 43.7 + D / 4, 7.4 + D, 43.7 + D), "2", "school")
    outside = Footprint("way/22", box(7.41, 43.7, 7.41 + D, 43.7 + D), "2", "school")
    [site] = capacities_in_context([grounds], [inside, outside])
    assert site.capacity.method == "buildings_floor_area" and site.capacity.inputs["buildings"] == 1
    assert site.capacity.inputs["floor_area_m2"] == pytest.approx(2 * (area_m2(inside.geometry) or 0), abs=0.1)
