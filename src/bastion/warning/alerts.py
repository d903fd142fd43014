"""Alert use cases: detection over a region's stored series (new alert episodes stored, open ones extended), alert
status, and the posture *recommendation* each alert carries. Nothing here changes a posture: the posture domain
reads ``posture_recommendation`` and records its approver's outcome with ``record_posture_decision``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
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
from bastion.warning.enums import DECISIONS
from bastion.warning.enums import METHODS
from bastion.warning.enums import UK_LEVELS
from bastion.warning.enums import site_categories
from bastion.warning.models import WarningAlert
from bastion.warning.parse import monday
from bastion.warning.service import Progress
from bastion.warning.service import SeriesKey
from bastion.warning.service import _all_series
from bastion.warning.service import _dense
from bastion.warning.service import _report

log = logging.getLogger(__name__)

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
