"""Situation reports (ICS-201/209-like, roles and call signs, never names) as HTML and PDF, from the database, in
English or Chinese (every label, heading and enumeration from i18n/{lang}.json; server-made timeline entries are
re-worded from their stored details, free text written by people is shown as written)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy.orm import Session

from bastion.incidents import service as svc
from bastion.incidents.enums import Triage
from bastion.incidents.models import Cordon
from bastion.incidents.models import Incident
from bastion.incidents.models import TimelineEntry
from bastion.incidents.models import UnitState
from bastion.kernel.errors import InvalidInput
from bastion.sites.models import Site

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).with_name("templates"))),
                          autoescape=True, undefined=jinja2.StrictUndefined)
COMMITTED = ("dispatched", "en_route", "on_scene")
LANGS = ("en", "zh-CN")
Tr = Callable[..., str]


@cache
def _words(lang: str) -> dict[str, str]:
    """The platform's words (unit types) and this domain's, for one language."""
    root = Path(str(resources.files("bastion")))
    out: dict[str, str] = {}
    for path in (root / "platform" / "i18n" / f"{lang}.json", root / "incidents" / "i18n" / f"{lang}.json"):
        if path.exists():
            out.update(json.loads(path.read_text("utf-8")))
    return out


def translator(lang: str) -> Tr:
    """``tr(key, **params)``: the word in ``lang`` (English when missing), ``{name}`` placeholders filled."""
    if lang not in LANGS:
        raise InvalidInput(f"lang must be one of {', '.join(LANGS)}, got {lang!r}", field="lang")
    own, en = _words(lang), _words("en")

    def tr(key: str, **params: object) -> str:
        text = own.get(key) or en.get(key) or key
        for name, value in params.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    return tr


def _user_text(text: str, sep: str) -> str:
    """The part of a server-made entry that a person wrote (a title, a headline): after the first ``sep``."""
    return text.split(sep, 1)[1] if sep in text else text


def entry_text(e: TimelineEntry, inc: Incident, tr: Tr) -> str:  # noqa: PLR0911 - one wording per entry kind
    """A timeline entry in the report's language: server-made entries re-worded from their details; notes as
    written (people's words are never machine-translated)."""
    d: dict[str, Any] = dict(e.details or {})
    kind = e.kind
    if kind == "created":
        return tr("incidents.entry.created", mode=tr(f"incidents.mode.{inc.mode}"),
                  type=tr(f"incidents.type.{inc.incident_type}"),
                  severity=tr(f"incidents.severity.{d.get('severity', inc.severity)}"),
                  title=_user_text(e.text, "): "))
    if kind == "updated":
        fields = [tr(f"incidents.field.{k}") for k in (d.get("changes") or {})]
        return tr("incidents.entry.updated", fields=tr("incidents.sitrep.list_sep").join(fields)
                  or tr("incidents.entry.nothing"))
    if kind == "unit_status" and "call_sign" in d:
        if d.get("from") == d.get("to"):
            return tr("incidents.entry.position", call_sign=d["call_sign"])
        return tr("incidents.entry.unit_status", call_sign=d["call_sign"],
                  **{"from": tr(f"incidents.status.{d.get('from')}"), "to": tr(f"incidents.status.{d.get('to')}")})
    if kind == "cordon" and "inner_m" in d:
        if d.get("active") is False:
            return tr("incidents.entry.cordon_lifted")
        return tr("incidents.entry.cordon", inner=f"{float(d['inner_m']):.0f}", outer=f"{float(d['outer_m']):.0f}")
    if kind == "warning":
        key = "warning_published" if d.get("state") == "published" else "warning_draft"
        return tr(f"incidents.entry.{key}", headline=_user_text(e.text, ": "))
    if kind == "closed":
        return tr("incidents.entry.closed", n=len(d.get("tasks") or []))
    if kind == "sitrep":
        event = d.get("event")
        if event == "scheduled":
            return tr("incidents.entry.schedule_set", rule=schedule_rule(d, tr))
        if event == "stopped":
            return tr("incidents.entry.schedule_stopped")
        if event == "generated":
            return tr("incidents.entry.sitrep", n=d.get("report_no"), lang=d.get("lang", "en"))
    return e.text


def schedule_rule(d: dict[str, Any], tr: Tr) -> str:
    """"every 30 min" / "at 06:00, 18:00 UTC" from a schedule's interval_min or times_utc."""
    if d.get("interval_min"):
        return tr("incidents.sched.every", n=d["interval_min"])
    return tr("incidents.sched.at", times=", ".join(d.get("times_utc") or []))


@dataclass(frozen=True)
class SitrepCounts:
    """What a situation report counts, read in the same session as its HTML (so they match the database)."""

    casualties: dict[str, int]
    casualties_total: int
    units_committed: int
    units_listed: int
    timeline_entries: int


def sitrep(s: Session, incident_id: int, *, at: dt.datetime, lang: str = "en") -> tuple[str, SitrepCounts]:
    """The report's HTML and its counts."""
    tr = translator(lang)
    inc = svc.get_incident(s, incident_id)
    tl = svc.timeline(s, incident_id)
    ids = [st.unit_id for st in s.query(UnitState).filter(UnitState.incident_id == incident_id)]
    units = list(svc.unit_views(s, unit_ids=ids)) if ids else []
    site = s.get(Site, inc.site_id) if inc.site_id is not None else None
    committed = sum(1 for u in units if u.state.status in COMMITTED)
    casualties = {t.value: int(inc.casualties.get(t.value, 0)) for t in Triage}
    total = svc.triage_total(inc.casualties)
    version = "final" if inc.status == "closed" else ("initial" if len(tl) <= 1 else "update")
    services = tr("incidents.sitrep.list_sep")
    html = _env.get_template("sitrep.html").render(
        tr=tr, lang=lang, inc=inc, units=units, units_committed=committed, casualties=casualties,
        casualties_total=total, cordon=s.get(Cordon, incident_id), site_name=site.name if site else None, at=at,
        version_label=tr(f"incidents.sitrep.version.{version}"),
        timeline=[(e, entry_text(e, inc, tr)) for e in tl],
        services_present=services.join(tr(f"incidents.service.{x}") for x in inc.services_present),
        services_required=services.join(tr(f"incidents.service.{x}") for x in inc.services_required),
        generated=at.strftime("%Y-%m-%d %H:%M UTC"))
    return html, SitrepCounts(casualties, total, committed, len(units), len(tl))


def sitrep_html(s: Session, incident_id: int, *, at: dt.datetime, lang: str = "en") -> str:
    return sitrep(s, incident_id, at=at, lang=lang)[0]


def to_pdf(html_text: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html_text).write_pdf()  # type: ignore[no-any-return]
