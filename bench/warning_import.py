"""Benchmark: importing a 200,000-row GTD-format CSV (SYNTHETIC, 36 columns like a GTD export, 1970-2019) with the
early-warning service (hash, parse only the needed columns, validate every row, aggregate to ISO week x attack
type x target type, store in one transaction) vs a bare pandas pass (read_csv of the same columns + groupby).

Both run in this process; the stored cells must equal pandas' group-by. Target: < 60 s for 200,000 rows.
Run: PYTHONPATH=src .venv/bin/python bench/warning_import.py [--rows N]
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
sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bastion.algorithms.risk.threat import GTD_WEAPON_TO_THREAT  # noqa: E402
from bastion.kernel.db.engine import make_engine  # noqa: E402
from bastion.kernel.db.engine import make_session_factory  # noqa: E402
from bastion.platform import migrate  # noqa: E402
from bastion.regions.models import Region  # noqa: E402
from bastion.warning import service as svc  # noqa: E402
from bastion.warning.models import WarningCount  # noqa: E402
from tests.warning.synthetic_files import gtd_csv  # noqa: E402


def pandas_pass(path: Path) -> tuple[float, dict[tuple[dt.date, str, int], int]]:
    t = time.perf_counter()
    df = pd.read_csv(path, usecols=["iyear", "imonth", "iday", "targtype1", "weaptype1"], encoding="iso-8859-1")
    day = pd.to_datetime(dict(year=df.iyear, month=df.imonth, day=df.iday.where(df.iday > 0, 1)))
    df["week"] = (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.date
    df["threat"] = df.weaptype1.map(dict(GTD_WEAPON_TO_THREAT)).fillna("other")
    g = df.groupby(["week", "threat", "targtype1"]).size()
    elapsed = time.perf_counter() - t
    return elapsed, {(w, a, int(tt)): int(n) for (w, a, tt), n in g.items()}


def service_pass(path: Path) -> tuple[float, svc.ImportResult, svc.ImportResult, dict[tuple[dt.date, str, int], int]]:
    with tempfile.TemporaryDirectory() as d:
        eng = make_engine(f"sqlite:///{d}/b.db")
        migrate.upgrade(eng)
        sf = make_session_factory(eng)
        with sf.begin() as s:
            s.add(Region(name="Synthland", slug="synthland"))
        t = time.perf_counter()
        r = svc.import_file(sf, "Synthland", path, "gtd")
        elapsed = time.perf_counter() - t
        again = svc.import_file(sf, "Synthland", path, "gtd")
        with sf() as s:
            cells = {(w, a, tt): n for w, a, tt, n in s.execute(select(
                WarningCount.week, WarningCount.attack_type, WarningCount.target_type, WarningCount.events))}
        eng.dispose()
    return elapsed, r, again, cells


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "gtd_synthetic.csv"
        path.write_bytes(gtd_csv(weeks=2600, rise_from=None, rows_target=a.rows, start=dt.date(1970, 1, 5)))
        mb = path.stat().st_size / 2**20
        base_s, base = pandas_pass(path)
        ours_s, r, again, cells = service_pass(path)
    identical = cells == base and r.rows_used == sum(base.values())
    print(f"file: {r.rows_read:,} rows, {mb:.0f} MiB, {r.columns_dropped} of 36 columns never read")
    print(f"baseline (bare pandas read_csv + groupby, no validation, no storage): {base_s:.2f} s")
    print(f"ours (hash, parse, validate, aggregate, store {r.cells:,} cells in one transaction): {ours_s:.2f} s "
          f"({r.rows_read / ours_s:,.0f} rows/s); target < 60 s")
    print(f"same file again: duplicate={again.duplicate} (nothing changed); identical cells: {identical}")
    print(json.dumps({"rows": r.rows_read, "baseline_s": round(base_s, 3), "ours_s": round(ours_s, 3),
                      "ratio": round(ours_s / base_s, 2), "identical": identical, "target_s": 60}))


if __name__ == "__main__":
    main()
