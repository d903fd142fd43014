"""Security finding 13 (brief item 8): a viewer (site:read) saw a site's security posture — facts such as
entry_checks:false, its tiers and its notes — unaudited. Now they need site:sensitive_read and are audited."""

from __future__ import annotations

import csv
import io

from fastapi import FastAPI
from sqlalchemy import select

from bastion.access.models import AuditLog
from tests.api_fixtures import AuthClient

API = "/api/v1"


def test_viewer_sees_no_posture_and_readers_are_audited(app: FastAPI, auth_client: AuthClient) -> None:
    lead = auth_client("coordinator", "Monaco", login="posture-lead")
    sid = lead.get(f"{API}/sites", params={"q": "louis-ii"}).json()["items"][0]["id"]
    assert lead.patch(f"{API}/sites/{sid}", json={"notes": "north gate unguarded after 22:00"}).status_code == 200
    assert lead.put(f"{API}/sites/{sid}/facts", json={"facts": {"entry_checks": False}}).status_code == 200

    viewer = auth_client("viewer", "Monaco", login="posture-viewer")
    assert viewer.get(f"{API}/sites/{sid}").json()["notes"] is None
    listed = viewer.get(f"{API}/sites", params={"q": "louis-ii"}).json()["items"]
    assert listed and all(x["notes"] is None for x in listed)
    rows = list(csv.DictReader(io.StringIO(viewer.get(f"{API}/sites/export", params={"format": "csv"}).text)))
    assert not [r for r in rows if r["notes"]]
    assert viewer.get(f"{API}/sites/{sid}/facts").status_code == 403
    assert viewer.get(f"{API}/sites/{sid}/tiers").status_code == 403

    assert lead.get(f"{API}/sites/{sid}").json()["notes"] == "north gate unguarded after 22:00"
    assert lead.get(f"{API}/sites/{sid}/facts").json()["facts"]["entry_checks"] is False
    assert lead.get(f"{API}/sites/{sid}/tiers").status_code == 200
    with app.state.session_factory() as s:
        actions = set(s.scalars(select(AuditLog.action).where(AuditLog.actor == "user:posture-lead")))
    assert {"read.site_notes", "read.facts", "read.tiers"} <= actions, actions
