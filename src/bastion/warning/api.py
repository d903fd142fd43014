"""Early-warning routes (thin: parse, authorize, call one service, return a schema).

Access (docs/security.md): warning:read over the region reads series, alerts, priors and backtests; warning:import
imports files, enters counts and acknowledges alerts; running detection (which stores alerts) also needs
analysis:run; the priors' site-by-site risk needs site:sensitive_read, like the risk ranking itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Query
from fastapi import Request
from fastapi import Response

from bastion.access.http import GuardDep
from bastion.access.http import region_resource
from bastion.access.http import require
from bastion.access.policy import Permission as P
from bastion.algorithms.risk.threat import GTD_TARGET_TYPES
from bastion.algorithms.surveillance.disclosure import suppress
from bastion.algorithms.surveillance.priors import ShareUpdate
from bastion.jobs.http import ACCEPTED_DOC
from bastion.jobs.http import accept
from bastion.jobs.schemas import JobRead
from bastion.kernel.db.base import utcnow
from bastion.kernel.errors import InvalidInput
from bastion.kernel.http import IdPath
from bastion.kernel.http import SessionDep
from bastion.kernel.http import SessionFactoryDep
from bastion.kernel.pagination import PageDep
from bastion.regions.repository import RegionRepo
from bastion.sites.guards import region_in_scope
from bastion.warning import alerts as alerts_svc
from bastion.warning import analysis
from bastion.warning import cap
from bastion.warning import render
from bastion.warning import service as svc
from bastion.warning.enums import MAX_UPLOAD_BYTES
from bastion.warning.enums import target_label
from bastion.warning.jobs import DETECT as DETECT_JOB
from bastion.warning.schemas import AlertList
from bastion.warning.schemas import AlertRead
from bastion.warning.schemas import AlertUpdate
from bastion.warning.schemas import AttackType
from bastion.warning.schemas import BacktestAlertRead
from bastion.warning.schemas import BacktestRead
from bastion.warning.schemas import DetectCreate
from bastion.warning.schemas import ManualCountsCreate
from bastion.warning.schemas import ManualCountsRead
from bastion.warning.schemas import PriorsRead
from bastion.warning.schemas import SeriesDataRead
from bastion.warning.schemas import SeriesList
from bastion.warning.schemas import SeriesRead
from bastion.warning.schemas import ShareRead
from bastion.warning.schemas import SiteRiskChangeRead
from bastion.warning.schemas import WarningImportCreate
from bastion.warning.schemas import WarningImportList
from bastion.warning.schemas import WarningImportRead

router = APIRouter(prefix="/api/v1", tags=["warning"])
READ, IMPORT = require(P.WARNING_READ), require(P.WARNING_IMPORT)


def _alert_in_scope(session: SessionDep, guard: GuardDep, alert_id: int, permission: P) -> None:
    a = alerts_svc.get_alert(session, alert_id)
    guard.check(permission, region_resource(a.region_id), object_type="warning_alert", object_id=alert_id)


def _import_read(r: svc.ImportResult) -> WarningImportRead:
    return WarningImportRead(id=r.import_id, region_id=r.region_id, dataset=r.dataset, sha256=r.sha256,
                             duplicate=r.duplicate, rows_read=r.rows_read, rows_used=r.rows_used,
                             rows_undated=r.rows_undated, rows_filtered=r.rows_filtered, cells=r.cells,
                             columns_kept=list(r.columns_kept), columns_dropped=r.columns_dropped,
                             first_week=r.first_week, last_week=r.last_week, runtime_s=r.runtime_s)


@router.post("/regions/{region_id}/warning/imports", response_model=WarningImportRead, status_code=201,
             dependencies=[IMPORT])
def import_csv(region_id: IdPath, body: WarningImportCreate, sf: SessionFactoryDep, session: SessionDep,
               guard: GuardDep) -> WarningImportRead:
    region_in_scope(session, guard, region_id, P.WARNING_IMPORT)
    data = body.csv.encode("utf-8")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"csv must be at most {MAX_UPLOAD_BYTES // 2**20} MiB; use `bastion warning import`",
                           field="csv")
    return _import_read(svc.import_bytes(sf, region_id, data, body.format, body.file_label, country=body.country))


@router.get("/regions/{region_id}/warning/imports", response_model=WarningImportList, dependencies=[READ])
def list_imports(region_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep) -> WarningImportList:
    region_in_scope(session, guard, region_id, P.WARNING_READ)
    rows = svc.list_imports(session, region_id)
    return WarningImportList.mapped(rows, page, lambda i: WarningImportRead(
        id=i.id, region_id=i.region_id, dataset=i.dataset, sha256=i.sha256, duplicate=False, rows_read=i.rows_read,
        rows_used=i.rows_used, rows_undated=i.rows_undated, rows_filtered=i.rows_filtered, cells=i.cells,
        columns_kept=list(i.columns_kept), columns_dropped=i.columns_dropped, first_week=i.first_week,
        last_week=i.last_week))


@router.post("/regions/{region_id}/warning/counts", response_model=ManualCountsRead, status_code=201,
             dependencies=[IMPORT])
def enter_counts(region_id: IdPath, body: ManualCountsCreate, sf: SessionFactoryDep, session: SessionDep,
                 guard: GuardDep) -> ManualCountsRead:
    region_in_scope(session, guard, region_id, P.WARNING_IMPORT)
    rows = [svc.ManualCount(svc.parse_week(c.week), c.attack_type, c.target_type, c.events, c.fatalities, c.injured)
            for c in body.counts]
    return ManualCountsRead(region_id=region_id, stored=svc.enter_counts(sf, region_id, rows))


@router.get("/regions/{region_id}/warning/series", response_model=SeriesList, dependencies=[READ])
def list_series(region_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep) -> SeriesList:
    region_in_scope(session, guard, region_id, P.WARNING_READ)
    return SeriesList.mapped(svc.list_series(session, region_id), page, lambda x: SeriesRead(
        dataset=x.dataset, attack_type=x.attack_type, target_type=x.target_type,
        target_label=target_label(x.target_type), site_categories=list(x.site_categories),
        events=suppress(x.events), weeks_with_events=x.weeks_with_events, first_week=x.first_week,
        last_week=x.last_week, open_alerts=x.open_alerts))


@router.get("/regions/{region_id}/warning/series-data", response_model=SeriesDataRead, dependencies=[READ])
def series_data(region_id: IdPath, session: SessionDep, guard: GuardDep,
                dataset: Annotated[str, Query(pattern="^(gtd|acled|manual)$")],
                attack_type: AttackType,
                target_type: Annotated[int, Query(ge=1, le=22)]) -> SeriesDataRead:
    region_in_scope(session, guard, region_id, P.WARNING_READ)
    d = svc.series_data(session, region_id, (dataset, attack_type, target_type))
    alerts = [AlertRead(**render.alert_dict(a)) for a in alerts_svc.list_alerts(session, region_id)
              if (a.dataset, a.attack_type, a.target_type) == d.key]
    return SeriesDataRead(dataset=dataset, attack_type=attack_type, target_type=target_type, weeks=list(d.weeks),
                          events=[suppress(c) for c in d.events], alerts=alerts)


@router.post("/regions/{region_id}/warning/detect", response_model=JobRead, status_code=202,
             dependencies=[require(P.WARNING_READ, P.ANALYSIS_RUN)], responses=ACCEPTED_DOC)
def detect(region_id: IdPath, body: DetectCreate, request: Request, response: Response, session: SessionDep,
           guard: GuardDep) -> JobRead:
    """Queue the detector over the last `weeks` weeks of every series of the region: 202 with Location
    /api/v1/jobs/{id}; the job's result counts series, decisions and alarms and lists new and extended alerts
    (a re-run stores nothing new)."""
    region_in_scope(session, guard, region_id, P.WARNING_READ)
    region_in_scope(session, guard, region_id, P.ANALYSIS_RUN)
    params = {"region_id": region_id, "method": body.method, "weeks": body.weeks,
              "through": body.through.isoformat() if body.through is not None else None}
    return accept(request, response, DETECT_JOB, params, region_id=region_id)


@router.get("/regions/{region_id}/warning/alerts", response_model=AlertList, dependencies=[READ])
def list_alerts(region_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep,
                status: Annotated[str | None, Query(pattern="^(open|acknowledged|closed)$")] = None) -> AlertList:
    region_in_scope(session, guard, region_id, P.WARNING_READ)
    return AlertList.mapped(alerts_svc.list_alerts(session, region_id, status=status), page,
                            lambda a: AlertRead(**render.alert_dict(a)))


@router.get("/warning/alerts/{alert_id}", response_model=AlertRead, dependencies=[READ])
def get_alert(alert_id: IdPath, session: SessionDep, guard: GuardDep) -> AlertRead:
    _alert_in_scope(session, guard, alert_id, P.WARNING_READ)
    return AlertRead(**render.alert_dict(alerts_svc.get_alert(session, alert_id)))


@router.patch("/warning/alerts/{alert_id}", response_model=AlertRead, dependencies=[IMPORT])
def patch_alert(alert_id: IdPath, body: AlertUpdate, sf: SessionFactoryDep, session: SessionDep,
                guard: GuardDep) -> AlertRead:
    _alert_in_scope(session, guard, alert_id, P.WARNING_IMPORT)
    return AlertRead(**render.alert_dict(alerts_svc.set_alert_status(sf, alert_id, body.status)))


@router.get("/warning/alerts/{alert_id}/cap", response_model=None, dependencies=[READ],
            responses={200: {"description": "the alert as an OASIS CAP 1.2 message (scope Restricted)",
                             "content": {"application/cap+xml": {"schema": {"type": "string"}}}}})
def alert_cap(alert_id: IdPath, session: SessionDep, guard: GuardDep) -> Response:
    _alert_in_scope(session, guard, alert_id, P.WARNING_READ)
    a = alerts_svc.get_alert(session, alert_id)
    xml = cap.alert_xml(a, RegionRepo(session).get(a.region_id).name, sent=utcnow())
    return Response(xml, media_type="application/cap+xml", headers={
        "Content-Disposition": f'attachment; filename="warning-alert-{alert_id}.cap.xml"', "Cache-Control": "no-store"})


def _share(u: ShareUpdate, label: str) -> ShareRead:
    return ShareRead(key=u.key, label=label, prior=u.prior, local_count=suppress(u.local_count),
                     posterior=u.posterior, lower=u.lower, upper=u.upper)


@router.get("/regions/{region_id}/warning/priors", response_model=PriorsRead,
            dependencies=[require(P.WARNING_READ, P.SITE_SENSITIVE_READ)])
def priors(region_id: IdPath, session: SessionDep, guard: GuardDep,
           target_weight: Annotated[float, Query(ge=0, le=1e7, description="prior weight, pseudo-incidents")] = 200.0,
           mix_weight: Annotated[float, Query(ge=0, le=1e7, description="mix prior weight, pseudo-incidents")] = 50.0,
           ) -> PriorsRead:
    region_in_scope(session, guard, region_id, P.WARNING_READ)
    region_in_scope(session, guard, region_id, P.SITE_SENSITIVE_READ, "warning_priors_risk")
    c = analysis.compare_priors(session, region_id, target_weight=target_weight, mix_weight=mix_weight)
    u = c.update
    return PriorsRead(
        region_id=region_id, since=c.since, n_local=suppress(u.n_local), target_weight=u.target_weight,
        mix_weight=u.mix_weight,
        target_shares=[_share(x, GTD_TARGET_TYPES.get(int(x.key), x.key)) for x in u.target_shares],
        mix={str(k): [_share(x, x.key) for x in v] for k, v in u.mix.items()},
        sites=[SiteRiskChangeRead(**x.__dict__) for x in c.sites])


@router.get("/regions/{region_id}/warning/backtest", response_model=BacktestRead, dependencies=[READ])
def backtest(region_id: IdPath, session: SessionDep, guard: GuardDep,
             month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")],
             method: Annotated[str, Query(pattern="^(farrington|cusum)$")] = "farrington",
             horizon_weeks: Annotated[int, Query(ge=1, le=26)] = 4) -> BacktestRead:
    region_in_scope(session, guard, region_id, P.WARNING_READ)
    b = analysis.backtest(session, region_id, month, method=method, horizon_weeks=horizon_weeks)
    return BacktestRead(
        region_id=region_id, month=b.month, method=b.method, horizon_weeks=b.horizon_weeks, series=b.series,
        weeks_decided=b.weeks_decided, alarm_weeks=b.alarm_weeks, followed_share=b.followed_share,
        runtime_s=b.runtime_s,
        alerts=[BacktestAlertRead(dataset=a.dataset, attack_type=a.attack_type, target_type=a.target_type,
                                  week=a.week, observed=suppress(a.observed), expected=a.expected, upper=a.upper,
                                  level_shift=a.level_shift, events_after=suppress(a.events_after),
                                  followed=a.followed) for a in b.alerts])
