"""Benchmark: one weekly detection run over 1,000 series (Farrington-flexible, 6 years of weekly counts each) with
the early-warning service (read counts from the database, rebuild dense series and stored-alert state, decide,
store alerts with evidence) vs the bare algorithm loop over the same arrays. The alarms must be identical.
Target: < 30 s for 1,000 series a week.

Then the detection figures on synthetic series with injected rises (+4 SD for 3 weeks, mean 2-20 events/week,
dispersion 1-2, seasonal; fixed seed), for Farrington and CUSUM: share of rises detected, false alarms per
series-week. Run: PYTHONPATH=src .venv/bin/python bench/warning_detect.py [--series N] [--figures N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import numpy as np  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bastion.algorithms.risk.threat import GTD_TARGET_TYPES  # noqa: E402
from bastion.algorithms.surveillance.detect import farrington_week  # noqa: E402
from bastion.algorithms.surveillance.synthetic import BenchmarkSpec  # noqa: E402
from bastion.algorithms.surveillance.synthetic import Scenario  # noqa: E402
from bastion.algorithms.surveillance.synthetic import benchmark  # noqa: E402
from bastion.algorithms.surveillance.synthetic import make_series  # noqa: E402
from bastion.kernel.db.base import utcnow  # noqa: E402
from bastion.kernel.db.engine import make_engine  # noqa: E402
from bastion.kernel.db.engine import make_session_factory  # noqa: E402
from bastion.platform import migrate  # noqa: E402
from bastion.regions.models import Region  # noqa: E402
from bastion.warning import alerts as alerts_svc  # noqa: E402
from bastion.warning.enums import ATTACK_TYPES  # noqa: E402
from bastion.warning.enums import DATASETS  # noqa: E402
from bastion.warning.models import WarningAlert  # noqa: E402
from bastion.warning.models import WarningCount  # noqa: E402

WEEKS = 312
START = dt.date(2020, 1, 6)
KEYS = [(d, a, t) for d in DATASETS for a in ATTACK_TYPES for t in GTD_TARGET_TYPES]  # 462 per region


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=1000)
    ap.add_argument("--figures", type=int, default=500, help="series in the detection benchmark (0: skip)")
    a = ap.parse_args()
    rng = np.random.default_rng(20261130)
    n_regions = -(-a.series // len(KEYS))
    series: dict[tuple[str, tuple[str, str, int]], np.ndarray] = {}
    for i in range(a.series):
        region, key = f"R{i // len(KEYS)}", KEYS[i % len(KEYS)]
        rise = WEEKS - 1 if i % 10 == 0 else -1  # every 10th series rises in the decided week
        sc = Scenario(weeks=WEEKS, mean=float(rng.uniform(2, 20)), phi=1.5, rise_start=rise, rise_weeks=1,
                      rise_sd=5.0)
        series[(region, key)] = make_series(rng, sc).counts

    t = time.perf_counter()
    base = {k for k, c in series.items() if farrington_week(c, WEEKS - 1).alarm}
    base_s = time.perf_counter() - t

    with tempfile.TemporaryDirectory() as d:
        eng = make_engine(f"sqlite:///{d}/b.db")
        migrate.upgrade(eng)
        sf = make_session_factory(eng)
        ids = {}
        with sf.begin() as s:
            for r in range(n_regions):
                reg = Region(name=f"R{r}", slug=f"r{r}")
                s.add(reg)
                s.flush()
                ids[f"R{r}"] = reg.id
            now = utcnow()
            rows = [{"region_id": ids[rg], "dataset": k[0], "attack_type": k[1], "target_type": k[2],
                     "week": START + dt.timedelta(weeks=w), "events": int(c[w]), "fatalities": 0, "injured": 0,
                     "updated_at": now} for (rg, k), c in series.items() for w in range(WEEKS) if c[w] > 0]
            for i in range(0, len(rows), 20000):
                s.execute(insert(WarningCount), rows[i:i + 20000])
        t = time.perf_counter()
        decided = 0
        for rid in ids.values():
            r = alerts_svc.detect(sf, rid, weeks=1, through=START + dt.timedelta(weeks=WEEKS - 1))
            decided += r.decided
        ours_s = time.perf_counter() - t
        with sf() as s:
            name = {v: k for k, v in ids.items()}
            ours = {(name[x.region_id], (x.dataset, x.attack_type, x.target_type))
                    for x in s.scalars(select(WarningAlert))}
        eng.dispose()
    identical = ours == base
    print(f"{a.series} series x {WEEKS} weeks in {n_regions} regions; {decided} decided; alarms: ours {len(ours)}, "
          f"baseline {len(base)}; identical: {identical}")
    print(f"baseline (bare farrington_week loop over in-memory arrays): {base_s:.2f} s")
    print(f"ours (service: read counts, rebuild series and alert state, decide, store alerts): {ours_s:.2f} s; "
          f"target < 30 s")
    out = {"series": a.series, "baseline_s": round(base_s, 3), "ours_s": round(ours_s, 3),
           "ratio": round(ours_s / base_s, 2), "identical": identical, "target_s": 30}
    if a.figures:
        for method in ("farrington", "cusum"):
            f = benchmark(np.random.default_rng(20261130), BenchmarkSpec(n_series=a.figures), method=method)
            print(f"{method}: {f.detected}/{f.n_rises} rises detected ({100 * f.detection_rate:.1f} %), "
                  f"{f.false_alarm_weeks}/{f.monitored_weeks} false-alarm series-weeks "
                  f"({100 * f.false_alarm_rate:.2f} %), {f.alerts} alerts after hygiene")
            out[f"{method}_detected"] = round(f.detection_rate, 4)
            out[f"{method}_false_alarm_rate"] = round(f.false_alarm_rate, 5)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
