"""The fixture is SYNTHETIC (tests/fixtures/gtd/README.md). Its rows, by hand:

year country region targtype1 weaptype1 count
2015 999     99     1 Business     6 Explosives 5
2015 999     99     1 Business     5 Firearms   3
2016 999     99     14 Private     6 Explosives 4
2016 999     99     14 Private     10 Vehicle   2
2017 999     99     15 Religious   8 Incendiary 2
2017 998     98     19 Transport   6 Explosives 3
2018 998     98     2 Government   5 Firearms   1
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bastion.algorithms.risk.threat import threat_likelihoods
from bastion.kernel.errors import InvalidInput
from bastion.risk.gtd import load_gtd_priors

FIXTURE = Path(__file__).parents[1] / "fixtures" / "gtd" / "synthetic_gtd.csv"


def test_shares_and_mixes_recomputed() -> None:
    pri = load_gtd_priors(FIXTURE, mix_floor=0.0, min_incidents_for_mix=5)
    assert pri.n_incidents == 20
    assert pri.target_shares[1] == pytest.approx(8 / 20)
    assert pri.target_shares[14] == pytest.approx(6 / 20)
    assert pri.mix[0]["ied"] == pytest.approx(12 / 20)
    assert pri.mix[0]["vehicle_as_weapon"] == pytest.approx(2 / 20)
    assert pri.mix[1]["marauding_attack"] == pytest.approx(3 / 8)
    assert pri.mix[14]["vehicle_as_weapon"] == pytest.approx(2 / 6)
    assert 15 not in pri.mix  # 2 incidents < 5: falls back to the all-targets mix
    t = threat_likelihoods("public_space", "square", priors=pri)
    assert t["vehicle_as_weapon"] == pytest.approx(6 / 20 * 2 / 6)


def test_filters() -> None:
    pri = load_gtd_priors(FIXTURE, years=(2017, 2018))
    assert pri.n_incidents == 6
    assert load_gtd_priors(FIXTURE, countries={998}).n_incidents == 4
    assert load_gtd_priors(FIXTURE, regions={99}).n_incidents == 16
    with pytest.raises(InvalidInput, match="no incidents"):
        load_gtd_priors(FIXTURE, years=(1970, 1971))


def test_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("eventid,targtype1\n1,1\n", encoding="iso-8859-1")
    with pytest.raises(InvalidInput, match="weaptype1"):
        load_gtd_priors(bad)
    bad.write_text("targtype1,weaptype1\n1,6\n99,6\n", encoding="iso-8859-1")
    with pytest.raises(InvalidInput, match="line 3: targtype1"):
        load_gtd_priors(bad)
    with pytest.raises(InvalidInput, match="not a file"):
        load_gtd_priors(tmp_path / "missing.csv")
