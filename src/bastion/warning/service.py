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

import numpy as np
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.surveillance.detect import DetectorOptions
from bastion.algorithms.surveillance.detect import Method
from bastion.algorithms.surveillance.monitor import AlertEpisode
from bastion.algorithms.surveillance.monitor import HygieneOptions
from bastion.algorithms.surveillance.monitor import Resume
from bastion.algorithms.surveillance.monitor import monitor
from bastion.kernel.db.base import utcnow
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.regions.repository import RegionRepo
from bastion.risk.service import threat_setting
from bastion.warning.enums import ALERT_STATUSES
from bastion.warning.enums import ATTACK_TYPES
from bastion.warning.enums import DECISIONS
from bastion.warning.enums import LICENCE_NOTE
from bastion.warning.enums import MAX_WEEKLY_COUNT
from bastion.warning.enums import METHODS
from bastion.warning.enums import UK_LEVELS
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


# ---------------------------------------------------------------- detection


@dataclass(frozen=True)
class DetectResult:
    region_id: int
    method: str
    through: dt.date | None
    series: int
    decided: int  # series x weeks with enough baseline to decide
    alarms: int
    new_alerts: tuple[int, ...]
    extended_alerts: tuple[int, ...]
    runtime_s: float


def _next_level(level: str) -> str:
    i = UK_LEVELS.index(level) if level in UK_LEVELS else UK_LEVELS.index("SUBSTANTIAL")
    return UK_LEVELS[min(i + 1, len(UK_LEVELS) - 1)]


def recommend(ep: AlertEpisode, current_level: str) -> tuple[str, str]:
    """(action, level): raise one level on a level shift, p < 0.001 or twice the threshold; else monitor.
    A recommendation only: the posture domain decides (docs/models/warning.md)."""
    strong = ep.level_shift or (ep.p_value == ep.p_value and ep.p_value < 1e-3) or ep.observed >= 2 * max(ep.upper, 1)
    if strong and current_level != UK_LEVELS[-1]:
        return "raise", _next_level(current_level)
    return "monitor", current_level


def _evidence(key: SeriesKey, ep: AlertEpisode, weeks: Sequence[dt.date], counts: Sequence[int], method: str,
              opts: DetectorOptions) -> dict[str, object]:
    lo = max(0, ep.t_start - 12)
    return {
        "series": {"dataset": key[0], "attack_type": key[1], "target_type": key[2],
                   "site_categories": list(site_categories(key[2]))},
        "method": method, "alpha": opts.alpha if method == "farrington" else None,
        "cusum": {"k": opts.cusum_k, "h": opts.cusum_h} if method == "cusum" else None,
        "first_alarm_week": weeks[ep.t_start].isoformat(),
        "observed": ep.observed, "expected": round(ep.expected, 4), "upper": ep.upper,
        "p_value": None if ep.p_value != ep.p_value else ep.p_value, "score": round(ep.score, 4),
        "recent_weeks": [[weeks[i].isoformat(), int(counts[i])] for i in range(lo, min(len(weeks), ep.t_last + 1))],
        "alarm_weeks": [weeks[t].isoformat() for t in ep.alarm_weeks], "level_shift": ep.level_shift,
    }


def _stored_state(alerts: Sequence[WarningAlert], first: dt.date, n: int, hyg: HygieneOptions
                  ) -> tuple[np.ndarray, AlertEpisode | None, WarningAlert | None, int | None]:
    ex = np.zeros(n, dtype=bool)
    last_row: WarningAlert | None = None
    for a in alerts:
        if not a.level_shift:
            for w in a.alarm_weeks:
                i = (dt.date.fromisoformat(w) - first).days // 7
                if 0 <= i < n:
                    ex[i] = True
        if last_row is None or a.week > last_row.week:
            last_row = a
    if last_row is None:
        return ex, None, None, None
    t_start = (last_row.week - first).days // 7
    ep = AlertEpisode(t_start, (last_row.last_week - first).days // 7, last_row.observed, last_row.expected,
                      last_row.upper, last_row.p_value if last_row.p_value is not None else float("nan"),
                      last_row.score, [(dt.date.fromisoformat(w) - first).days // 7 for w in last_row.alarm_weeks],
                      last_row.peak_observed, last_row.level_shift)
    return ex, (ep if last_row.status != "closed" else None), last_row, t_start


def detect(sf: sessionmaker[Session], region_id: int, *, method: str = "farrington", weeks: int = 1,
           through: dt.date | None = None, options: DetectorOptions | None = None,
           hygiene: HygieneOptions | None = None, progress: Progress | None = None) -> DetectResult:
    """Run the detector over the last ``weeks`` weeks (up to ``through``, default the latest week with data) of
    every series of a region; store new alert episodes and extend open ones. Running it twice changes nothing."""
    if method not in METHODS:
        raise InvalidInput(f"method must be one of {list(METHODS)}, got {method!r}", field="method")
    if not 1 <= weeks <= 520:
        raise InvalidInput(f"weeks must be between 1 and 520, got {weeks}", field="weeks")
    m: Method = "cusum" if method == "cusum" else "farrington"
    opts, hyg = options or DetectorOptions(), hygiene or HygieneOptions()
    t0 = time.perf_counter()
    new_ids: list[int] = []
    ext_ids: list[int] = []
    decided = alarms = 0
    with unit_of_work(sf) as s:
        RegionRepo(s).get(region_id)
        through = monday(through) if through is not None else None
        by, first, last = _all_series(s, region_id, through)
        end = through or last
        level = threat_setting(s, region_id).uk_threat_level
        stored: dict[SeriesKey, list[WarningAlert]] = defaultdict(list)
        for a in s.scalars(select(WarningAlert).where(WarningAlert.region_id == region_id,
                                                      WarningAlert.method == method)):
            stored[(a.dataset, a.attack_type, a.target_type)].append(a)
        keys = sorted(by)
        for j, key in enumerate(keys):
            if j % 50 == 0:
                _report(progress, j / max(1, len(keys)), f"series {j + 1} of {len(keys)}")
            assert first is not None and end is not None
            wk, counts = _dense(by[key], first, end)
            n = len(wk)
            ex, ep, last_row, last_t = _stored_state(stored[key], first, n, hyg)
            start = max(0, n - weeks)
            covered = max(((a.last_week - first).days // 7 for a in stored[key]), default=-1)
            res = monitor(np.asarray(counts, dtype=np.int64), start, method=m, excluded=ex, options=opts,
                          hygiene=hyg, resume=Resume(ep, last_t, covered))
            decided += sum(d.decided for d in res.decisions)
            alarms += sum(d.alarm for d in res.decisions)
            if ep is not None and last_row is not None and (ep.t_last != (last_row.last_week - first).days // 7
                                                            or ep.level_shift != last_row.level_shift):
                last_row.last_week = wk[ep.t_last]
                last_row.alarm_weeks = [wk[t].isoformat() for t in ep.alarm_weeks]
                last_row.peak_observed = ep.peak_observed
                if ep.level_shift and not last_row.level_shift:
                    last_row.level_shift = True
                    last_row.recommended_action, last_row.recommended_level = recommend(ep, last_row.current_level)
                last_row.evidence = {**last_row.evidence, "alarm_weeks": last_row.alarm_weeks,
                                     "level_shift": ep.level_shift, "peak_observed": ep.peak_observed}
                last_row.updated_at = utcnow()
                ext_ids.append(last_row.id)
            for new in res.alerts:
                action, rec_level = recommend(new, level)
                row = WarningAlert(
                    region_id=region_id, dataset=key[0], attack_type=key[1], target_type=key[2], method=method,
                    week=wk[new.t_start], last_week=wk[new.t_last],
                    alarm_weeks=[wk[t].isoformat() for t in new.alarm_weeks], observed=new.observed,
                    peak_observed=new.peak_observed, expected=new.expected, upper=new.upper,
                    p_value=None if new.p_value != new.p_value else new.p_value, score=min(new.score, 1e9),
                    level_shift=new.level_shift,
                    suppressed_until=wk[new.t_start] + dt.timedelta(days=hyg.suppress_days), status="open",
                    current_level=level, recommended_action=action, recommended_level=rec_level,
                    evidence=_evidence(key, new, wk, counts, method, opts), decision="pending",
                    created_at=utcnow(), updated_at=utcnow())
                s.add(row)
                s.flush()
                new_ids.append(row.id)
        _report(progress, 1.0, "done")
    rt = time.perf_counter() - t0
    log.info("warning detect region %d (%s): %d series, %d alarms, %d new alerts in %.2fs", region_id, method,
             len(by), alarms, len(new_ids), rt)
    return DetectResult(region_id, method, end, len(by), decided, alarms, tuple(new_ids), tuple(ext_ids), rt)


# ---------------------------------------------------------------- alerts and posture recommendations


def list_alerts(s: Session, region_id: int, *, status: str | None = None) -> Sequence[WarningAlert]:
    RegionRepo(s).get(region_id)
    q = select(WarningAlert).where(WarningAlert.region_id == region_id)
    if status is not None:
        if status not in ALERT_STATUSES:
            raise InvalidInput(f"status must be one of {list(ALERT_STATUSES)}, got {status!r}", field="status")
        q = q.where(WarningAlert.status == status)
    return s.scalars(q.order_by(WarningAlert.week.desc(), WarningAlert.id.desc())).all()


def get_alert(s: Session, alert_id: int) -> WarningAlert:
    a = s.get(WarningAlert, alert_id)
    if a is None:
        raise NotFound(f"warning alert {alert_id} does not exist", hint="list alerts with `bastion warning alerts`")
    return a


def set_alert_status(sf: sessionmaker[Session], alert_id: int, status: str) -> WarningAlert:
    """Acknowledge or close an alert (its weeks stay out of the baselines: a known outbreak)."""
    if status not in ALERT_STATUSES:
        raise InvalidInput(f"status must be one of {list(ALERT_STATUSES)}, got {status!r}", field="status")
    with unit_of_work(sf) as s:
        a = get_alert(s, alert_id)
        a.status = status
        a.updated_at = utcnow()
        s.flush()
        s.expunge(a)
        return a


@dataclass(frozen=True)
class PostureRecommendation:
    """What the posture domain needs to put a change before an approver (nothing here applies it)."""

    alert_id: int
    region_id: int
    current_level: str
    recommended_level: str
    action: str  # monitor | raise
    site_categories: tuple[str, ...]
    attack_type: str
    evidence: dict[str, object]
    decision: str


def posture_recommendation(s: Session, alert_id: int) -> PostureRecommendation:
    a = get_alert(s, alert_id)
    return PostureRecommendation(a.id, a.region_id, a.current_level, a.recommended_level, a.recommended_action,
                                 site_categories(a.target_type), a.attack_type, dict(a.evidence), a.decision)


def record_posture_decision(sf: sessionmaker[Session], alert_id: int, decision: str, *,
                            posture_change_id: int | None = None, now: dt.datetime | None = None
                            ) -> PostureRecommendation:
    """Called by the posture domain after an authorised person approved or rejected the recommendation. Records
    the outcome only; the posture itself is changed there."""
    if decision not in DECISIONS or decision == "pending":
        raise InvalidInput(f"decision must be 'approved' or 'rejected', got {decision!r}", field="decision")
    with unit_of_work(sf) as s:
        a = get_alert(s, alert_id)
        if a.decision != "pending":
            raise InvalidInput(f"alert {alert_id}'s recommendation was already {a.decision}", field="decision")
        a.decision, a.decided_at, a.posture_change_id = decision, now or utcnow(), posture_change_id
        a.updated_at = utcnow()
        s.flush()
        return posture_recommendation(s, alert_id)
