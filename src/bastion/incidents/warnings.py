"""Public warnings as OASIS CAP 1.2 messages: drafted, approved by a SECOND person, then published (validated
against the OASIS CAP 1.2 XML schema shipped in kernel/cap/, see its NOTICE.md). ``status`` follows the
incident's mode (REAL -> Actual, EXERCISE -> Exercise, TEST -> Test). Delivery: download, and an optional webhook
adapter (HTTP POST of the XML); nothing depends on an outside service."""

from __future__ import annotations

import datetime as dt
import logging
import urllib.request
import uuid
import xml.etree.ElementTree as ET

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.incidents import intake
from bastion.incidents import service as svc
from bastion.incidents.enums import EntryKind
from bastion.incidents.enums import IncidentStatus
from bastion.incidents.enums import IncidentType
from bastion.incidents.models import Incident
from bastion.incidents.models import Warning
from bastion.kernel.cap import NS
from bastion.kernel.cap import cap_time
from bastion.kernel.cap import schema_errors as validate
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.kernel.errors import PermissionDenied

log = logging.getLogger(__name__)

SENDER = "bastion@bastion.local"
STATUS = {"real": "Actual", "exercise": "Exercise", "test": "Test"}
# incident type -> (CAP event text, responseType): what the public is told to do (ASSUMPTION, editable)
EVENT: dict[str, tuple[str, str]] = {
    IncidentType.VEHICLE_AS_WEAPON: ("Vehicle attack", "Avoid"),
    IncidentType.MARAUDING_BLADES: ("Marauding attack (bladed weapons)", "Shelter"),
    IncidentType.MARAUDING_FIREARMS: ("Marauding attack (firearms)", "Shelter"),
    IncidentType.PERSON_BORNE_IED: ("Explosive device", "Evacuate"),
    IncidentType.VEHICLE_BORNE_IED: ("Vehicle-borne explosive device", "Evacuate"),
    IncidentType.PLACED_IED: ("Explosive device", "Evacuate"),
    IncidentType.SUSPICIOUS_ITEM: ("Suspicious item", "Avoid"),
    IncidentType.ARSON: ("Fire", "Evacuate"),
    IncidentType.CBRN: ("Hazardous materials release", "Shelter"),
    IncidentType.HOSTAGE: ("Security incident", "Avoid"),
    IncidentType.DRONE: ("Unauthorised drone", "Shelter"),
}


def build_cap(inc: Incident, w: Warning, *, sent: dt.datetime) -> str:
    """The CAP 1.2 alert for a warning (one info block, one circular area)."""
    ET.register_namespace("", NS)

    def sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
        e = ET.SubElement(parent, f"{{{NS}}}{tag}")
        e.text = text
        return e

    root = ET.Element(f"{{{NS}}}alert")
    sub(root, "identifier", w.identifier)
    sub(root, "sender", SENDER)
    sub(root, "sent", cap_time(sent))
    sub(root, "status", STATUS[inc.mode])
    sub(root, "msgType", w.msg_type)
    sub(root, "scope", "Public")
    info = ET.SubElement(root, f"{{{NS}}}info")
    event, response = EVENT[inc.incident_type]
    sub(info, "category", "Security")
    sub(info, "event", event)
    sub(info, "responseType", response)
    sub(info, "urgency", "Immediate")
    sub(info, "severity", inc.severity.capitalize())
    sub(info, "certainty", "Observed")
    sub(info, "headline", w.headline)
    sub(info, "instruction", w.instruction)
    area = ET.SubElement(info, f"{{{NS}}}area")
    sub(area, "areaDesc", f"Within {w.radius_m:.0f} m of the incident")
    sub(area, "circle", f"{inc.lat:.6f},{inc.lon:.6f} {w.radius_m / 1000:.3f}")
    return ET.tostring(root, encoding="unicode", xml_declaration=False)


def get_warning(s: Session, warning_id: int) -> Warning:
    w = s.get(Warning, warning_id)
    if w is None:
        raise NotFound(f"warning {warning_id} does not exist")
    return w


def list_warnings(s: Session, incident_id: int) -> list[Warning]:
    return list(s.scalars(select(Warning).where(Warning.incident_id == incident_id).order_by(Warning.id)))


def draft(sf: sessionmaker[Session], incident_id: int, *, headline: str, instruction: str, radius_m: float | None,
          actor: svc.Actor, now: dt.datetime) -> Warning:
    """Draft a public warning (not published until a second person approves it)."""
    h = intake.free_text(headline, "headline", required=True, max_len=160) or ""
    ins = intake.free_text(instruction, "instruction", required=True, max_len=1000) or ""
    with unit_of_work(sf) as s:
        inc = svc.get_incident(s, incident_id)
        if inc.status != IncidentStatus.OPEN.value:
            raise Conflict(f"incident {incident_id} is closed")
        from bastion.incidents.models import Cordon

        c = s.get(Cordon, incident_id)
        r = radius_m if radius_m is not None else (c.outer_m if c is not None else 500.0)
        if not 10 <= r <= 50_000:
            raise InvalidInput(f"radius_m must be 10 to 50000 m, got {r}", field="radius_m")
        w = Warning(incident_id=incident_id, identifier=f"bastion-{incident_id}-{uuid.uuid4().hex[:12]}", state="draft",
                    msg_type="Alert", headline=h, instruction=ins, radius_m=float(r), drafted_by=actor.name,
                    drafted_by_account_id=actor.account_id, created_at=now)
        s.add(w)
        s.flush()
        w.xml = build_cap(inc, w, sent=now)  # preview; rebuilt at publication
        errors = validate(w.xml)
        if errors:
            raise InvalidInput(f"the warning is not valid CAP 1.2: {errors[0]}", field="headline")
        svc.append(s, incident_id, EntryKind.WARNING, f"public warning drafted ({STATUS[inc.mode]}): {h}",
                   actor=actor, now=now, details={"warning_id": w.id, "state": "draft"})
        s.refresh(w)
        s.expunge(w)
        return w


def approve(sf: sessionmaker[Session], warning_id: int, *, actor: svc.Actor, now: dt.datetime) -> Warning:
    """A second person approves: the warning is published (CAP built, schema-validated, stored)."""
    with unit_of_work(sf) as s:
        w = get_warning(s, warning_id)
        if w.state != "draft":
            raise Conflict(f"warning {warning_id} is already {w.state}")
        same = actor.name == w.drafted_by or (actor.account_id is not None and
                                              actor.account_id == w.drafted_by_account_id)
        if same:
            raise PermissionDenied("a public warning is published only after a second person approves it: the "
                                   "person who drafted it cannot approve it")
        inc = svc.get_incident(s, w.incident_id)
        w.xml = build_cap(inc, w, sent=now)
        errors = validate(w.xml)
        if errors:
            raise InvalidInput(f"the warning is not valid CAP 1.2: {errors[0]}", field="warning")
        w.state, w.approved_by, w.published_at = "published", actor.name, now
        s.flush()
        svc.append(s, w.incident_id, EntryKind.WARNING, f"public warning approved and published: {w.headline}",
                   actor=actor, now=now, details={"warning_id": w.id, "state": "published",
                                                  "identifier": w.identifier})
        s.refresh(w)
        s.expunge(w)
    log.info("warning %d published (%s)", warning_id, w.identifier)
    return w


def deliver_webhook(w: Warning, url: str, *, timeout_s: float = 10.0) -> int:
    """POST a published warning's CAP XML to ``url`` (application/cap+xml); returns the HTTP status."""
    if w.state != "published" or not w.xml:
        raise Conflict(f"warning {w.id} is not published; a second person must approve it first")
    if not url.startswith(("http://", "https://")):
        raise InvalidInput("url must be an http:// or https:// address", field="url")
    req = urllib.request.Request(url, data=w.xml.encode(), method="POST",  # noqa: S310 - scheme checked above
                                 headers={"Content-Type": "application/cap+xml"})
    with urllib.request.urlopen(req, timeout=timeout_s) as resp:  # noqa: S310
        return int(resp.status)
