"""Early-warning use cases: import aggregate counts, enter an office's own counts, detect, alert, recommend.

Every write is one transaction (unit of work). Imports are idempotent: the same file (sha256) for the same region
changes nothing; a new file of the same dataset replaces that dataset's cells for the weeks it covers.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.db.base import utcnow
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.regions.repository import RegionRepo
from bastion.warning.enums import ATTACK_TYPES
from bastion.warning.enums import LICENCE_NOTE
from bastion.warning.enums import MAX_WEEKLY_COUNT
from bastion.warning.enums import site_categories
from bastion.warning.models import WarningAlert
from bastion.warning.models import WarningCount
from bastion.warning.models import WarningImport
from bastion.warning.parse import Aggregate
from bastion.warning.parse import aggregate_bytes
from bastion.warning.parse import aggregate_file
from bastion.warning.parse import monday

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
SeriesKey = tuple[str, str, int]  # (dataset, attack type, target type)


def _report(progress: Progress | None, frac: float, msg: str) -> None:
    if progress is not None:
        progress(frac, msg)


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    region_id: int
    dataset: str
    sha256: str
    duplicate: bool  # the same file was imported before: nothing changed
    rows_read: int
    rows_used: int
    rows_undated: int
    rows_filtered: int
    cells: int
    columns_kept: tuple[str, ...]
    columns_dropped: int
    first_week: dt.date | None
    last_week: dt.date | None
    runtime_s: float


def _result(imp: WarningImport, *, duplicate: bool, runtime_s: float) -> ImportResult:
    return ImportResult(imp.id, imp.region_id, imp.dataset, imp.sha256, duplicate, imp.rows_read, imp.rows_used,
                        imp.rows_undated, imp.rows_filtered, imp.cells, tuple(imp.columns_kept), imp.columns_dropped,
                        imp.first_week, imp.last_week, runtime_s)


def _store(sf: sessionmaker[Session], region_id: int, fmt: str, label: str, digest: str, agg: Aggregate,
           t0: float, progress: Progress | None) -> ImportResult:
    with unit_of_work(sf) as s:
        RegionRepo(s).get(region_id)
        old = s.scalar(select(WarningImport).where(WarningImport.region_id == region_id,
                                                   WarningImport.sha256 == digest))
        if old is not None:
            log.info("warning import: %s already imported for region %d (import %d)", digest[:12], region_id, old.id)
            return _result(old, duplicate=True, runtime_s=time.perf_counter() - t0)
        weeks = sorted({k[0] for k in agg.cells})
        imp = WarningImport(region_id=region_id, dataset=fmt, file_label=Path(label).name[:120] or "upload.csv",
                            sha256=digest, rows_read=agg.rows_read, rows_used=agg.rows_used,
                            rows_undated=agg.rows_undated, rows_filtered=agg.rows_filtered, cells=len(agg.cells),
                            columns_kept=agg.columns_kept, columns_dropped=agg.columns_dropped,
                            first_week=weeks[0] if weeks else None, last_week=weeks[-1] if weeks else None,
                            licence=LICENCE_NOTE[fmt], imported_at=utcnow())
        s.add(imp)
        s.flush()
        if weeks:  # the new file is the dataset's truth for the weeks it covers
            s.execute(delete(WarningCount).where(WarningCount.region_id == region_id, WarningCount.dataset == fmt,
                                                 WarningCount.week >= weeks[0], WarningCount.week <= weeks[-1]))
        now = utcnow()
        rows = [{"region_id": region_id, "dataset": fmt, "week": w, "attack_type": a, "target_type": t,
                 "events": c[0], "fatalities": c[1], "injured": c[2], "import_id": imp.id, "updated_at": now}
                for (w, a, t), c in sorted(agg.cells.items())]
        for i in range(0, len(rows), 5000):
            s.execute(insert(WarningCount), rows[i:i + 5000])
            _report(progress, 0.95 + 0.05 * min(1.0, (i + 5000) / len(rows)), "storing weekly cells")
        s.flush()
        log.info("warning import %d: %s, %d rows -> %d cells", imp.id, fmt, agg.rows_used, len(agg.cells))
        return _result(imp, duplicate=False, runtime_s=time.perf_counter() - t0)


def import_file(sf: sessionmaker[Session], region_ref: str | int, path: str | Path, fmt: str, *,
                country: str | None = None, progress: Progress | None = None) -> ImportResult:
    """Import a GTD- or ACLED-format CSV the user holds (aggregated on reading; no row is stored)."""
    t0 = time.perf_counter()
    with sf() as s:
        region_id = RegionRepo(s).get_by_ref(region_ref).id
    digest, agg = aggregate_file(path, fmt, country=country, progress=progress)
    return _store(sf, region_id, fmt, str(path), digest, agg, t0, progress)


def import_bytes(sf: sessionmaker[Session], region_id: int, data: bytes, fmt: str, file_label: str, *,
                 country: str | None = None, progress: Progress | None = None) -> ImportResult:
    t0 = time.perf_counter()
    with sf() as s:
        RegionRepo(s).get(region_id)
    digest, agg = aggregate_bytes(data, fmt, country=country, progress=progress)
    return _store(sf, region_id, fmt, file_label, digest, agg, t0, progress)


def list_imports(s: Session, region_id: int) -> Sequence[WarningImport]:
    RegionRepo(s).get(region_id)
    return s.scalars(select(WarningImport).where(WarningImport.region_id == region_id)
                     .order_by(WarningImport.id.desc())).all()


# ---------------------------------------------------------------- manual entry


@dataclass(frozen=True)
class ManualCount:
    """An office's own count for one week: events (and casualties) by attack type and GTD target type."""

    week: dt.date  # any day of the ISO week
    attack_type: str
    target_type: int
    events: int
    fatalities: int = 0
    injured: int = 0


def parse_week(text: str) -> dt.date:
    """'2026-W40' or a date 'YYYY-MM-DD' -> the Monday of its ISO week."""
    t = text.strip()
    try:
        if "W" in t.upper():
            y, w = t.upper().split("-W")
            return dt.date.fromisocalendar(int(y), int(w), 1)
        return monday(dt.date.fromisoformat(t))
    except ValueError:
        raise InvalidInput(f"week must be an ISO week '2026-W40' or a date 'YYYY-MM-DD', got {text!r}",
                           field="week") from None


def _check_manual(c: ManualCount, today: dt.date) -> None:
    from bastion.algorithms.risk.threat import GTD_TARGET_TYPES

    if c.attack_type not in ATTACK_TYPES:
        raise InvalidInput(f"attack_type must be one of {list(ATTACK_TYPES)}, got {c.attack_type!r}",
                           field="attack_type")
    if c.target_type not in GTD_TARGET_TYPES:
        raise InvalidInput(f"target_type must be a GTD target code 1-22, got {c.target_type!r}", field="target_type")
    for name in ("events", "fatalities", "injured"):
        v = getattr(c, name)
        if not 0 <= v <= MAX_WEEKLY_COUNT:
            raise InvalidInput(f"{name} must be between 0 and {MAX_WEEKLY_COUNT}, got {v}", field=name)
    if monday(c.week) > monday(today):
        raise InvalidInput(f"week {c.week.isoformat()} is in the future; counts are for past weeks", field="week")


def enter_counts(sf: sessionmaker[Session], region_id: int, counts: Sequence[ManualCount], *,
                 today: dt.date | None = None) -> int:
    """Store an office's own counts (dataset 'manual'): one transaction, a cell entered again is replaced."""
    today = today or utcnow().date()
    if not counts:
        raise InvalidInput("counts must hold at least one row", field="counts")
    for c in counts:
        _check_manual(c, today)
    keys = [(monday(c.week), c.attack_type, c.target_type) for c in counts]
    if len(set(keys)) != len(keys):
        raise InvalidInput("counts repeat a week x attack_type x target_type cell; give each cell once",
                           field="counts")
    now = utcnow()
    with unit_of_work(sf) as s:
        RegionRepo(s).get(region_id)
        for c, (w, a, t) in zip(counts, keys, strict=True):
            row = s.scalar(select(WarningCount).where(
                WarningCount.region_id == region_id, WarningCount.dataset == "manual", WarningCount.week == w,
                WarningCount.attack_type == a, WarningCount.target_type == t))
            if row is None:
                row = WarningCount(region_id=region_id, dataset="manual", week=w, attack_type=a, target_type=t)
                s.add(row)
            row.events, row.fatalities, row.injured, row.updated_at = c.events, c.fatalities, c.injured, now
        s.flush()
    return len(counts)


# ---------------------------------------------------------------- series


@dataclass(frozen=True)
class SeriesSummary:
    dataset: str
    attack_type: str
    target_type: int
    site_categories: tuple[str, ...]
    weeks_with_events: int
    events: int
    first_week: dt.date
    last_week: dt.date
    open_alerts: int


def list_series(s: Session, region_id: int) -> list[SeriesSummary]:
    RegionRepo(s).get(region_id)
    c = WarningCount
    rows = s.execute(select(c.dataset, c.attack_type, c.target_type, func.count(), func.sum(c.events),
                            func.min(c.week), func.max(c.week))
                     .where(c.region_id == region_id, c.events > 0)
                     .group_by(c.dataset, c.attack_type, c.target_type)).all()
    a = WarningAlert
    open_ = dict(((d, at, tt), n) for d, at, tt, n in s.execute(
        select(a.dataset, a.attack_type, a.target_type, func.count())
        .where(a.region_id == region_id, a.status == "open").group_by(a.dataset, a.attack_type, a.target_type)))
    out = [SeriesSummary(d, at, tt, site_categories(tt), int(n), int(ev), w0, w1, int(open_.get((d, at, tt), 0)))
           for d, at, tt, n, ev, w0, w1 in rows]
    return sorted(out, key=lambda x: (-x.open_alerts, -x.events, x.dataset, x.attack_type, x.target_type))


@dataclass(frozen=True)
class SeriesData:
    key: SeriesKey
    weeks: tuple[dt.date, ...]  # dense, Monday by Monday
    events: tuple[int, ...]


def _dense(rows: Sequence[tuple[dt.date, int]], first: dt.date, last: dt.date) -> tuple[list[dt.date], list[int]]:
    n = (last - first).days // 7 + 1
    weeks = [first + dt.timedelta(weeks=i) for i in range(n)]
    counts = [0] * n
    for w, ev in rows:
        i = (w - first).days // 7
        if 0 <= i < n:
            counts[i] += ev
    return weeks, counts


def _all_series(s: Session, region_id: int, through: dt.date | None
                ) -> tuple[dict[SeriesKey, list[tuple[dt.date, int]]], dt.date | None, dt.date | None]:
    c = WarningCount
    q = select(c.dataset, c.attack_type, c.target_type, c.week, c.events).where(c.region_id == region_id)
    if through is not None:
        q = q.where(c.week <= through)
    by: dict[SeriesKey, list[tuple[dt.date, int]]] = defaultdict(list)
    first: dt.date | None = None
    last: dt.date | None = None
    for d, at, tt, w, ev in s.execute(q):
        by[(d, at, tt)].append((w, ev))
        first = w if first is None or w < first else first
        last = w if last is None or w > last else last
    return by, first, last


def series_data(s: Session, region_id: int, key: SeriesKey) -> SeriesData:
    RegionRepo(s).get(region_id)
    c = WarningCount
    rows = s.execute(select(c.week, c.events).where(c.region_id == region_id, c.dataset == key[0],
                                                    c.attack_type == key[1], c.target_type == key[2])).all()
    if not rows:
        return SeriesData(key, (), ())
    first = min(w for w, _ in rows)
    last = max(w for w, _ in rows)
    region_last = s.scalar(select(func.max(c.week)).where(c.region_id == region_id))
    weeks, counts = _dense([(w, ev) for w, ev in rows], first, max(last, region_last or last))
    return SeriesData(key, tuple(weeks), tuple(counts))
