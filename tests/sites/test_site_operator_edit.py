"""The operating agency edited with the rest of a site (PATCH /sites/{id} operator_agency, by name): set, shown by
name in every read, cleared, refused by field when unknown, one version step and one audit record per change, and
only by someone with site:edit over the whole region (an operator cannot hand its own site away)."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select

from bastion.access.models import AuditLog
from bastion.sites.models import Site
from tests.api_fixtures import AuthClient
from tests.auth_helpers import agency_id

API = "/api/v1"


def test_operator_agency_is_edited_by_name_with_the_site(app: FastAPI, auth_client: AuthClient) -> None:
    sf = app.state.session_factory
    with sf() as s:
        sid = s.scalar(select(Site.id).where(Site.name == "Stade Louis-II"))
    stadium = agency_id(sf, "Stade Louis-II security", "venue_operator")
    lead = auth_client("coordinator", "Monaco", login="op-lead")
    before = lead.get(f"{API}/sites/{sid}").json()
    assert (before["operator_agency_id"], before["operator_agency"]) == (None, None)

    r = lead.patch(f"{API}/sites/{sid}", json={"operator_agency": "No such agency", "capacity_override": 100})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["field"] == "operator_agency" and "no agency named 'No such agency'" in err["message"]
    assert lead.get(f"{API}/sites/{sid}").json()["capacity_override"] is None  # one transaction: nothing kept

    r = lead.patch(f"{API}/sites/{sid}",
                   json={"operator_agency": " Stade Louis-II security ", "capacity_override": 100},
                   headers={"If-Match": f'"{before["version"]}"'})
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["operator_agency_id"], got["operator_agency"], got["capacity_override"], got["version"]) == (
        stadium, "Stade Louis-II security", 100, before["version"] + 1)
    assert lead.get(f"{API}/sites/{sid}").json()["operator_agency"] == "Stade Louis-II security"
    listed = lead.get(f"{API}/sites", params={"q": "Stade Louis-II"}).json()["items"]
    assert [(i["id"], i["operator_agency"]) for i in listed] == [(sid, "Stade Louis-II security")]

    # the operator's own account may edit its site's notes, not hand the site over
    op = auth_client("site_operator", "Monaco", agency="Stade Louis-II security", agency_kind="venue_operator")
    assert op.patch(f"{API}/sites/{sid}", json={"notes": "gate C closed"}).status_code == 200
    r = op.patch(f"{API}/sites/{sid}", json={"operator_agency": None})
    assert r.status_code == 403, r.text

    # the same name again changes nothing but the version; empty clears
    assert lead.patch(f"{API}/sites/{sid}", json={"operator_agency": "Stade Louis-II security"}).status_code == 200
    r = lead.patch(f"{API}/sites/{sid}", json={"operator_agency": ""})
    assert r.status_code == 200 and (r.json()["operator_agency_id"], r.json()["operator_agency"]) == (None, None)
    with sf() as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.action == "site.set_operator").order_by(AuditLog.seq))
        changes = [(a.details["from"], a.details["to"]) for a in rows]
    assert changes == [(None, stadium), (stadium, None)]
