"""Risk reports: an HTML page per site and per region (inline SVG charts, no scripts, no CDN), printable to
PDF with WeasyPrint; and the region's risk as GeoJSON for the map."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import TypedDict

import jinja2
from markupsafe import Markup
from sqlalchemy.orm import Session

from bastion import __version__
from bastion.algorithms.risk import CATALOGUE
from bastion.algorithms.risk.scoring import SiteRisk
from bastion.algorithms.risk.scoring import cell_rating
from bastion.algorithms.risk.tiering import TierResult
from bastion.kernel.db.base import utcnow
from bastion.kernel.i18n import LANGS as I18N_LANGS
from bastion.kernel.i18n import translator as kernel_translator
from bastion.risk import service as svc
from bastion.risk import wording as risk_wording
from bastion.risk.enums import RATING_COLOURS
from bastion.sites.models import Site
from bastion.sites.repository import SiteRepo
from bastion.supervision import service as insp_svc
from bastion.supervision import wording as task_wording
from bastion.vehicle import read as vehicle_read

TEMPLATES = Path(__file__).resolve().parent / "templates"


# RATING_COLOURS (risk/enums.py) is the one palette: the map's markers and this report's matrix and pills


THREAT_LABELS = {"marauding_attack": "Marauding attack", "vehicle_as_weapon": "Vehicle as a weapon",
                 "ied": "IED", "fire_as_weapon": "Fire as a weapon", "cbr": "CBR", "cyber": "Cyber"}


LANGS = I18N_LANGS


def translator(lang: str) -> Any:
    """`tr(key, default, **params)` for a report in `lang`: the words of every domain's i18n file (report.* keys
    are this domain's; kind.* the sites domain's), then English, then `default`."""
    return kernel_translator(lang)


_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                          undefined=jinja2.StrictUndefined)
_env.globals["rating_colours"] = RATING_COLOURS  # report_base.html colours the rating pills with it
_env.globals["tr"] = translator("en")  # report_base.html's words; a report in another language passes its own
_env.globals["lang"] = "en"


def matrix_svg(matrix: dict[tuple[int, int], int] | Any, *, cell: int = 56, tr: Any = None) -> str:
    """A 4x4 likelihood x impact grid (likelihood up, impact right), each cell coloured by its rating and
    labelled with its count."""
    tr = tr or translator("en")
    pad, parts = 70, []
    w = h = pad + 4 * cell + 10
    parts.append(f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h + 30}" role="img" '
                 f'aria-label="{html.escape(tr("report.matrix_label"))}">')
    for li in range(1, 5):
        for ii in range(1, 5):
            x, y = pad + (ii - 1) * cell, 10 + (4 - li) * cell
            n = matrix.get((li, ii), 0)
            colour = RATING_COLOURS[cell_rating(li, ii)]
            parts.append(f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{colour}" '
                         f'fill-opacity="{0.35 if n == 0 else 0.9}"/>')
            parts.append(f'<text x="{x + cell / 2 - 1}" y="{y + cell / 2 + 5}" text-anchor="middle" '
                         f'font-size="15" font-weight="bold">{n}</text>')
        parts.append(f'<text x="{pad - 8}" y="{10 + (4 - li) * cell + cell / 2 + 4}" text-anchor="end" '
                     f'font-size="12">L{li}</text>')
    for ii in range(1, 5):
        parts.append(f'<text x="{pad + (ii - 1) * cell + cell / 2}" y="{10 + 4 * cell + 16}" text-anchor="middle" '
                     f'font-size="12">I{ii}</text>')
    parts.append(f'<text x="{pad + 2 * cell}" y="{10 + 4 * cell + 34}" text-anchor="middle" font-size="12">'
                 f'{html.escape(tr("report.impact_axis"))}</text>')
    parts.append(f'<text x="12" y="{10 + 2 * cell}" font-size="12" transform="rotate(-90 12 {10 + 2 * cell})" '
                 f'text-anchor="middle">{html.escape(tr("report.likelihood_axis"))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_svg(rows: Sequence[tuple[str, float, str]], *, width: int = 640, bar: int = 18, unit: str = "",
            aria_label: str = "bar chart") -> str:
    """Horizontal bars: (label, value, rating) per row, longest = the largest value."""
    label_w, gap = 230, 4
    vmax = max((v for _, v, _ in rows), default=0.0) or 1.0
    h = len(rows) * (bar + gap) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" role="img" '
             f'aria-label="{html.escape(aria_label)}">']
    for i, (label, v, rating) in enumerate(rows):
        y = 5 + i * (bar + gap)
        bw = max(1.0, (width - label_w - 80) * v / vmax)
        text = html.escape(label if len(label) <= 34 else label[:33] + "…")
        parts.append(f'<text x="{label_w - 6}" y="{y + bar - 5}" text-anchor="end" font-size="11">{text}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{bw:.1f}" height="{bar}" '
                     f'fill="{RATING_COLOURS.get(rating, "#607d8b")}"/>')
        parts.append(f'<text x="{label_w + bw + 4:.1f}" y="{y + bar - 5}" font-size="11">{v:.3g}{unit}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _fmt_params(p: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in p.items())


def site_context(s: Session, site_id: int, *, at: dt.datetime | None = None, lang: str = "en") -> dict[str, Any]:
    """The site report's content; server-made wording (tiering reasons and their cited clauses, measure
    parameters, task texts, the vehicle section) in `lang`."""
    tr = translator(lang)
    site = SiteRepo(s).get(site_id)
    tiers = svc.site_tiers(s, site)
    risk = svc.assess(s, site, at=at)
    tasks = insp_svc.list_tasks(s, site_id=site_id, status=("open", "in_progress", "fixed"))
    std = svc.standards()
    return {
        "site": site, "tiers": tiers, "standards": std, "risk": risk, "tasks": tasks,
        "reasons": {t.standard_id: risk_wording.reasons(t.reasons, lang, standard_id=t.standard_id) for t in tiers},
        "task_texts": task_wording.task_texts(s, tasks, lang),
        "measures": [(m.kind, CATALOGUE[m.kind].label,
                      _fmt_params(m.params) if lang == "en" else risk_wording.measure_params(m.params, lang),
                      tr(f"risk.source.{m.source}", m.source) if lang != "en" else m.source)
                     for m in svc.site_measures(s, site_id)],
        "gaps": [(g.measure, CATALOGUE[g.measure].label, g.risk_reduction, g.cost) for g in risk.gaps],
        "threat_chart": bar_svg([(THREAT_LABELS.get(r.threat, r.threat), r.risk, r.rating) for r in risk.by_threat]),
        "threat_labels": THREAT_LABELS, "setting": svc.threat_setting(s, site.region_id),
        "vehicle_html": _vehicle_html(s, site_id, lang=lang),
        **_latest_inspection(s, site_id, lang),
    }


def _latest_inspection(s: Session, site_id: int, lang: str) -> dict[str, Any]:
    """The site's newest inspection and its checklist (answers and evidence notes), or None; the inspecting
    body in the reader's language when the server named it (desk reviews)."""
    latest = next(iter(insp_svc.site_inspections(s, site_id)), None)
    items = insp_svc.inspection_items(s, latest.id) if latest is not None else []
    inspector = task_wording.inspector(latest.inspector_agency, lang) if latest is not None else None
    return {"inspection": latest, "inspection_items": items, "inspection_agency": inspector}


def _vehicle_html(s: Session, site_id: int, *, lang: str = "en") -> Markup | None:
    """The hostile-vehicle section (already autoescaped by its own template) when an assessment is stored."""
    section = vehicle_read.report_section(s, site_id)
    if not section["assessed"]:
        return None
    return Markup(vehicle_read.render_report_section(section, lang=lang))  # noqa: S704 - rendered with autoescape


def site_report_html(s: Session, site_id: int, *, at: dt.datetime | None = None,
                     generated_at: dt.datetime | None = None, lang: str = "en") -> str:
    tr = translator(lang)
    ctx = site_context(s, site_id, at=at, lang=lang)
    ctx["threat_chart"] = bar_svg([(tr(f"risk.threat.{r.threat}", THREAT_LABELS.get(r.threat, r.threat)), r.risk,
                                    r.rating) for r in ctx["risk"].by_threat], aria_label=tr("report.by_threat"))
    return _env.get_template("report_site.html").render(
        **ctx, at=at, tr=tr, lang=lang, generated=(generated_at or utcnow()).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__)


class _RankedSite(TypedDict):
    """One row of the region report's ranking table."""

    rank: int
    site: Site
    risk: SiteRisk
    tiers: dict[str, TierResult]


def region_report_html(s: Session, region_id: int, *, at: dt.datetime | None = None, top: int = 25,
                       table_rows: int = 100, generated_at: dt.datetime | None = None, lang: str = "en") -> str:
    """Region report; the ranking table lists the ``table_rows`` highest-risk sites (the full ranking is at
    GET /api/v1/regions/{id}/risk): WeasyPrint takes ~20 s to lay out a 600-row table."""
    tr = translator(lang)
    rr = svc.region_risk(s, region_id, at=at)
    rows: list[_RankedSite] = []
    for i, a in enumerate(rr.ranking, start=1):
        site = rr.sites[int(a.site_id)]
        rows.append({"rank": i, "site": site, "risk": a, "tiers": {t.standard_id: t for t in rr.tiers[site.id]}})
    counts: dict[str, dict[str, int]] = {}
    for ts in rr.tiers.values():
        for t in ts:
            code = t.tier if t.tier is not None else t.status
            key = tr(f"report.tier.{t.standard_id}.{code}", t.label if t.tier is not None else code.replace("_", " "))
            counts.setdefault(t.standard_id, {}).setdefault(key, 0)
            counts[t.standard_id][key] += 1
    ratings: dict[str, int] = {}
    for a in rr.ranking:
        ratings[a.worst_rating] = ratings.get(a.worst_rating, 0) + 1
    open_tasks = insp_svc.list_tasks(s, region_id=region_id, status=("open", "in_progress", "fixed"))
    chart = bar_svg([(f"{r['rank']}. {r['site'].name or tr('kind.' + r['site'].kind, r['site'].kind)}",
                      r["risk"].total_risk, r["risk"].worst_rating) for r in rows[:top]],
                    aria_label=tr("report.top_chart"))
    return _env.get_template("report_region.html").render(
        region=rr.region, setting=rr.setting, rows=rows, top=top, table_rows=table_rows, counts=counts,
        standards=svc.standards(),
        ratings=ratings, rating_colours=RATING_COLOURS, matrix_chart=matrix_svg(rr.matrix, tr=tr), bar_chart=chart,
        tr=tr, lang=lang,
        n_open=len(open_tasks), n_overdue=sum(1 for t in open_tasks if t.overdue), at=at,
        generated=(generated_at or utcnow()).strftime("%Y-%m-%d %H:%M UTC"), version=__version__)


def to_pdf(html_text: str) -> bytes:
    """Print an HTML report to PDF with WeasyPrint (fonts from the system: Noto CJK renders Chinese names)."""
    import weasyprint

    return weasyprint.HTML(string=html_text).write_pdf()  # type: ignore[no-any-return]
