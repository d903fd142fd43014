"""Campaigns: exactly one inspection per in-scope site, assigned to its supervising agency, an open inspection
reused not duplicated, the deadline skipping the region's public holidays; board; notice with every mandatory
field (en and zh-CN, PDF). Scorecards per agency and jurisdiction recomputed by hand from the raw rows.
Briefings: restricted posture content never in a lower-label output; zh-CN labels; PDF."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.errors import InvalidInput
from bastion.office import campaigns
from bastion.office import coverage
from bastion.office import duties
from bastion.office import render
from bastion.office import responsibility as resp
from bastion.office import scorecards
from bastion.office.escalation import duty_deadline
from bastion.office.models import CampaignSite
from bastion.office.models import Duty
from bastion.office.models import SiteCoverage as SiteCoverageRow
from bastion.posture import briefing as posture_briefing
from bastion.posture import service as ps
from bastion.sites.models import Site
from bastion.supervision import service as sup
from bastion.supervision.models import Inspection
from bastion.supervision.models import RectificationTask
from tests.office_fixtures import agency_id

WED = dt.datetime(2026, 12, 23, 9, 0, tzinfo=dt.UTC)  # before Christmas and the substitute Boxing Day (Mon 28)


def test_campaign_one_inspection_per_site_deadline_and_notice(office_sf: sessionmaker[Session],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BASTION_OFFICE_TIMEZONE", "Europe/London")
    with office_sf() as s:
        schools = [int(x) for x in s.scalars(select(Site.id).where(Site.category.in_(("education", "health")))
                                            .order_by(Site.id))]
    pre = sup.start_inspection(office_sf, schools[0], now=WED, inspector_agency="Education bureau")
    with pytest.raises(InvalidInput) as e:
        campaigns.launch(office_sf, campaigns.CampaignSpec("x", 1, checklist=["lasers"]), now=WED, actor="cli:t")
    assert e.value.field == "checklist"
    spec = campaigns.CampaignSpec("Pre-holiday schools and hospitals", 1, categories=["education", "health"],
                                  checklist=["evacuation_procedure", "cctv"], deadline_days=2, clock="business",
                                  holiday_region="GB-ENG")
    c = campaigns.launch(office_sf, spec, now=WED, actor="cli:t")
    assert c.deadline == dt.datetime(2026, 12, 29, 9, 0, tzinfo=dt.UTC)  # Thu 24 = 1, (25, 26, 27, 28) skipped, Tue 29
    assert campaigns.fill(office_sf, c.id, now=WED) == 0  # idempotent
    with office_sf() as s:
        links = s.scalars(select(CampaignSite).where(CampaignSite.campaign_id == c.id)).all()
        scope = campaigns.in_scope(s, c)
        opens = s.execute(select(Inspection.site_id, func.count()).where(Inspection.status == "open")
                          .group_by(Inspection.site_id)).all()
    assert sorted(x.site_id for x in links) == sorted(x for x, _a in scope) and len(links) == len(scope) > 5
    assert all(n == 1 for _sid, n in opens)  # exactly one inspection per site
    assert next(x for x in links if x.site_id == schools[0]).inspection_id == pre.id  # reused, not duplicated
    edu = agency_id(office_sf, "Education bureau")
    with office_sf() as s:
        cats = dict(s.execute(select(Site.id, Site.category)).all())
        items = {i.measure for x in links for i in sup.inspection_items(s, x.inspection_id) if x.site_id != pre.site_id}
    assert all(x.supervising_agency_id == edu for x in links if cats[x.site_id] == "education")
    assert items <= {"evacuation_procedure", "cctv"}  # the campaign's checklist
    # answer one site's inspection with a failure -> task -> notice
    target = next(x for x in links if x.site_id != pre.site_id)
    with office_sf() as s:
        its = sup.inspection_items(s, target.inspection_id)
    sup.answer(office_sf, target.inspection_id, {i.item_id: "fail" for i in its}, now=WED)
    sup.complete(office_sf, target.inspection_id, now=WED + dt.timedelta(days=1), owner_agency="Venue operators",
                 deadline_days=14)
    with office_sf() as s:
        board = campaigns.board(s, c.id, now=WED + dt.timedelta(days=10))
        n = campaigns.notice(s, target.site_id, campaign_id=c.id, now=WED)
    assert sum(b.sites for b in board) == len(links) and sum(b.completed for b in board) == 1
    assert sum(b.overdue for b in board) == len(links) - 1 and sum(b.tasks_open for b in board) == len(its)
    assert [b.agency for b in board] == sorted(b.agency for b in board)  # by name, never by value
    assert n.issues and n.deadline == WED + dt.timedelta(days=15) and n.notice_no == f"C{c.id}-S{target.site_id}"
    en, zh = render.notice_html(n, lang="en"), render.notice_html(n, lang="zh-CN")
    for key in ("no", "unit", "basis", "issue", "requirement", "deadline", "reply", "authority", "date", "receipt"):
        assert render.labels("en")[f"office.notice.{key}"] in en
        assert render.labels("zh-CN")[f"office.notice.{key}"] in zh
    assert "整改通知书" in zh and render.to_pdf(zh)[:5] == b"%PDF-"


def test_scorecards_recompute_from_raw_rows(office_sf: sessionmaker[Session]) -> None:
    t0 = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    duties.generate(office_sf, on=dt.date(2026, 11, 15), now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    with office_sf() as s:
        some = s.scalars(select(Duty).where(Duty.period == "2026-M11").order_by(Duty.id).limit(40)).all()
    for d in some[:25]:
        duties.complete_duty(office_sf, d.id, now=dt.datetime(2026, 11, 5, tzinfo=dt.UTC), evidence=f"record {d.id}")
    with office_sf() as s:
        stade = int(s.scalar(select(Site.id).where(Site.name == "Stade Louis-II")))
    insp = sup.start_inspection(office_sf, stade, now=t0, inspector_agency="Lead office")
    with office_sf() as s:
        its = sup.inspection_items(s, insp.id)
    sup.answer(office_sf, insp.id, {i.item_id: "fail" for i in its[:3]} | {i.item_id: "pass" for i in its[3:]},
               now=t0)
    rep = sup.complete(office_sf, insp.id, now=t0, owner_agency="Venue operators",
                       owner_agency_id=agency_id(office_sf, "Venue operators"), deadline_days=10)
    sup.update_task(office_sf, rep.tasks_created[0], now=t0 + dt.timedelta(days=4), status="fixed")
    sup.update_task(office_sf, rep.tasks_created[1], now=t0 + dt.timedelta(days=12), status="fixed")
    start, end = dt.date(2026, 11, 1), dt.date(2026, 12, 1)
    with office_sf() as s:
        cards = {c.name: c for c in scorecards.scorecards(s, start=start, end=end)}
        regions = scorecards.scorecards(s, start=start, end=end, by="region")
        trend = scorecards.trend(s, end=dt.date(2026, 11, 30), periods=4, days=7)
        # by hand from the raw rows
        tasks = s.scalars(select(RectificationTask).where(RectificationTask.inspection_id == insp.id)).all()
        due_d = s.scalars(select(Duty).where(Duty.agency_id == agency_id(office_sf, "Venue operators"),
                                             Duty.due_on >= start, Duty.due_on < end)).all()
    ops = cards["Venue operators"]
    assert ops.rectification.due == 3 and ops.rectification.closed_on_time == 1 and ops.rectification.closed == 2
    assert ops.rectification.median_days_to_close == statistics.median([4, 12])
    assert ops.rectification.open_overdue == 1 and len(tasks) == 3
    assert ops.duties.due == len(due_d) and ops.duties.closed == sum(1 for d in due_d if d.status == "done")
    on_time = sum(1 for d in due_d if d.done_at is not None and d.done_at <= duty_deadline(d.due_on, "Europe/London"))
    assert 0 < on_time < ops.duties.closed  # duties due 1 Nov were done late on 5 Nov
    assert ops.duties.closed_on_time == on_time and ops.duties.on_time_pct == round(100 * on_time / len(due_d), 1)
    days = [(d.done_at - d.created_at).total_seconds() / 86400 for d in due_d if d.done_at is not None]
    assert ops.duties.median_days_to_close == round(statistics.median(days), 2) == 4.0
    assert [r.name for r in regions] == ["Monaco"] and regions[0].rectification.due == 3
    assert all(c.coverage is not None and c.coverage.sites == 0 for c in cards.values())  # nothing stored yet
    assert len(trend) == 4 and all(len(w) == len(cards) for w in trend)
    assert not any(hasattr(c, "user_id") or hasattr(c, "account_id") for c in cards.values())  # never per person


def test_scorecard_coverage_of_an_agencys_sites(office_sf: sessionmaker[Session]) -> None:
    """The published Monaco coverage (133 crowded places, 91 / 127 / 133 reached within 1 / 3 / 5 min by the 11
    import-seeded units; tests/coverage/test_coverage_service.py) becomes the jurisdiction's card and the lead
    office's (it leads every Monaco site); each sector agency's figure is recounted by hand from the stored rows
    and the matrix."""
    rep = coverage.refresh(office_sf, 1, now=dt.datetime(2026, 11, 30, tzinfo=dt.UTC))
    assert (rep.sites, rep.flagged, rep.within, rep.units) == (133, 0, (91, 127, 133), 11)
    start, end = dt.date(2026, 11, 1), dt.date(2026, 12, 1)
    with office_sf() as s:
        cards = {c.name: c for c in scorecards.scorecards(s, start=start, end=end)}
        region = scorecards.scorecards(s, start=start, end=end, by="region")[0]
        stored = {r.site_id: r.time_s for r in s.scalars(select(SiteCoverageRow))}
        rows, _res = resp.matrix(s, 1)
    assert region.coverage is not None and region.coverage.within == (91, 127, 133)
    assert region.coverage.share_pct == (round(100 * 91 / 133, 1), round(100 * 127 / 133, 1), 100.0)
    lead = cards["Lead office"].coverage
    assert lead is not None and (lead.sites, lead.within) == (133, (91, 127, 133))
    for name in ("Health bureau", "Education bureau", "Transport bureau", "Culture and tourism bureau"):
        mine = [r.site_id for r in rows if r.supervising is not None and r.supervising[1] == name
                and r.site_id in stored]
        want = tuple(sum(1 for i in mine if stored[i] is not None and stored[i] <= lim) for lim in (60, 180, 300))
        card = cards[name].coverage
        assert card is not None and (card.sites, card.within) == (len(mine), want)
    assert cards["Health bureau"].coverage.sites > 0  # type: ignore[union-attr]
    assert coverage.refresh(office_sf, 1, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC)).sites == 133  # replaces
    with office_sf() as s:
        assert s.scalar(select(func.count()).select_from(SiteCoverageRow)) == 133


def test_briefing_restricted_content_never_in_lower_label(office_sf: sessionmaker[Session]) -> None:
    now = dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)
    duties.generate(office_sf, on=now.date())
    d = ps.propose(office_sf, 1, scheme="uk", level="CRITICAL", reason="SECRET-REASON-7731", now=now,
                   by=ps.Signer("a", 1))
    ps.approve(office_sf, d.id, now=now, by=ps.Signer("b", 2))
    restricted = [r.title for r in ps.pack().rules if r.rule_id in ("uk_bag_search", "uk_access_restriction")]
    outputs = {}
    with office_sf() as s:
        for label in ("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"):
            for lang in ("en", "zh-CN"):
                b = posture_briefing.build(s, kind="weekly", tlp=label, now=now)
                outputs[label, lang] = render.briefing_html(b, lang=lang)
    for lang in ("en", "zh-CN"):
        for low in ("TLP:CLEAR", "TLP:GREEN"):
            html = outputs[low, lang]
            assert all(t not in html for t in restricted) and "SECRET-REASON-7731" not in html
        assert "CRITICAL" in outputs["TLP:GREEN", lang]  # the public level itself is shown
        assert all(t in outputs["TLP:AMBER", lang] for t in restricted)
        assert "SECRET-REASON-7731" not in outputs["TLP:AMBER", lang]
        assert "SECRET-REASON-7731" in outputs["TLP:AMBER+STRICT", lang]
    assert "牵头办公室周报" in outputs["TLP:GREEN", "zh-CN"] and "TLP:GREEN" in outputs["TLP:GREEN", "zh-CN"]
    assert render.to_pdf(outputs["TLP:AMBER", "zh-CN"])[:5] == b"%PDF-"
