"""Patrol plan exports: CSV, JSON, printable HTML with one inline-SVG map per team and day (no JS, no CDN)."""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from sqlalchemy.orm import Session

from bastion.kernel.csvsafe import LINE_TERMINATOR
from bastion.kernel.csvsafe import cell
from bastion.kernel.geo import LocalProjection
from bastion.kernel.i18n import translator
from bastion.patrol.enums import TEAM_COLOURS
from bastion.patrol.models import PatrolPlan
from bastion.patrol.service import StopRow
from bastion.patrol.service import TeamSchedule
from bastion.patrol.service import get_plan
from bastion.patrol.service import schedules
from bastion.regions.repository import RegionRepo
from bastion.regions.repository import RoadRepo

COLOURS = TEAM_COLOURS  # the map draws teams in the same colours (GET /api/v1/meta team_colours)
# one column per StopRow field, after the plan id: the header and the rows come from the same list
CSV_FIELDS = ("plan_id", *(f.name for f in dataclasses.fields(StopRow)))


def plan_summary(plan: PatrolPlan, region_name: str) -> dict[str, Any]:
    return {
        "id": plan.id, "region_id": plan.region_id, "region": region_name, "teams": plan.teams,
        "shift": f"{plan.shift_start}-{plan.shift_end}", "days": plan.days, "seed": plan.seed,
        "parameters": plan.parameters, "depot": {"lon": plan.depot_lon, "lat": plan.depot_lat},
        "n_sites": plan.n_sites, "n_targets": plan.n_targets, "solver_status": plan.solver_status,
        "objective": plan.objective, "attacker_utility": plan.attacker_utility, "gap": plan.gap,
        "runtime_s": plan.runtime_s, "created_at": plan.created_at.isoformat(),
    }


def to_csv(plan_id: int, teams: Sequence[TeamSchedule]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator=LINE_TERMINATOR)
    w.writeheader()
    for t in teams:
        for s in t.stops:
            row: dict[str, Any] = {"plan_id": plan_id, **dataclasses.asdict(s)}
            row.update(lon=f"{s.lon:.6f}", lat=f"{s.lat:.6f}", extra=int(s.extra),
                       name="" if s.name is None else s.name)
            w.writerow({k: cell(v) for k, v in row.items()})
    return buf.getvalue()


def schedule_dict(t: TeamSchedule) -> dict[str, Any]:
    return {
        "day": t.day, "team": t.team, "label": t.label, "path": t.path,
        "stops": [{"seq": s.seq, "site_id": s.site_id, "site_name": s.site_name, "name": s.name, "kind": s.kind,
                   "category": s.category,
                   "lon": s.lon, "lat": s.lat, "slot": s.slot, "arrival": s.arrival, "departure": s.departure,
                   "arrival_s": s.arrival_s, "departure_s": s.departure_s,
                   "extra": s.extra} for s in t.stops],
    }


def to_json(summary: dict[str, Any], teams: Sequence[TeamSchedule]) -> str:
    return json.dumps({"plan": summary, "schedules": [schedule_dict(t) for t in teams]}, ensure_ascii=False)


class _SvgProjection:
    """Local metres around the depot (kernel.geo.LocalProjection), x east and y south: SVG y grows downwards."""

    def __init__(self, lon0: float, lat0: float) -> None:
        self._proj = LocalProjection(lon0, lat0)

    def many(self, lonlat: Any) -> np.ndarray:
        """(k, 2) lon/lat -> (k, 2) SVG x, y in metres."""
        a = np.asarray(lonlat, dtype=np.float64).reshape(-1, 2)
        x, y = self._proj.to_xy(a[:, 0], a[:, 1])
        return np.column_stack((x, -y))

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self.many([(lon, lat)])[0]
        return float(x), float(y)


def _roads_svg(session: Session, region_id: int, proj: _SvgProjection) -> str:
    seen: set[tuple[int, int, int]] = set()
    lines = []
    for e in RoadRepo(session).edges(region_id):
        key = (e.way_id, min(e.u_osm_id, e.v_osm_id), max(e.u_osm_id, e.v_osm_id))
        if key in seen:
            continue
        seen.add(key)
        lines.append(shapely.get_coordinates(shapely.from_wkb(e.geometry_wkb)))
    if not lines:
        return '<path d=""/>'
    xy_all = proj.many(np.concatenate(lines))  # one projection call for the whole network
    parts = []
    for xy_line in np.split(xy_all, np.cumsum([len(line) for line in lines])[:-1]):
        xy = " ".join(f"{x:.0f},{y:.0f}" for x, y in xy_line)
        parts.append(f"M{xy.replace(' ', 'L', 1)}" if " " in xy else f"M{xy}")
    return f'<path d="{" ".join(parts)}"/>'


def _team_svg(t: TeamSchedule, proj: _SvgProjection, depot: tuple[float, float], colour: str) -> str:
    paths = [proj.many(line) for line in t.path]
    pts = [tuple(p) for xy_line in paths for p in xy_line] + [proj(*depot)]
    pts += [proj(s.lon, s.lat) for s in t.stops]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    pad = 150.0
    x0, y0 = min(xs) - pad, min(ys) - pad
    w, h = max(xs) - x0 + pad, max(ys) - y0 + pad
    size = max(w, h)
    r = size / 60
    out = [f'<svg class="map" viewBox="{x0:.0f} {y0:.0f} {w:.0f} {h:.0f}" xmlns="http://www.w3.org/2000/svg" '
           f'role="img" aria-label="{html.escape(t.label)} route, day {t.day}">',
           f'<rect x="{x0:.0f}" y="{y0:.0f}" width="{w:.0f}" height="{h:.0f}" fill="#fafafa"/>',
           '<use href="#roads"/>']
    for xy_line in paths:
        d = " ".join(f"{x:.0f},{y:.0f}" for x, y in xy_line)
        out.append(f'<polyline class="route" points="{d}" fill="none" stroke="{colour}" stroke-width="3" '
                   'vector-effect="non-scaling-stroke" stroke-linejoin="round" opacity="0.85"/>')
    dx, dy = proj(*depot)
    out.append(f'<rect x="{dx - r:.0f}" y="{dy - r:.0f}" width="{2 * r:.0f}" height="{2 * r:.0f}" fill="#000"/>')
    for s in t.stops:
        x, y = proj(s.lon, s.lat)
        out.append(f'<circle class="stop" cx="{x:.0f}" cy="{y:.0f}" r="{r:.0f}" fill="#fff" stroke="{colour}" '
                   f'stroke-width="2" vector-effect="non-scaling-stroke"/>')
        out.append(f'<text x="{x:.0f}" y="{y:.0f}" font-size="{r * 1.2:.0f}" text-anchor="middle" '
                   f'dominant-baseline="central" font-family="sans-serif">{s.seq}</text>')
    out.append("</svg>")
    return "".join(out)


def to_html(session: Session, plan_id: int, *, lang: str = "en") -> str:
    """The printable plan (one section per day, a table and a small map per team) in `lang`."""
    tr = translator(lang)
    plan = get_plan(session, plan_id)
    region = RegionRepo(session).get(plan.region_id)
    teams = schedules(session, plan_id)
    proj = _SvgProjection(plan.depot_lon, plan.depot_lat)
    depot = (plan.depot_lon, plan.depot_lat)
    esc = html.escape
    body = []
    for day in range(1, plan.days + 1):
        body.append(f'<section class="day"><h2>{esc(tr("patrol.print.day", day=day))}</h2>')
        for t in (x for x in teams if x.day == day):
            colour = COLOURS[(t.team - 1) % len(COLOURS)]
            rows = "".join(
                f"<tr><td>{s.seq}</td><td>{esc(s.arrival)}</td><td>{esc(s.departure)}</td>"
                f"<td>{esc(s.name or tr(f'kind.{s.kind}', s.site_name))}"
                f"{' <em>' + esc(tr('patrol.print.extra')) + '</em>' if s.extra else ''}</td>"
                f"<td>{esc(tr(f'category.{s.category}', s.category))}</td><td>{s.lat:.5f}, {s.lon:.5f}</td></tr>"
                for s in t.stops
            )
            head = "".join(f"<th>{esc(tr(f'patrol.print.col_{c}'))}</th>"
                           for c in ("arrive", "leave", "site", "category", "location"))
            table = (f"<table><tr><th>#</th>{head}</tr>{rows}</table>" if t.stops
                     else f"<p>{esc(tr('patrol.print.reserve'))}</p>")
            svg = _team_svg(t, proj, depot, colour) if t.stops else ""
            body.append(f'<div class="team"><h3 style="color:{colour}">{esc(tr("patrol.team", team=t.team))}</h3>'
                        f'<div class="cols"><div>{table}</div><div>{svg}</div></div></div>')
        body.append("</section>")
    summary = esc(tr("patrol.print.summary", region=region.name, teams=plan.teams, start=plan.shift_start,
                     end=plan.shift_end, days=plan.days, seed=plan.seed,
                     status=tr(f"dash.solver.{plan.solver_status}", plan.solver_status),
                     gain=f"{plan.attacker_utility:,.1f}"))
    title = esc(tr("patrol.print.title", id=plan.id, region=region.name))
    roads = _roads_svg(session, plan.region_id, proj).replace("<path ", '<path vector-effect="non-scaling-stroke" ')
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>
body{{font-family:sans-serif;margin:1.5em;color:#222}} h1{{font-size:1.4em}}
h2{{border-bottom:2px solid #333;break-before:page}}
section.day:first-of-type h2{{break-before:auto}}
.team{{break-inside:avoid;margin-bottom:1.2em}} .cols{{display:flex;gap:1em;align-items:flex-start}}
.cols>div:first-child{{flex:1}} svg.map{{width:340px;height:340px;border:1px solid #ccc}}
table{{border-collapse:collapse;font-size:0.85em}} td,th{{border:1px solid #ccc;padding:2px 6px;text-align:left}}
#roads-defs{{position:absolute;width:0;height:0}} .note{{font-size:0.8em;color:#555}}
</style></head><body>
<svg id="roads-defs" aria-hidden="true"><defs><g id="roads" fill="none" stroke="#bbb" stroke-width="1"
 vector-effect="non-scaling-stroke">{roads}</g></defs></svg>
<h1>{esc(tr("patrol.print.heading", id=plan.id))}</h1><p>{summary}</p>
<p class="note">{esc(tr("patrol.print.note"))}
{esc(tr("patrol.print.attribution"))}</p>
{"".join(body)}
</body></html>
"""
