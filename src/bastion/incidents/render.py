"""Situation reports (ICS-201/209-like, roles and call signs, never names) as HTML and PDF, from the database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
from sqlalchemy.orm import Session

from bastion.incidents import service as svc
from bastion.incidents.enums import Triage
from bastion.incidents.models import Cordon
from bastion.incidents.models import UnitState
from bastion.sites.models import Site

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).with_name("templates"))),
                          autoescape=True, undefined=jinja2.StrictUndefined)
COMMITTED = ("dispatched", "en_route", "on_scene")


def sitrep_html(s: Session, incident_id: int, *, at: dt.datetime) -> str:
    inc = svc.get_incident(s, incident_id)
    tl = svc.timeline(s, incident_id)
    ids = [st.unit_id for st in s.query(UnitState).filter(UnitState.incident_id == incident_id)]
    units = [v for v in svc.unit_views(s, unit_ids=ids)] if ids else []
    site = s.get(Site, inc.site_id) if inc.site_id is not None else None
    return _env.get_template("sitrep.html").render(
        inc=inc, timeline=tl, units=units, units_committed=sum(1 for u in units if u.state.status in COMMITTED),
        triage=[t.value for t in Triage], casualties_total=svc.triage_total(inc.casualties),
        cordon=s.get(Cordon, incident_id), site_name=site.name if site else None, at=at,
        version_label="final" if inc.status == "closed" else ("initial" if len(tl) <= 1 else "update"),
        generated=at.strftime("%Y-%m-%d %H:%M UTC"))


def to_pdf(html_text: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html_text).write_pdf()  # type: ignore[no-any-return]
