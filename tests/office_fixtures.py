"""Agencies and responsibility rules over the real Monaco sites: the `office_sf` fixture of the office and posture
tests (a plugin of tests/conftest.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.models import Agency
from bastion.kernel.db.uow import unit_of_work
from bastion.office import responsibility as resp

AGENCIES = [("Lead office", "lead_office"), ("Education bureau", "education"), ("Health bureau", "health"),
            ("Transport bureau", "transport"), ("Culture and tourism bureau", "other"),
            ("Venue operators", "venue_operator")]
RULES_CSV = """role,agency,region,category,tier,site_id,reason
lead,Lead office,Monaco,,,,
supervising,Education bureau,,education,,,
supervising,Health bureau,,health,,,
supervising,Transport bureau,,transport,,,
supervising,Culture and tourism bureau,,venue,,,
supervising,Culture and tourism bureau,,tourism,,,
operator,Venue operators,,,,,
"""


@pytest.fixture
def office_sf(monaco_sf: sessionmaker[Session]) -> sessionmaker[Session]:
    with unit_of_work(monaco_sf) as s:
        for name, kind in AGENCIES:
            s.add(Agency(name=name, kind=kind))
    resp.import_csv(monaco_sf, RULES_CSV)
    return monaco_sf


def agency_id(sf: sessionmaker[Session], name: str) -> int:
    from sqlalchemy import select

    with sf() as s:
        return int(s.scalar(select(Agency.id).where(Agency.name == name)))
