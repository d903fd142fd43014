"""Response units and coverage through the service layer, on SQLite and PostgreSQL.

The Monaco / Andorra figures are the ones verified independently in tests/core/coverage/test_coverage_osm_e2e.py
(fastest times vs networkx multi-source Dijkstra on the raw network; MCLP optima vs PySAL spopt + CBC):
here they must come out of the database, the import-seeded units and the services unchanged.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.coverage import placement
from bastion.coverage import service as coverage
from bastion.imports.service import import_osm
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.units.models import ResponseUnit
from bastion.units.service import UnitEdit
from bastion.units.service import UnitSpec
from bastion.units.service import add_unit
from bastion.units.service import edit_unit
from bastion.units.service import list_units
from bastion.units.service import parse_availability
from bastion.units.service import parse_duration_s
from bastion.units.service import remove_unit
from tests.conftest import ANDORRA
from tests.conftest import MONACO
from tests.conftest import MONACO_BOUNDARY

# units, sites, flagged, covered sites 60/180/300 s, covered weight 60/180/300 s, total weight,
# optimum with 3 more patrol cars at 180 s (from the core e2e test, verified vs networkx and spopt)
MONACO_FIG = (11, 133, 0, (91, 127, 133), (79307, 107301, 112637), 112637, 112637)
ANDORRA_FIG = (11, 554, 12, (220, 397, 479), (75024, 145606, 166909), 193565, 168736)


def _check(sf: sessionmaker[Session], region: str, fig: tuple) -> None:  # type: ignore[type-arg]
    units, sites, flagged, pts, wts, total, best = fig
    with sf() as s:
        r = coverage.analyze(s, region)
    assert (r.n_units, len(r.sites), len(r.flagged)) == (units, sites, flagged)
    assert tuple(b.covered_sites for b in r.by_standard) == pts
    assert tuple(round(b.covered_weight) for b in r.by_standard) == wts
    assert r.total_weight == total and r.weight_basis == "capacity"
    assert all(f.distance_m > 250 for f in r.flagged)
    b180 = r.standard(180)
    assert len(b180.uncovered) == sites - pts[1] and b180.share_weight == pytest.approx(wts[1] / total)
    slow = {x.site_id: x.time_s for x in r.sites}
    assert all(slow[i] is None or slow[i] > 180 for i in b180.uncovered)
    p = placement.place(sf, region, standard_s=180, add=3)
    assert p.status == "optimal" and p.gap == 0 and p.objective == best and p.after_weight == best
    assert p.before_weight == wts[1] and len(p.proposed) == 3 and p.n_fixed == units


def test_monaco_end_to_end_and_apply(monaco_sf: sessionmaker[Session]) -> None:
    _check(monaco_sf, "Monaco", MONACO_FIG)
    with monaco_sf() as s:
        seeded = list_units(s, 1)
        assert len(seeded) == 11 and {u.source for u in seeded} == {"osm_station"}
        assert all(u.snap_osm_node is not None and 0 <= u.snap_distance_m <= 250 for u in seeded)
        assert {u.unit_type for u in seeded} == {"police_station", "fire_station"}
    p = placement.place(monaco_sf, "Monaco", standard_s=180, add=3, apply=True)
    assert len(p.applied_unit_ids) == 3
    with monaco_sf() as s:
        r = coverage.analyze(s, "Monaco")
        assert r.n_units == 14 and r.standard(180).covered_weight == 112637 and not r.standard(180).uncovered
    # re-import: no change, user units untouched, no duplicate seeded units
    rep = import_osm(monaco_sf, MONACO, "Monaco", boundary_file=MONACO_BOUNDARY)
    assert rep.rows_changed == 0 and rep.units_inserted == 0
    with monaco_sf() as s:
        assert s.scalar(select(func.count()).select_from(ResponseUnit)) == 14


@pytest.mark.slow
def test_andorra_end_to_end(session_factory: sessionmaker[Session]) -> None:
    rep = import_osm(session_factory, ANDORRA, "Andorra")
    assert rep.units_inserted == 11  # police stations mapped twice are one place now
    _check(session_factory, "Andorra", ANDORRA_FIG)


def test_lscp_backup_pmedian_and_what_if(monaco_sf: sessionmaker[Session]) -> None:
    lscp = placement.place(monaco_sf, "Monaco", standard_s=60, model="lscp")
    assert lscp.status == "optimal" and lscp.after_sites == lscp.n_sites - len(lscp.unreachable_sites)
    assert lscp.objective == len(lscp.proposed) >= 1
    bk = placement.place(monaco_sf, "Monaco", standard_s=60, add=2, backup=True)
    assert bk.model == "mclp_backup" and bk.status == "optimal" and bk.after_weight >= bk.before_weight
    pm = placement.place(monaco_sf, "Monaco", standard_s=180, add=1, model="p_median")
    assert pm.model == "p_median" and pm.status == "optimal" and len(pm.proposed) == 1
    with monaco_sf() as s:
        ids = [u.id for u in list_units(s, 1)]
        w = coverage.what_if(s, "Monaco", coverage.WhatIf(remove=tuple(ids[:5])))
        assert w.delta(60)[1] < 0 and w.after.n_units == 6 and w.before.n_units == 11
        p = lscp.proposed[0]
        add = coverage.UnitPoint(None, "Proposed", "patrol_car", p.lon, p.lat, "patrol_car", 60)
        w2 = coverage.what_if(s, "Monaco", coverage.WhatIf(add=(add,)))
        assert w2.delta(60)[0] >= 1
        with pytest.raises(InvalidInput, match="unit 999999"):
            coverage.what_if(s, "Monaco", coverage.WhatIf(remove=(999999,)))


def test_unit_crud_validation_and_availability(monaco_sf: sessionmaker[Session]) -> None:
    u = add_unit(monaco_sf, "Monaco", UnitSpec("patrol_car", "Patrol car 12", 7.4200, 43.7380,
                                               availability=parse_availability("Mo-Fr 08:00-20:00")))
    assert u.source == "user" and u.standard_s == 180 and u.speed_profile == "patrol_car" and u.snap_osm_node
    moved = edit_unit(monaco_sf, u.id, UnitEdit(lon=7.4250, lat=43.7300, name="Patrol car 12b", standard_s=60))
    assert moved.snap_osm_node != u.snap_osm_node and moved.name == "Patrol car 12b" and moved.standard_s == 60
    with monaco_sf() as s:
        assert coverage.analyze(s, "Monaco", at=dt.datetime(2026, 11, 28, 12, 0)).n_units == 11  # Saturday
        assert coverage.analyze(s, "Monaco", at=dt.datetime(2026, 11, 26, 12, 0)).n_units == 12  # Thursday
    far = add_unit(monaco_sf, "Monaco", UnitSpec("special_unit", "Special unit 1", 7.50, 43.80))
    assert far.snap_osm_node is None and far.snap_distance_m > 250
    with monaco_sf() as s:
        assert coverage.analyze(s, "Monaco").units_unsnapped == ("Special unit 1",)
    remove_unit(monaco_sf, u.id)
    with pytest.raises(NotFound, match=f"unit {u.id}"):
        remove_unit(monaco_sf, u.id)
    for spec, fld in [
        (UnitSpec("tank", "X", 7.42, 43.73), "unit_type"),
        (UnitSpec("post", "", 7.42, 43.73), "name"),
        (UnitSpec("post", "X", 200.0, 43.73), "lon"),
        (UnitSpec("post", "X", 7.42, 43.73, standard_s=120), "standard_s"),
        (UnitSpec("post", "X", 7.42, 43.73, speed_profile="jet"), "speed_profile"),
        (UnitSpec("post", "X", 7.42, 43.73, availability=[[10, 5]]), "availability"),
    ]:
        with pytest.raises(InvalidInput) as e:
            add_unit(monaco_sf, "Monaco", spec)
        assert e.value.field == fld
    with monaco_sf() as s:
        assert len(list_units(s, 1)) == 12  # nothing written by the failures
    with pytest.raises(InvalidInput, match="both lon and lat"):
        edit_unit(monaco_sf, far.id, UnitEdit(lon=7.42))


def test_parsers() -> None:
    assert [parse_duration_s(x) for x in ("60s", "1m", "3m", "5m", "90", "2.5m")] == [60, 60, 180, 300, 90, 150]
    for bad in ("3 hours", "-1m", "0s", "61m", "1.5s", ""):
        with pytest.raises(InvalidInput):
            parse_duration_s(bad)
    assert parse_availability("24/7") is None
    assert parse_availability("Mo-Tu 08:00-09:00; Su 23:00-24:00") == [[480, 540], [1920, 1980], [10020, 10080]]
    with pytest.raises(InvalidInput, match="availability"):
        parse_availability("Fr-Mo 08:00-09:00")


def test_placement_errors(monaco_sf: sessionmaker[Session]) -> None:
    for kw, fld in [({"add": 0}, "add"), ({"add": 3, "model": "x"}, "model"), ({"add": 1000}, "add"),
                    ({"add": 1, "model": "lscp", "backup": True}, "backup"),
                    ({"add": 1, "candidates": [(7.6, 43.9)]}, "candidates")]:
        with pytest.raises(InvalidInput) as e:
            placement.place(monaco_sf, "Monaco", standard_s=180, **kw)  # type: ignore[arg-type]
        assert e.value.field == fld
    with pytest.raises(NotFound):
        placement.place(monaco_sf, "Atlantis", standard_s=180, add=1)
    # 10 s standard, one candidate: sites no unit or candidate reaches in time are listed, not silently covered
    r = placement.place(monaco_sf, "Monaco", standard_s=10, model="lscp", candidates=[(7.4200, 43.7380)])
    assert len(r.unreachable_sites) > 100 and r.after_sites == r.n_sites - len(r.unreachable_sites)
    r = placement.place(monaco_sf, "Monaco", standard_s=180, add=1, candidates=[(7.4200, 43.7380), (7.4250, 43.73)])
    assert r.n_candidates == 2 and len(r.proposed) == 1


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lon=st.floats(7.405, 7.440), lat=st.floats(43.725, 43.750), profile=st.sampled_from(["patrol_car", "foot"]))
def test_adding_a_unit_never_lowers_coverage(monaco_sf: sessionmaker[Session], lon: float, lat: float,
                                             profile: str) -> None:
    with monaco_sf() as s:
        w = coverage.what_if(s, "Monaco", coverage.WhatIf(add=(
            coverage.UnitPoint(None, "Proposed", "patrol_car", lon, lat, profile, 180),)))
    for b, a in zip(w.before.by_standard, w.after.by_standard, strict=True):
        assert a.covered_sites >= b.covered_sites and a.covered_weight >= b.covered_weight
    for b, a in zip(w.before.sites, w.after.sites, strict=True):
        assert b.time_s is None or (a.time_s is not None and a.time_s <= b.time_s)
