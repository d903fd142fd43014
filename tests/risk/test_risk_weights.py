"""Risk wired into coverage/placement weights and patrol payoffs, on real Monaco data (both backends)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.coverage import placement
from bastion.coverage import service as coverage
from bastion.kernel.errors import InvalidInput
from bastion.patrol import service as psvc
from bastion.patrol.build import check_options
from bastion.risk import service as rsvc
from bastion.risk.models import RiskAssessment
from bastion.sites.models import Site
from tests.patrol_db import monaco_module_sf  # noqa: F401 (fixtures)
from tests.patrol_db import monaco_url  # noqa: F401 (fixtures)

SMALL = dict(teams=2, shift="08:00-10:00", days=3, seed=7, max_sites=10, max_stops=2, start_weekday=4)


def _region_id(sf: sessionmaker[Session]) -> int:
    with sf() as s:
        return int(s.scalar(select(Site.region_id).limit(1)))


def _clear(sf: sessionmaker[Session]) -> None:
    with sf.begin() as s:
        s.execute(delete(RiskAssessment))


def _assess(sf: sessionmaker[Session]) -> dict[int, float]:
    """Store an assessment; return site id -> total risk summed by hand from the stored rows."""
    rsvc.store_region_assessment(sf, _region_id(sf))
    tot: dict[int, float] = defaultdict(float)
    with sf() as s:
        for sid, risk in s.execute(select(RiskAssessment.site_id, RiskAssessment.risk)):
            tot[sid] += risk
    return dict(tot)


def test_weight_bases_refused_until_assessed(monaco_module_sf: sessionmaker[Session]) -> None:
    _clear(monaco_module_sf)
    with monaco_module_sf() as s:
        with pytest.raises(InvalidInput, match="no stored risk assessments") as e:
            coverage.analyze(s, "Monaco", weight_basis="risk")
        assert e.value.field == "weight" and e.value.hint == "run `bastion risk assess --region Monaco` first"
        assert "bastion" not in str(e.value) and "--" not in str(e.value)  # the API shows the message as is
        with pytest.raises(InvalidInput, match="weight 'people' is unknown"):
            coverage.analyze(s, "Monaco", weight_basis="people")
        r = coverage.analyze(s, "Monaco", weight_basis="sites")
    assert r.weight_basis == "sites" and r.total_weight == len(r.sites) == 133
    assert (
        tuple(b.covered_weight for b in r.by_standard)
        == tuple(b.covered_sites for b in r.by_standard)
        == (91, 127, 133)
    )
    with pytest.raises(InvalidInput, match="risk assess"):
        placement.place(monaco_module_sf, "Monaco", standard_s=60, add=1, weight_basis="risk")
    with pytest.raises(InvalidInput, match="payoff risk needs a stored risk assessment"):
        psvc.compute_plan(monaco_module_sf, "Monaco", check_options(**SMALL, payoff="risk"))
    with pytest.raises(InvalidInput, match="payoff 'people' is unknown"):
        check_options(**SMALL, payoff="people")
    _, built = psvc.compute_plan(monaco_module_sf, "Monaco", check_options(**SMALL))
    assert built.options.payoff == "capacity"  # no stored risk: the documented capacity default


def test_risk_weighted_coverage_and_placement(monaco_module_sf: sessionmaker[Session]) -> None:
    risk = _assess(monaco_module_sf)
    with monaco_module_sf() as s:
        r = coverage.analyze(s, "Monaco", weight_basis="risk")
        cap = coverage.analyze(s, "Monaco")
    assert r.weight_basis == "risk" and len(r.sites) == 133
    assert [x.site_id for x in r.sites] == [x.site_id for x in cap.sites]
    for x in r.sites:
        assert x.weight == pytest.approx(risk[x.site_id], rel=1e-12)
    total = sum(risk[x.site_id] for x in r.sites)
    assert r.total_weight == pytest.approx(total, rel=1e-12) and total > 0
    for b in r.by_standard:  # share by hand: stored risk of sites whose fastest unit arrives within the standard
        covered = sum(risk[x.site_id] for x in r.sites if x.time_s is not None and x.time_s <= b.standard_s)
        assert b.covered_weight == pytest.approx(covered, rel=1e-12)
        assert b.share_weight == pytest.approx(covered / total, rel=1e-12)
        assert b.covered_sites == cap.standard(b.standard_s).covered_sites  # the basis changes weights, not reach
    assert r.standard(60).share_weight != pytest.approx(cap.standard(60).share_weight)

    p = placement.place(monaco_module_sf, "Monaco", standard_s=60, add=2, weight_basis="risk")
    assert p.weight_basis == "risk" and p.status == "optimal" and p.gap <= 1e-9
    assert p.total_weight == pytest.approx(total, rel=1e-12)
    assert p.before_weight == pytest.approx(r.standard(60).covered_weight, rel=1e-12)
    assert p.after_weight == pytest.approx(p.objective, rel=1e-9) and p.after_weight > p.before_weight
    one = placement.place(monaco_module_sf, "Monaco", standard_s=60, add=1, weight_basis="risk")
    assert one.status == "optimal" and one.objective <= p.objective + 1e-9  # a second unit never hurts


def test_patrol_payoffs_from_stored_risk(monaco_module_sf: sessionmaker[Session]) -> None:
    risk = _assess(monaco_module_sf)
    _, rb = psvc.compute_plan(monaco_module_sf, "Monaco", check_options(**SMALL))
    _, cb = psvc.compute_plan(monaco_module_sf, "Monaco", check_options(**SMALL, payoff="capacity"))
    assert rb.options.payoff == "risk" and cb.options.payoff == "capacity"  # risk is the default once assessed
    assert rb.status == cb.status == "optimal"
    wd = rb.weekday(1)
    assert any(x.weekly is None for x in rb.sites)  # the hand check below runs
    for i, x in enumerate(rb.sites):  # consequence = stored total risk x slot occupancy (always-open sites: 1)
        if x.weekly is None:
            np.testing.assert_allclose(rb.consequence[wd][i], risk[x.id], rtol=1e-12)
        assert x.risk == pytest.approx(risk[x.id], rel=1e-12)
        assert rb.consequence[wd][i].max() <= risk[x.id] * (1 + 1e-12)
    differs = [x.id for x in rb.sites] != [x.id for x in cb.sites] or not np.allclose(rb.coverage[wd], cb.coverage[wd])
    assert differs

    a = psvc.create_plan(monaco_module_sf, "Monaco", check_options(**SMALL))
    b = psvc.create_plan(monaco_module_sf, "Monaco", check_options(**SMALL, payoff="risk"))
    c = psvc.create_plan(monaco_module_sf, "Monaco", check_options(**SMALL, payoff="capacity"))
    with monaco_module_sf() as s:
        stops = {pid: [(t.day, t.team, st.site_id, st.arrival_s) for t in psvc.schedules(s, pid) for st in t.stops]
                 for pid in (a, b, c)}
        params = {pid: psvc.get_plan(s, pid).parameters for pid in (a, b, c)}
    assert stops[a] and stops[a] == stops[b]  # reproducible from the seed
    assert stops[a] != stops[c]
    assert (params[a]["payoff"], params[b]["payoff"], params[c]["payoff"]) == ("risk", "risk", "capacity")
