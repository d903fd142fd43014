"""Pure office logic: responsibility precedence, duty periods and idempotency, business-day deadlines across a
DST change and public holidays (the `holidays` package), ladder timing, scorecards and TLP filtering."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.algorithms.office import calendar as cal
from bastion.algorithms.office import duties as du
from bastion.algorithms.office import scorecard as sc
from bastion.algorithms.office import tlp
from bastion.algorithms.office.responsibility import ResponsibilityRule
from bastion.algorithms.office.responsibility import SiteException
from bastion.algorithms.office.responsibility import SiteKey
from bastion.algorithms.office.responsibility import resolve
from bastion.kernel.errors import InvalidInput

ENG = holidays.country_holidays("GB", subdiv="ENG", years=range(2026, 2028))
SCHOOL = SiteKey(1, 10, "education", frozenset({"uk_ppa_2025:standard"}), operator_agency_id=99)
HOSPITAL = SiteKey(2, 10, "health", frozenset(), operator_agency_id=None)
OTHER_REGION_SCHOOL = SiteKey(3, 11, "education", frozenset({"uk_ppa_2025:enhanced"}))


def test_most_specific_rule_wins_and_exceptions_beat_rules() -> None:
    rules = [ResponsibilityRule(1, "supervising", 500, category="education"),
             ResponsibilityRule(2, "supervising", 501, region_id=10, category="education"),
             ResponsibilityRule(3, "lead", 700),
             ResponsibilityRule(4, "supervising", 502, tier="uk_ppa_2025:enhanced")]
    res = resolve([SCHOOL, HOSPITAL, OTHER_REGION_SCHOOL], rules, [SiteException(2, "lead", 701)])
    a = res.assignments
    assert a[1]["supervising"].agency_id == 501 and a[1]["supervising"].source == "rule:2"  # region+category
    assert a[1]["operator"].agency_id == 99 and a[1]["operator"].source == "site"  # the site's own operator
    assert "supervising" not in a[2] and "operator" not in a[2]  # nobody holds it: shown, never invented
    assert a[2]["lead"].agency_id == 701 and a[2]["lead"].source == "exception"
    # site 3: category rule (500) and tier rule (502) are equally specific -> lowest id, reported as a conflict
    assert a[3]["supervising"].agency_id == 500
    assert res.conflicts == ((3, "supervising", (1, 4)),)


@given(st.permutations(list(range(6))))
def test_resolution_does_not_depend_on_rule_order(order: list[int]) -> None:
    rules = [ResponsibilityRule(1, "supervising", 500, category="education"),
             ResponsibilityRule(2, "supervising", 501, region_id=10, category="education"),
             ResponsibilityRule(3, "lead", 700), ResponsibilityRule(4, "lead", 701, region_id=11),
             ResponsibilityRule(5, "operator", 800, category="health"),
             ResponsibilityRule(6, "supervising", 502, tier="uk_ppa_2025:enhanced")]
    sites = [SCHOOL, HOSPITAL, OTHER_REGION_SCHOOL]
    assert resolve(sites, [rules[i] for i in order]) == resolve(sites, rules)


def test_period_keys_and_bounds() -> None:
    assert du.period("monthly", dt.date(2026, 2, 10)) == ("2026-M02", dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert du.period("quarterly", dt.date(2026, 11, 30)) == ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert du.period("semiannual", dt.date(2026, 6, 30)) == ("2026-H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert du.period("annual", dt.date(2026, 1, 1)) == ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31))


TEMPLATES = (
    du.DutyTemplate("m", "monthly", "log", "operator", "monthly", 40, "src"),  # due day past month end -> clamp
    du.DutyTemplate("q", "quarterly", "log", "supervising", "quarterly", 10, "src", categories=frozenset({"health"})),
    du.DutyTemplate("s", "standing", "file", "operator", "standing", 0, "src"),
    du.DutyTemplate("h", "heightened", "log", "operator", "monthly", 0, "src", min_rank=2),
)


def test_duties_who_what_when() -> None:
    sites = [SCHOOL, HOSPITAL]
    assign = resolve(sites, [ResponsibilityRule(1, "supervising", 300, category="health")]).assignments
    out = du.generate(sites, assign, TEMPLATES, on=dt.date(2026, 2, 3), rank_by_region={10: 1},
                      findings=[du.Finding(77, 1, "fix the fence", dt.date(2026, 3, 1))])
    got = {(d.site_id, d.code, d.period, d.agency_id, d.due) for d in out}
    assert got == {(1, "m", "2026-M02", 99, dt.date(2026, 2, 28)), (2, "m", "2026-M02", None, dt.date(2026, 2, 28)),
                   (2, "q", "2026-Q1", 300, dt.date(2026, 1, 11)),
                   (1, "finding:77", "once", 99, dt.date(2026, 3, 1))}  # standing: none; rank 1 < 2: no "h"
    raised = du.generate(sites, assign, TEMPLATES, on=dt.date(2026, 2, 3), rank_by_region={10: 2})
    assert {d.code for d in raised if d.code == "h"} == {"h"}


@settings(max_examples=40)
@given(st.lists(st.integers(0, 5), max_size=12), st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)))
def test_generating_a_period_twice_adds_nothing(stored_idx: list[int], on: dt.date) -> None:
    sites = [SCHOOL, HOSPITAL, OTHER_REGION_SCHOOL]
    drafts = du.generate(sites, {}, TEMPLATES, on=on, rank_by_region={10: 3, 11: 0})
    existing = {drafts[i].key for i in stored_idx if i < len(drafts)}
    new = du.missing(drafts, existing)
    assert {d.key for d in new} == {d.key for d in drafts} - existing  # exactly the missing ones, once each
    assert du.missing(drafts, existing | {d.key for d in new}) == []


def test_business_days_skip_weekends_and_english_holidays() -> None:
    # Wed 23 Dec 2026 + 2 business days: Thu 24 (1); Fri 25 Christmas, Sat, Sun, Mon 28 Boxing Day (substitute)
    assert dt.date(2026, 12, 28) in ENG
    assert cal.add_business_days(dt.date(2026, 12, 23), 2, ENG) == dt.date(2026, 12, 29)
    with pytest.raises(InvalidInput):
        cal.add_business_days(dt.date(2026, 12, 23), -1, ENG)


def test_business_deadline_keeps_local_wall_time_across_dst() -> None:
    # Fri 27 Mar 2026 17:00 GMT; clocks go forward Sun 29 Mar; + 2 business days = Tue 31 Mar 17:00 BST = 16:00 UTC
    start = dt.datetime(2026, 3, 27, 17, 0, tzinfo=dt.UTC)
    assert cal.deadline(start, 2, clock="business", tz="Europe/London", holidays=ENG) == \
        dt.datetime(2026, 3, 31, 16, 0, tzinfo=dt.UTC)
    # Good Friday 3 Apr and Easter Monday 6 Apr 2026: Thu 2 Apr + 1 business day = Tue 7 Apr
    thu = dt.datetime(2026, 4, 2, 9, 0, tzinfo=dt.UTC)  # 10:00 BST
    assert cal.deadline(thu, 1, clock="business", tz="Europe/London", holidays=ENG) == \
        dt.datetime(2026, 4, 7, 9, 0, tzinfo=dt.UTC)
    assert cal.deadline(thu, 1, clock="calendar", tz="Europe/London", holidays=ENG) == \
        dt.datetime(2026, 4, 3, 9, 0, tzinfo=dt.UTC)


def test_ladder_steps_fall_due_at_their_offsets() -> None:
    deadline = dt.datetime(2026, 3, 27, 17, 0, tzinfo=dt.UTC)  # Friday before the DST change
    ladder = (cal.LadderStep(1, -24, "calendar", "owner"), cal.LadderStep(2, 1, "business", "supervising"),
              cal.LadderStep(3, 3, "business", "lead"))
    due = [cal.step_due(x, deadline, tz="Europe/London", holidays=ENG) for x in ladder]
    assert due == [dt.datetime(2026, 3, 26, 17, tzinfo=dt.UTC), dt.datetime(2026, 3, 30, 16, tzinfo=dt.UTC),
                   dt.datetime(2026, 4, 1, 16, tzinfo=dt.UTC)]
    second = dt.timedelta(seconds=1)
    assert [x.level for x in cal.due_steps(ladder, deadline, fired=0, now=due[1] - second, tz="Europe/London",
                                           holidays=ENG)] == [1]
    assert [x.level for x in cal.due_steps(ladder, deadline, fired=1, now=due[1], tz="Europe/London",
                                           holidays=ENG)] == [2]


def test_scorecard_figures_by_hand() -> None:
    t = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    d = dt.timedelta(days=1)
    rows = [sc.TaskRow(1, t + 10 * d, t + 5 * d, t), sc.TaskRow(1, t + 10 * d, t + 12 * d, t),
            sc.TaskRow(1, t + 20 * d, None, t), sc.TaskRow(2, t + 40 * d, None, t)]
    a, b = sc.scorecards(rows, [2, 1], start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 1))
    assert (a.key, a.due, a.closed_on_time, a.on_time_pct, a.median_days_to_close, a.open_overdue) == \
        (1, 3, 1, 33.3, 8.5, 1)
    assert (b.key, b.due, b.on_time_pct, b.median_days_to_close) == (2, 0, None, None)  # outside the window


def test_tlp_filter_never_lets_restricted_content_down() -> None:
    items = [("TLP:CLEAR", "a"), ("TLP:GREEN", "b"), ("TLP:AMBER", "c"), ("TLP:RED", "d")]
    assert tlp.admissible(items, "TLP:GREEN") == ["a", "b"]
    assert tlp.admissible(items, "TLP:AMBER+STRICT") == ["a", "b", "c"]
    with pytest.raises(InvalidInput):
        tlp.rank("TLP:WHITE")  # TLP 1.0 label, replaced by CLEAR in 2.0
