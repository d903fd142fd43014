"""Responsibility system and duties on the real Monaco sites: CSV import is validated (row and field named),
transactional (a bad row writes nothing) and idempotent; the matrix follows category rules and per-site
exceptions; generating a period twice creates no duplicate; open findings become duties."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.errors import InvalidInput
from bastion.office import duties
from bastion.office import responsibility as resp
from bastion.office.models import Duty
from bastion.office.models import ResponsibilityRule
from bastion.sites.models import Site
from bastion.supervision import service as sup
from tests.office_fixtures import RULES_CSV
from tests.office_fixtures import agency_id

ON = dt.date(2026, 11, 30)


def test_csv_import_is_idempotent_and_all_or_nothing(office_sf: sessionmaker[Session]) -> None:
    again = resp.import_csv(office_sf, RULES_CSV)
    assert (again.rules_created, again.rules_changed, again.unchanged) == (0, 0, 7)
    with office_sf() as s:
        n = s.scalar(select(func.count()).select_from(ResponsibilityRule))
        hospital = int(s.scalar(select(Site.id).where(Site.category == "health").order_by(Site.id).limit(1)))
    bad = ("role,agency,region,category,tier,site_id,reason\n"
           f"supervising,Health bureau,,hotel,,,\noperator,Venue operators,,,,{hospital},own guards\n"
           "supervising,Nobody,,,,,\nlead,Lead office,,,grade_1,,\n")
    with pytest.raises(InvalidInput) as e:
        resp.import_csv(office_sf, bad)
    msg = str(e.value)
    assert "row 4, agency" in msg and "row 5, tier" in msg and e.value.field == "csv"
    with office_sf() as s:  # the two good rows were not written either
        assert s.scalar(select(func.count()).select_from(ResponsibilityRule)) == n
        assert resp.list_exceptions(s) == []
    with pytest.raises(InvalidInput, match="unknown columns"):
        resp.import_csv(office_sf, "role,agency,owner_name\nlead,Lead office,x\n")


def test_matrix_rules_and_exceptions(office_sf: sessionmaker[Session]) -> None:
    with office_sf() as s:
        rows, res = resp.matrix(s, 1)
    by_cat = {r.category: r for r in rows}
    assert by_cat["education"].supervising is not None and by_cat["education"].supervising[1] == "Education bureau"
    assert by_cat["health"].supervising is not None and by_cat["health"].supervising[1] == "Health bureau"
    assert by_cat["worship"].supervising is None  # no rule: shown as a gap, never guessed
    assert all(r.lead is not None and r.lead[1] == "Lead office" for r in rows)
    school = by_cat["education"].site_id
    resp.set_exception(office_sf, school, role="supervising", agency_id=agency_id(office_sf, "Health bureau"),
                       reason="school inside the hospital grounds")
    with office_sf() as s:
        row = next(r for r in resp.matrix(s, 1)[0] if r.site_id == school)
    assert row.supervising is not None and row.supervising[1:] == ("Health bureau", "exception")


def test_generating_a_period_twice_creates_no_duplicate(office_sf: sessionmaker[Session]) -> None:
    with office_sf() as s:
        stade = int(s.scalar(select(Site.id).where(Site.name == "Stade Louis-II")))
    insp = sup.start_inspection(office_sf, stade, now=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
                                inspector_agency="Lead office")
    with office_sf() as s:
        items = [i.item_id for i in sup.inspection_items(s, insp.id)]
    sup.answer(office_sf, insp.id, {k: "fail" if k == items[0] else "pass" for k in items},
               now=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    sup.complete(office_sf, insp.id, now=dt.datetime(2026, 11, 3, tzinfo=dt.UTC), owner_agency="Venue operators")
    first = duties.generate(office_sf, on=ON)
    second = duties.generate(office_sf, on=ON)
    assert first.created > 153 * 15 and second.created == 0 and second.existing == first.drafts
    with office_sf() as s:
        keys = s.execute(select(Duty.site_id, Duty.code, Duty.period)).all()
        assert len(keys) == len(set(keys)) == first.created
        finding = s.scalars(select(Duty).where(Duty.site_id == stade, Duty.code.like("finding:%"))).all()
        standing = s.scalar(select(func.count()).select_from(Duty).where(Duty.code == "security_plan_on_file"))
    assert len(finding) == 1 and finding[0].due_on == dt.date(2026, 12, 3) and finding[0].period == "once"
    assert standing == 0  # standing duties never create tasks
    nxt = duties.generate(office_sf, on=dt.date(2026, 12, 1))  # a new month: monthly duties again, quarter kept
    assert nxt.created > 0 and nxt.existing > 0
