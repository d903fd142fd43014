"""Pure preparedness computations: hand-checked evacuation times, the Home Office exit example, calendar rules
(gaps, conflicts, proposals that leave no gap), assembly-point rejection, completeness per tier, drill rule."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.algorithms.preparedness.assembly import OpenSpace
from bastion.algorithms.preparedness.assembly import choose_assembly_points
from bastion.algorithms.preparedness.calendar import DEFAULT_RULES
from bastion.algorithms.preparedness.calendar import ExerciseEvent
from bastion.algorithms.preparedness.calendar import check_calendar
from bastion.algorithms.preparedness.calendar import find_conflicts
from bastion.algorithms.preparedness.calendar import find_gaps
from bastion.algorithms.preparedness.calendar import propose
from bastion.algorithms.preparedness.drills import drill_effect
from bastion.algorithms.preparedness.evacuation import evacuation_time
from bastion.algorithms.preparedness.evacuation import home_office_exits
from bastion.algorithms.preparedness.plans import PlanFacts
from bastion.algorithms.preparedness.plans import check_sections
from bastion.algorithms.preparedness.plans import completeness
from bastion.algorithms.preparedness.plans import missing_scenarios
from bastion.algorithms.preparedness.plans import requirement_level
from bastion.kernel.errors import InvalidInput

UTC = dt.UTC


def test_evacuation_time_hand_checked() -> None:
    # 1,000 people, one 1.5 m door: effective 1.5 - 2 x 0.15 = 1.2 m
    e = evacuation_time(1000, [1.5])
    assert e.effective_width_m == pytest.approx(1.2)
    assert e.time_min == pytest.approx(1000 / (1.2 * 79.2))  # 10.52 min (SFPE 1.32 p/s/m)
    assert e.time_low_min == pytest.approx(1000 / (1.2 * 82))  # 10.16 min (Green Guide level)
    assert e.time_high_min == pytest.approx(1000 / (1.2 * 66))  # 12.63 min (Green Guide stairs)
    assert e.over_target  # > 8 min
    # two 2.0 m exits and 800 people: 3.4 m effective -> 800 / (3.4 x 66) = 3.57 min, within 8
    e2 = evacuation_time(800, [2.0, 2.0])
    assert e2.time_high_min == pytest.approx(3.565, abs=1e-3) and not e2.over_target


def test_one_exit_unavailable_drops_the_widest() -> None:
    e = evacuation_time(600, [1.0, 3.0, 2.0], one_exit_unavailable=True)
    assert e.discounted_exit == 1 and e.exits_used == 2
    assert e.effective_width_m == pytest.approx(0.7 + 1.7)


def test_home_office_worked_example() -> None:
    # MHTO reproduction of the Home Office guide: 913 persons in 2 min -> 11.41 -> 12 units -> 4 exits
    r = home_office_exits(913, 2.0)
    assert r.units_exact == pytest.approx(11.4125)
    assert (r.units, r.exits) == (12, 4)
    assert home_office_exits(800, 2.0).units == 10  # exactly 10.0: no rounding up


@pytest.mark.parametrize("widths", [[], [0.0], [-1.0], [float("nan")], [0.2]])
def test_evacuation_rejects_bad_widths(widths: list[float]) -> None:
    with pytest.raises(InvalidInput):
        evacuation_time(100, widths)


@given(st.integers(1, 50_000), st.lists(st.floats(0.5, 10.0), min_size=1, max_size=8), st.floats(0.5, 5.0))
@settings(max_examples=60, deadline=None)
def test_more_width_never_slower(people: int, widths: list[float], extra: float) -> None:
    a, b = evacuation_time(people, widths), evacuation_time(people, [*widths, extra])
    assert b.time_min <= a.time_min and a.time_low_min <= a.time_min <= a.time_high_min


def _ev(i: str, site: int, start: dt.datetime, hours: int = 3, kind: str = "drill",
        agencies: tuple[str, ...] = ()) -> ExerciseEvent:
    return ExerciseEvent(i, kind, start, start + dt.timedelta(hours=hours), (site,), agencies)


def test_calendar_rules_gaps_and_conflicts() -> None:
    tiers = {1: [("uk_ppa_2025", "enhanced")], 2: [("cn_key_target", "grade_1")], 3: [("uk_ppa_2025", "standard")]}
    evs = [_ev("a", 1, dt.datetime(2027, 3, 2, 10, tzinfo=UTC)),
           _ev("b", 2, dt.datetime(2027, 2, 2, 10, tzinfo=UTC)),
           _ev("c", 2, dt.datetime(2027, 5, 4, 10, tzinfo=UTC), kind="tabletop")]  # discussion: does not count
    gaps = find_gaps(tiers, DEFAULT_RULES, evs, first_year=2027, years=2)
    # site 1: 2027 held, 2028 missing; site 2: Q1 2027 held, 7 quarters missing; site 3: no rule
    assert [(g.site_id, g.period_start.isoformat()) for g in gaps if g.site_id == 1] == [(1, "2028-01-01")]
    assert len([g for g in gaps if g.site_id == 2]) == 7
    assert not [g for g in gaps if g.site_id == 3]
    clash = find_conflicts([_ev("x", 5, dt.datetime(2027, 1, 5, 10, tzinfo=UTC), agencies=("Police",)),
                            _ev("y", 5, dt.datetime(2027, 1, 5, 12, tzinfo=UTC)),
                            _ev("z", 6, dt.datetime(2027, 1, 5, 11, tzinfo=UTC), agencies=("Police",)),
                            _ev("w", 5, dt.datetime(2027, 1, 5, 13, tzinfo=UTC))])  # starts when x ends
    assert {(c.kind, c.key, c.first, c.second) for c in clash} == {
        ("site", "5", "x", "y"), ("agency", "Police", "x", "z"), ("site", "5", "y", "w")}


@given(st.dictionaries(st.integers(1, 400), st.sampled_from([
    ("uk_ppa_2025", "enhanced"), ("cn_key_target", "grade_1"), ("cn_key_target", "grade_2"),
    ("uk_ppa_2025", "standard")]), min_size=1, max_size=40), st.integers(2026, 2030))
@settings(max_examples=25, deadline=None)
def test_proposals_leave_no_gap_and_no_site_clash(tiers: dict[int, tuple[str, str]], year: int) -> None:
    site_tiers = {k: [v] for k, v in tiers.items()}
    props = propose(site_tiers, DEFAULT_RULES, [], first_year=year, years=3)
    check = check_calendar(site_tiers, DEFAULT_RULES, props, first_year=year, years=3)
    assert check.gaps == ()
    assert [c for c in check.conflicts if c.kind == "site"] == []
    assert all(p.start.weekday() in (1, 2, 3) for p in props)


def test_assembly_points_reject_standoff_and_vehicle_corridor() -> None:
    spaces = [OpenSpace(1, 30, 0, 5000), OpenSpace(2, 200, 0, 500), OpenSpace(3, 0, 250, 400),
              OpenSpace(4, 0, -400, 10_000), OpenSpace(5, 3000, 0, 1e6)]
    corridor = [[(-500.0, 252.0), (500.0, 252.0)]]  # a road passing 2 m from space 3
    ch = choose_assembly_points((0.0, 0.0), 1500, spaces, corridor, threat="ied")
    why = {c.space.id: c.reason for c in ch.considered}
    assert why == {1: "inside_standoff", 2: "chosen", 3: "on_vehicle_corridor", 4: "chosen", 5: "too_far"}
    assert ch.capacity == 1000 + 20_000 and ch.enough


SECTIONS = {p: {"triggers": ["alarm"], "decision_role": "duty_manager", "steps": ["act"]}
            for p in ("evacuation", "invacuation", "lockdown", "communication")}


def test_completeness_per_tier() -> None:
    assert requirement_level([("uk_ppa_2025", "enhanced")]) == "enhanced"
    assert requirement_level([("uk_ppa_2025", "standard"), ("cn_key_target", "grade_3")]) == "standard"
    assert requirement_level([]) is None
    today = dt.date(2027, 1, 1)
    facts = PlanFacts(check_sections(SECTIONS), True, dt.date(2027, 6, 1), None, None)
    assert completeness(facts, "standard", as_of=today) == ()
    flags = completeness(facts, "enhanced", as_of=today)
    assert "missing_field:evacuation.exits" in flags and "missing_field:communication.informs_emergency_services" \
        in flags and "no_evacuation_estimate" in flags and "not_exercised_12_months" in flags
    partial = PlanFacts({k: v for k, v in SECTIONS.items() if k != "lockdown"}, False, dt.date(2026, 12, 1),
                        None, None)
    assert completeness(partial, "standard", as_of=today) == ("missing_procedure:lockdown", "not_approved",
                                                              "review_overdue")


@pytest.mark.parametrize("bad", [
    {"evacuation": {"roles": [{"position": "duty_manager", "name": "J. Smith"}]}},
    {"evacuation": {"decision_role": "John Smith"}},
    {"evacuation": {"steps": ["call john@example.org"]}},
    {"evacuation": {"steps": ["ring +44 20 7946 0018"]}},
    {"evacuation": {"person": "x"}},
    {"riot": {}},
])
def test_sections_never_hold_people(bad: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        check_sections(bad)


def test_missing_top_three() -> None:
    assert missing_scenarios(["ied", "marauding_attack", "vehicle_as_weapon", "cbr"], ["marauding_attack", "cbr"]) \
        == ("ied", "vehicle_as_weapon")


def test_drill_rule() -> None:
    assert drill_effect("lockdown", 100, 120).outcome == "pass"
    m = drill_effect("lockdown", 200, 120)
    assert m.outcome == "marginal" and not m.record_drill_date and not m.remove_procedure
    f = drill_effect("lockdown", 360, 120)  # 6 min vs a 2-min target
    assert f.outcome == "fail" and f.remove_procedure and f.measure == "lockdown_procedure"
