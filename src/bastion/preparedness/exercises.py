"""The exercise cycle (HSEEP): programme and calendar, model-driven injects (MSEL), evaluation with P/S/M/U
ratings and observed-vs-modelled times, after-action report and improvement plan -> rectification tasks, and
drill results -> the site's vulnerability (algorithms/preparedness/drills.py). Every record is mode EXERCISE
and lives in the ``exercises`` table only: no real view, count or report reads it."""

from __future__ import annotations

import datetime as dt
import logging
import math
import uuid
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.models import Agency
from bastion.algorithms.preparedness.assembly import STANDOFF_M
from bastion.algorithms.preparedness.calendar import EXERCISE_TYPES
from bastion.algorithms.preparedness.calendar import CalendarRule
from bastion.algorithms.preparedness.calendar import ExerciseEvent
from bastion.algorithms.preparedness.calendar import check_calendar
from bastion.algorithms.preparedness.calendar import propose
from bastion.algorithms.preparedness.drills import drill_effect
from bastion.algorithms.preparedness.plans import POSITIONS
from bastion.algorithms.preparedness.plans import check_free_text
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.preparedness import calendar_packs
from bastion.preparedness import drafting
from bastion.preparedness import service as svc
from bastion.preparedness.enums import CORE_CAPABILITIES
from bastion.preparedness.enums import DRILL_PROCEDURES
from bastion.preparedness.enums import LATE_FACTOR
from bastion.preparedness.enums import MODE
from bastion.preparedness.enums import POETE
from bastion.preparedness.enums import RATINGS
from bastion.preparedness.enums import WEAK_RATINGS
from bastion.preparedness.models import Exercise
from bastion.regions.repository import RegionRepo
from bastion.risk import service as risk_svc
from bastion.sites.models import Site
from bastion.sites.models import SiteMeasure
from bastion.supervision.models import Inspection
from bastion.supervision.models import RectificationTask
from bastion.supervision.repository import add_task

log = logging.getLogger(__name__)

EXERCISE_ITEM_PREFIX = "exercise:"
AAR_AGENCY = "after-action report (exercise)"
CALL_DELAY_S = 60  # modelled time from the attack to the call reaching the emergency services (ASSUMPTION)
MAX_TEXT = 500


def _text(v: object, where: str, *, max_len: int = MAX_TEXT) -> str:
    """Free text of an exercise record: never a contact detail (plans.check_free_text)."""
    return check_free_text(v, where, max_len=max_len)


def get_exercise(s: Session, exercise_id: int) -> Exercise:
    e = s.get(Exercise, exercise_id)
    if e is None:
        raise NotFound(f"exercise {exercise_id} does not exist")
    return e


def list_exercises(s: Session, region_id: int, *, year: int | None = None) -> list[Exercise]:
    RegionRepo(s).get(region_id)
    q = select(Exercise).where(Exercise.region_id == region_id)
    rows = list(s.scalars(q.order_by(Exercise.start, Exercise.id)))
    return [e for e in rows if year is None or e.start.year == year]


def _check_objectives(objectives: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    out = []
    for i, o in enumerate(objectives):
        cap = o.get("capability")
        if cap not in CORE_CAPABILITIES:
            raise InvalidInput(f"objectives[{i}].capability must be one of {list(CORE_CAPABILITIES)}, got {cap!r}",
                               field=f"objectives[{i}].capability")
        out.append({"objective": _text(o.get("objective"), f"objectives[{i}].objective"), "capability": str(cap)})
    return out


def _check_sites(s: Session, region_id: int, site_ids: Sequence[int]) -> list[int]:
    if not site_ids:
        raise InvalidInput("site_ids must name at least one site of the region", field="site_ids")
    ids = list(dict.fromkeys(int(i) for i in site_ids))
    found = {i: r for i, r in s.execute(select(Site.id, Site.region_id).where(Site.id.in_(ids)))}
    bad = [i for i in ids if found.get(i) != region_id]
    if bad:
        raise InvalidInput(f"site_ids {bad} are not sites of region {region_id}", field="site_ids")
    return ids


def create_exercise(sf: sessionmaker[Session], region_id: int, **kw: Any) -> Exercise:
    """Add an exercise to the region's programme (see ``add_exercise`` for the fields)."""
    with unit_of_work(sf) as s:
        return add_exercise(s, region_id, **kw)


def validated(s: Session, region_id: int, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The exercise's fields (name, type, start, end, site_ids, agencies, objectives, threat), checked and
    normalised (InvalidInput names the field)."""
    unknown = set(fields) - {"name", "type", "start", "end", "site_ids", "agencies", "objectives", "threat"}
    if unknown:
        raise InvalidInput(f"unknown exercise fields {sorted(unknown)}", field=sorted(unknown)[0])
    name, start, end = fields.get("name"), fields.get("start"), fields.get("end")
    if not isinstance(start, dt.datetime) or not isinstance(end, dt.datetime):
        raise InvalidInput("start and end must be date-times with a zone", field="start")
    agencies, objectives = fields.get("agencies", ()), fields.get("objectives", ())
    threat, site_ids = fields.get("threat"), fields.get("site_ids", ())
    ev = ExerciseEvent("new", str(fields.get("type")), start, end, ())  # validates type, timezones and order
    if threat is not None:
        svc.check_threat(threat)
    if not isinstance(agencies, list | tuple):
        raise InvalidInput("agencies must be a list of agency names", field="agencies")
    if not isinstance(objectives, list | tuple):
        raise InvalidInput("objectives must be a list of {objective, capability}", field="objectives")
    RegionRepo(s).get(region_id)
    return {"name": _text(name, "name", max_len=200), "type": ev.type, "start": start, "end": end,
            "site_ids": _check_sites(s, region_id, site_ids),
            "agencies": [_text(a, f"agencies[{i}]", max_len=200) for i, a in enumerate(agencies)],
            "objectives": _check_objectives(objectives), "threat": threat}


def add_exercise(s: Session, region_id: int, *, now: dt.datetime, owner_agency_id: int | None = None,
                 uid: str | None = None, **fields: Any) -> Exercise:
    """Validate and add (no commit: the caller's unit of work)."""
    svc.check_now(now)
    v = validated(s, region_id, fields)
    uid = uid or f"bastion-exercise-{uuid.uuid4()}"
    if s.scalar(select(Exercise.id).where(Exercise.uid == uid)) is not None:
        raise Conflict(f"an exercise with uid {uid!r} already exists")
    e = Exercise(region_id=region_id, uid=uid, mode=MODE, status="planned", msel=[], evaluation={}, aar={},
                 owner_agency_id=owner_agency_id, created_at=now, **v)
    s.add(e)
    s.flush()
    return e


# ---------------------------------------------------------------- calendar


def region_site_tiers(s: Session, region_id: int) -> dict[int, list[tuple[str, str]]]:
    rr = risk_svc.region_risk(s, region_id)
    return {sid: [(t.standard_id, t.tier) for t in ts if t.status == "tiered" and t.tier]
            for sid, ts in rr.tiers.items()}


def events_of(rows: Sequence[Exercise]) -> list[ExerciseEvent]:
    return [ExerciseEvent(str(e.id), e.type, e.start, e.end, tuple(e.site_ids), tuple(e.agencies)) for e in rows]


def calendar(s: Session, region_id: int, *, first_year: int, years: int,
             rules: Sequence[CalendarRule] | None = None) -> dict[str, Any]:
    """The programme over ``years`` from ``first_year``: exercises, rule gaps, conflicts, and proposals that fill
    every gap (nothing stored). ``rules``: the region's rule pack (its own, else the bundled default)."""
    pack_id, pack_source = "", "given"
    if rules is None:
        pack, pack_source = calendar_packs.region_pack(s, region_id)
        rules, pack_id = pack.rules, f"{pack.id}@{pack.version}"
    tiers = region_site_tiers(s, region_id)
    rows = list_exercises(s, region_id)
    evs = events_of(rows)
    chk = check_calendar(tiers, rules, evs, first_year=first_year, years=years)
    props = propose(tiers, rules, evs, first_year=first_year, years=years)
    return {"region_id": region_id, "first_year": first_year, "years": years, "mode": MODE,
            "pack": pack_id, "pack_source": pack_source,
            "rules": [{"id": r.id, "standard_id": r.standard_id, "tiers": list(r.tiers), "period": r.period,
                       "min_count": r.min_count, "types": list(r.types), "label": r.label, "source": r.source,
                       "assumption": r.assumption} for r in rules],
            "exercises": rows, "gaps": chk.gaps, "conflicts": chk.conflicts, "proposals": props}


def schedule_proposals(sf: sessionmaker[Session], region_id: int, *, first_year: int, years: int, now: dt.datetime,
                       owner_agency_id: int | None = None) -> list[Exercise]:
    """Store the proposals of ``calendar`` as planned exercises (idempotent: a second run finds no gap)."""
    with sf() as s:
        props = calendar(s, region_id, first_year=first_year, years=years)["proposals"]
    with unit_of_work(sf) as s:
        return [add_exercise(s, region_id, name=f"{p.type.replace('_', ' ').capitalize()} ({p.id.split('-')[2]})",
                             type=p.type, start=p.start, end=p.end, site_ids=list(p.site_ids),
                             owner_agency_id=owner_agency_id, now=now) for p in props]


# ---------------------------------------------------------------- injects


def _inject(n: int, offset_s: float, synopsis: str, to: str, expected: str, capability: str, *,
            key: str, args: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """One MSEL line; ``key`` + ``args``: the synopsis as an i18n key (prep.inject.*) for the page's language."""
    return {"no": n, "offset_s": round(offset_s), "mode": MODE, "synopsis": synopsis, "from": "controller",
            "to": to, "expected_action": expected, "capability": capability, "key": f"prep.inject.{key}",
            "args": dict(args), **extra}


def build_msel(d: drafting.RegionData, site_id: int, threat: str) -> list[dict[str, Any]]:
    """The master scenario events list from Bastion's models: the attack (with the vehicle approach and impact
    speed for vehicle_as_weapon), the call, each nearest unit's modelled arrival, the cordon and the people
    inside it, and the modelled end of the evacuation."""
    site = d.sites[site_id]
    name = site.name or f"site {site_id}"
    msel: list[dict[str, Any]] = []
    first = f"EXERCISE: {threat} at {name}"
    if threat == "vehicle_as_weapon" and d.corridors.get(site_id):
        fastest = max(d.corridors[site_id], key=lambda c: c["impact_speed_kph"])
        first += f"; vehicle approach to entry {fastest['entry']['lat']:.5f},{fastest['entry']['lon']:.5f} at " \
                 f"{fastest['impact_speed_kph']:.0f} km/h (modelled impact speed)"
        msel.append(_inject(1, 0, first, "security_lead", "invacuate / lockdown decision within 2 min",
                            "physical_protective_measures", impact_speed_kph=fastest["impact_speed_kph"],
                            key="vehicle", args={"threat": threat, "site": name,
                                                 "speed": round(fastest["impact_speed_kph"])}))
    else:
        msel.append(_inject(1, 0, first, "duty_manager", "decide evacuation, invacuation or lockdown",
                            "operational_coordination", key="attack", args={"threat": threat, "site": name}))
    msel.append(_inject(2, CALL_DELAY_S, "EXERCISE: call reaches the emergency services", "control_room_operator",
                        "give location, threat and people present (M/ETHANE)", "operational_communications",
                        key="call", args={}))
    for u in d.unit_rows.get(site_id, []):
        msel.append(_inject(len(msel) + 1, CALL_DELAY_S + u["travel_time_s"],
                            f"EXERCISE: {u['name']} on scene (modelled)", "security_lead",
                            "hand over to the first unit; record the observed arrival time",
                            "on_scene_security_protection_and_law_enforcement", unit=u["name"],
                            modelled_travel_s=u["travel_time_s"], key="unit", args={"unit": u["name"]}))
    radius = STANDOFF_M.get(threat, 100.0)
    sx, sy = d.xy[site_id]
    inside = sum(d.people.get(i, 0) for i, (x, y) in d.xy.items()
                 if i in d.people and math.hypot(x - sx, y - sy) <= radius)
    msel.append(_inject(len(msel) + 1, CALL_DELAY_S + (d.unit_rows.get(site_id) or [{"travel_time_s": 300}])[0][
        "travel_time_s"] + 300, f"EXERCISE: cordon at {radius:.0f} m; about {inside} people inside (modelled)",
        "security_lead", "set the cordon; move people outside it", "on_scene_security_protection_and_law_enforcement",
        cordon_m=radius, people_inside=inside, key="cordon", args={"radius": round(radius), "people": inside}))
    widths = [e.width_m for e in d.exits.get(site_id, [])]
    if widths:
        est = svc.evacuation_estimate(d.people[site_id], widths)
        msel.append(_inject(len(msel) + 1, est["time_min"] * 60, "EXERCISE: evacuation complete (modelled)",
                            "duty_manager", "confirm the count at the assembly points", "mass_care_services",
                            modelled_evacuation_min=est["time_min"], key="evacuated", args={}))
    for h in d.hospital_rows.get(site_id, [])[:1]:
        msel.append(_inject(len(msel) + 1, CALL_DELAY_S + h["travel_time_s"],
                            f"EXERCISE: casualty transfer to {h['name']} ({h['travel_time_s']} s by road)",
                            "first_aider", "triage and hand over", "public_health_healthcare_and_ems",
                            key="hospital", args={"hospital": h["name"], "seconds": h["travel_time_s"]}))
    msel.sort(key=lambda i: (i["offset_s"], i["no"]))
    for n, i in enumerate(msel, 1):
        i["no"] = n
    return msel


def generate_msel(sf: sessionmaker[Session], exercise_id: int) -> Exercise:
    with unit_of_work(sf) as s:
        e = get_exercise(s, exercise_id)
        if e.status == "finalised":
            raise Conflict(f"exercise {exercise_id} is finalised")
        threat = e.threat or "marauding_attack"
        site_id = int(e.site_ids[0])
        d = drafting.load_region(s, e.region_id, [site_id])
        e.msel = build_msel(d, site_id, threat)
        s.flush()
        return e


# ---------------------------------------------------------------- evaluation, AAR


def arrival_table(msel: Sequence[Mapping[str, Any]], observed_s: Mapping[str, float]) -> list[dict[str, Any]]:
    """Per modelled unit arrival: observed vs modelled travel time; late when observed > 2 x modelled."""
    out = []
    for i in msel:
        if "unit" not in i:
            continue
        obs = observed_s.get(i["unit"])
        mod = float(i["modelled_travel_s"])
        out.append({"unit": i["unit"], "modelled_s": mod, "observed_s": obs,
                    "ratio": None if obs is None or mod <= 0 else round(obs / mod, 2),
                    "late": obs is not None and obs > LATE_FACTOR * mod})
    return out


def evaluate(sf: sessionmaker[Session], exercise_id: int, *, ratings: Mapping[str, str],
             observed_arrivals_s: Mapping[str, float] | None = None,
             drills: Sequence[Mapping[str, Any]] = (), notes: Sequence[str] = ()) -> Exercise:
    """Record the evaluation: a P/S/M/U rating per core capability, observed unit arrivals (seconds from the
    call) and drill results [{procedure, observed_s, target_s}]."""
    for cap, r in ratings.items():
        if cap not in CORE_CAPABILITIES:
            raise InvalidInput(f"ratings has {cap!r}; capabilities are {list(CORE_CAPABILITIES)}", field="ratings")
        if r not in RATINGS:
            raise InvalidInput(f"ratings[{cap}] must be one of {list(RATINGS)}, got {r!r}", field=f"ratings.{cap}")
    obs = dict(observed_arrivals_s or {})
    for k, v in obs.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 86_400:
            raise InvalidInput(f"observed_arrivals_s[{k}] must be seconds from 0 to 86400", field="observed_arrivals_s")
    checked = []
    for i, dr in enumerate(drills):
        eff = drill_effect(str(dr.get("procedure")), float(dr.get("observed_s", 0)), float(dr.get("target_s", 0)))
        checked.append({"procedure": dr["procedure"], "observed_s": float(dr["observed_s"]),
                        "target_s": float(dr["target_s"]), "outcome": eff.outcome, "ratio": round(eff.ratio, 2)})
        del i
    with unit_of_work(sf) as s:
        e = get_exercise(s, exercise_id)
        if e.status == "finalised":
            raise Conflict(f"exercise {exercise_id} is finalised; its evaluation can no longer change")
        units = {i["unit"] for i in e.msel if "unit" in i}
        unknown = sorted(set(obs) - units)
        if unknown:
            raise InvalidInput(f"observed_arrivals_s names {unknown}, not units of the exercise's injects "
                               f"({sorted(units)}); generate the injects first", field="observed_arrivals_s")
        e.evaluation = {"ratings": dict(ratings), "arrivals": arrival_table(e.msel, obs), "drills": checked,
                        "notes": [_text(n, f"notes[{j}]") for j, n in enumerate(notes)]}
        e.status = "evaluated"
        s.flush()
        return e


def set_aar(sf: sessionmaker[Session], exercise_id: int, *, strengths: Sequence[str],
            improvements: Sequence[Mapping[str, Any]], now: dt.datetime) -> Exercise:
    """The after-action report: strengths and areas for improvement; each improvement item names the
    capability, the issue, the corrective action, its POETE element, the owner agency and a due date."""
    svc.check_now(now)
    items = []
    for i, it in enumerate(improvements):
        w = f"improvements[{i}]"
        cap = it.get("capability")
        if cap not in CORE_CAPABILITIES:
            raise InvalidInput(f"{w}.capability must be a core capability, got {cap!r}", field=f"{w}.capability")
        el = it.get("element", "planning")
        if el not in POETE:
            raise InvalidInput(f"{w}.element must be one of {list(POETE)}, got {el!r}", field=f"{w}.element")
        due = it.get("due")
        try:
            due_d = dt.date.fromisoformat(str(due))
        except ValueError:
            raise InvalidInput(f"{w}.due must be a date YYYY-MM-DD, got {due!r}", field=f"{w}.due") from None
        if due_d <= now.date():
            raise InvalidInput(f"{w}.due must be in the future, got {due_d}", field=f"{w}.due")
        pos = it.get("position")
        if pos is not None and pos not in POSITIONS:
            raise InvalidInput(f"{w}.position must be a position, one of {list(POSITIONS)}", field=f"{w}.position")
        items.append({"capability": cap, "issue": _text(it.get("issue"), f"{w}.issue"),
                      "corrective_action": _text(it.get("corrective_action"), f"{w}.corrective_action"),
                      "element": el, "owner_agency": svc.agency_text(it.get("owner_agency"), f"{w}.owner_agency"),
                      "due": due_d.isoformat(), "site_id": it.get("site_id"), "position": pos})
    with unit_of_work(sf) as s:
        e = get_exercise(s, exercise_id)
        if e.status == "finalised":
            raise Conflict(f"exercise {exercise_id} is finalised; its report can no longer change")
        for it in items:
            if it["site_id"] is not None and it["site_id"] not in e.site_ids:
                raise InvalidInput(f"improvement site_id {it['site_id']} is not a site of the exercise",
                                   field="improvements.site_id")
        e.aar = {"strengths": [_text(x, f"strengths[{j}]") for j, x in enumerate(strengths)], "improvements": items}
        s.flush()
        return e


def uncovered_weak(e: Exercise) -> list[str]:
    """Capabilities rated M or U without a corrective action in the improvement plan (finalising is refused)."""
    weak = sorted(c for c, r in (e.evaluation or {}).get("ratings", {}).items() if r in WEAK_RATINGS)
    covered = {i["capability"] for i in (e.aar or {}).get("improvements", []) if i.get("corrective_action")}
    return [c for c in weak if c not in covered]


def _apply_drills(s: Session, e: Exercise, now: dt.datetime) -> list[dict[str, Any]]:
    """The documented drill rule (drills.py) on every site of the exercise."""
    out = []
    for dr in (e.evaluation or {}).get("drills", []):
        eff = drill_effect(dr["procedure"], dr["observed_s"], dr["target_s"])
        for sid in e.site_ids:
            if eff.record_drill_date:
                row = s.scalar(select(SiteMeasure).where(SiteMeasure.site_id == sid, SiteMeasure.kind == "drills"))
                dates = sorted({*(row.params.get("dates", []) if row else []), e.end.date().isoformat()})
                risk_svc.upsert_measure(s, sid, "drills", {"dates": dates}, source="exercise", now=now)
            if eff.record_procedure:
                risk_svc.upsert_measure(s, sid, eff.measure, {}, source="exercise", now=now)
            if eff.remove_procedure:
                row = s.scalar(select(SiteMeasure).where(SiteMeasure.site_id == sid, SiteMeasure.kind == eff.measure))
                if row is not None:
                    s.delete(row)
            out.append({"site_id": sid, "procedure": dr["procedure"], "outcome": eff.outcome,
                        "rule": eff.rule_version})
    s.flush()
    return out


def finalise(sf: sessionmaker[Session], exercise_id: int, *, now: dt.datetime,
             actor_account_id: int | None = None) -> tuple[Exercise, list[int]]:
    """Close the exercise: refused while a weak-rated capability has no corrective action; each improvement
    item becomes a rectification task (idempotent by item id); drill results update the sites' measures."""
    svc.check_now(now)
    with unit_of_work(sf) as s:
        e = get_exercise(s, exercise_id)
        if e.status == "finalised":
            raise Conflict(f"exercise {exercise_id} is already finalised")
        if e.status != "evaluated":
            raise Conflict(f"exercise {exercise_id} has no evaluation: record ratings before finalising")
        missing = uncovered_weak(e)
        if missing:
            raise Conflict(f"exercise {exercise_id}: capabilities rated M or U have no corrective action: {missing}; "
                           "add an improvement item for each before finalising")
        items = (e.aar or {}).get("improvements", [])
        task_ids: list[int] = []
        if items:
            insp_by_site: dict[int, Inspection] = {}
            for n, it in enumerate(items):
                sid = int(it.get("site_id") or e.site_ids[0])
                key = f"{EXERCISE_ITEM_PREFIX}{e.id}:{n}"
                if s.scalar(select(RectificationTask.id).where(RectificationTask.item_id == key)) is not None:
                    continue
                if sid not in insp_by_site:
                    insp_by_site[sid] = Inspection(site_id=sid, status="completed",
                                                   inspector_account_id=actor_account_id, inspector_agency=AAR_AGENCY,
                                                   standard_versions=risk_svc.standard_versions(), started_at=now,
                                                   completed_at=now)
                    s.add(insp_by_site[sid])
                    s.flush()
                ag_id = s.scalar(select(Agency.id).where(Agency.name == it["owner_agency"]))
                t = add_task(s, site_id=sid, inspection_id=insp_by_site[sid].id, item_id=key,
                             measure=f"aar_{it['element']}", standard_id="hseep_improvement_plan",
                             text=(f"{e.name}: {it['capability']}: {it['corrective_action']} "
                                   f"(issue: {it['issue']})")[:2000],
                             owner_agency=it["owner_agency"], owner_agency_id=ag_id,
                             deadline=dt.datetime.fromisoformat(it["due"]).replace(tzinfo=dt.UTC), now=now,
                             actor_account_id=actor_account_id, detail=f"improvement plan of exercise {e.id}")
                task_ids.append(t.id)
        applied = _apply_drills(s, e, now)
        e.aar = {**(e.aar or {}), "task_ids": task_ids, "drill_updates": applied}
        e.status, e.finalised_at = "finalised", now
        s.flush()
        log.info("exercise %d finalised: %d tasks, %d drill updates", e.id, len(task_ids), len(applied))
        return e, task_ids


__all__ = ["DRILL_PROCEDURES", "EXERCISE_TYPES", "add_exercise", "arrival_table", "build_msel", "calendar",
           "create_exercise", "evaluate", "finalise", "generate_msel", "get_exercise", "list_exercises",
           "schedule_proposals", "set_aar", "uncovered_weak"]
