"""Every posture scheme drives the duties, not only the risk domain's threat-level setting: an NTAS bulletin adds
the duties gated on a raised response rank; once it expires (even before the periodic check has ended it) the next
generation withdraws them, and issuing a bulletin again reopens them. Real Monaco sites."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.office import duties
from bastion.office import levels
from bastion.office.models import Duty
from bastion.office.models import RegionLevel
from bastion.posture import service as ps
from bastion.sites.models import Site

ON = dt.date(2026, 11, 30)
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
GATED = "lead_posture_verification"  # min_rank 2 in the shipped catalogue (a raised posture only)


def gated(sf: sessionmaker[Session], status: str = "open") -> set[int]:
    with sf() as s:
        return set(s.scalars(select(Duty.site_id).where(Duty.code == GATED, Duty.status == status)))


def test_rank_is_the_most_demanding_scheme() -> None:
    # hand-checked against the scheme tables: SUBSTANTIAL -> 1, CRITICAL -> 2, NTAS imminent -> 3, level_2 -> 2
    assert levels.rank_of({"uk": "SUBSTANTIAL", "cn": "normal", "ntas": "none"}) == 1
    assert levels.rank_of({"uk": "LOW", "cn": "normal", "ntas": "elevated"}) == 2
    assert levels.rank_of({"uk": "CRITICAL", "cn": "level_2", "ntas": "imminent"}) == 3
    assert levels.rank_of({"uk": "MODERATE", "cn": "normal", "ntas": "none"}) == 0


def test_ntas_bulletin_changes_duties_and_expiry_reverts_them(office_sf: sessionmaker[Session]) -> None:
    with office_sf() as s:
        n_sites = len(list(s.scalars(select(Site.id).where(Site.region_id == 1, Site.missing_from_source.is_(False)))))
    first = duties.generate(office_sf, on=ON, region_id=1, now=T0)
    assert first.created > 0 and gated(office_sf) == set()  # UK SUBSTANTIAL alone: rank 1 < 2
    expiry = T0 + dt.timedelta(days=5)
    d = ps.propose(office_sf, 1, scheme="ntas", level="elevated", reason="bulletin", now=T0,
                   by=ps.Signer("user:a", 1), expires_at=expiry)
    ps.approve(office_sf, d.id, now=T0, by=ps.Signer("user:b", 2))
    with office_sf() as s:
        row = s.get(RegionLevel, (1, "ntas"))
        assert row is not None and (row.level, row.previous_level) == ("elevated", "none")
        assert levels.region_rank(s, 1, now=T0) == 2
    raised = duties.generate(office_sf, on=ON, region_id=1, now=T0 + dt.timedelta(hours=1))
    assert raised.created == len(gated(office_sf)) == n_sites and raised.withdrawn == 0  # one per site
    with office_sf() as s:
        lead = set(s.scalars(select(Duty.agency_id).where(Duty.code == GATED)))
        assert len(lead) == 1 and None not in lead  # owed by the lead office (the Monaco lead rule)
    # after the sunset, before any periodic check has ended the declaration: the bulletin no longer counts
    later = expiry + dt.timedelta(minutes=1)
    with office_sf() as s:
        assert ps.get(s, d.id).status == "active" and levels.region_rank(s, 1, now=later) == 1
    back = duties.generate(office_sf, on=ON, region_id=1, now=later)
    assert back.created == 0 and back.withdrawn == n_sites and gated(office_sf) == set()
    assert len(gated(office_sf, "withdrawn")) == n_sites
    assert ps.expire_due(office_sf, now=later) == [d.id]
    with office_sf() as s:
        assert s.get(RegionLevel, (1, "ntas")) is None and levels.region_rank(s, 1, now=later) == 1
    assert duties.generate(office_sf, on=ON, region_id=1, now=later).withdrawn == 0  # stable
    # a new bulletin (imminent) in the same month reopens the withdrawn duties instead of duplicating them
    d2 = ps.propose(office_sf, 1, scheme="ntas", level="imminent", reason="bulletin", now=later,
                    by=ps.Signer("user:a", 1), expires_at=later + dt.timedelta(days=2))
    ps.approve(office_sf, d2.id, now=later, by=ps.Signer("user:b", 2))
    again = duties.generate(office_sf, on=ON, region_id=1, now=later)
    assert again.created == 0 and again.reopened == n_sites and len(gated(office_sf)) == n_sites
