"""Finding 10: write records carry the before/after values of the fields they changed (never a secret); command-
line writes are audited like API writes (actor cli:<os user>); reads of sensitive data are recorded, from the API
and from the command line (site facts, task findings, sites/patrol/report exports)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from bastion.access.models import AuditLog
from bastion.access.models import User
from bastion.kernel.cli import cli_actor_name
from bastion.kernel.db.engine import make_engine
from bastion.kernel.db.engine import make_session_factory
from bastion.platform.cli import app as cli_app
from bastion.sites.models import Site
from tests.api_fixtures import AuthClient

API = "/api/v1"
runner = CliRunner()


def _records(sf: sessionmaker[Session]) -> list[AuditLog]:
    with sf() as s:
        return list(s.scalars(select(AuditLog).order_by(AuditLog.seq)))


def _changes(r: AuditLog) -> list[dict[str, Any]]:
    return list(r.details.get("changes", []))


def test_api_write_records_before_and_after(app: FastAPI, client: TestClient, monaco_sf: sessionmaker[Session]
                                            ) -> None:
    with monaco_sf() as s:
        site = s.scalar(select(Site).where(Site.name == "Stade Louis-II"))
        assert site is not None
        sid, before_notes, v = site.id, site.notes, site.version
    r = client.patch(f"{API}/sites/{sid}", json={"notes": "north gate unstaffed", "capacity_override": 17000},
                     headers={"If-Match": f'"{v}"'})
    assert r.status_code == 200
    rec = next(x for x in reversed(_records(monaco_sf)) if x.action == "PATCH /api/v1/sites/{site_id}")
    assert rec.actor == "user:lead" and rec.object_id == str(sid)
    (row,) = [c for c in _changes(rec) if c["table"] == "sites"]
    assert row["id"] == sid and row["op"] == "update"
    assert row["changes"]["notes"] == [before_notes, "north gate unstaffed"]
    assert row["changes"]["capacity_override"] == [None, 17000]
    assert row["changes"]["version"] == [v, v + 1]
    # a facts write names each fact that changed, before and after
    client.put(f"{API}/sites/{sid}/facts", json={"facts": {"entry_checks": True}})
    client.put(f"{API}/sites/{sid}/facts", json={"facts": {"entry_checks": False}})
    rec = next(x for x in reversed(_records(monaco_sf)) if x.action == "PUT /api/v1/sites/{site_id}/facts")
    facts = next(c for c in _changes(rec) if c["table"] == "site_facts")
    assert facts["changes"] == {"entry_checks": [True, False]}


def test_secrets_never_reach_the_audit_trail(app: FastAPI, auth_client: AuthClient,
                                             monaco_sf: sessionmaker[Session]) -> None:
    admin = auth_client("admin", None, login="root")
    target = auth_client("viewer", None, login="watcher")
    assert target.get(f"{API}/regions").status_code == 200
    uid = next(u["id"] for u in admin.get(f"{API}/users").json()["items"] if u["login"] == "watcher")
    r = admin.post(f"{API}/users/{uid}/password", json={"new_password": "a brand new passphrase"})
    assert r.status_code == 200
    with monaco_sf() as s:
        u = s.get(User, uid)
        assert u is not None
        pw_hash = u.password_hash
    rec = next(x for x in reversed(_records(monaco_sf)) if x.action == "user.set_password")
    (row,) = [c for c in _changes(rec) if c["table"] == "users"]
    assert row["changes"]["password_hash"] == "(changed)"  # that it changed, never the value
    everything = admin.get(f"{API}/audit/export").text
    assert pw_hash not in everything and "$argon2" not in everything and "a brand new passphrase" not in everything
    tokens = [c for x in _records(monaco_sf) for c in _changes(x) if c["table"] == "api_tokens"]
    assert tokens and all(c["changes"].get("token_hash") in (None, "(set)", "(changed)") for c in tokens)


def test_sensitive_reads_are_recorded_from_the_api(client: TestClient, monaco_sf: sessionmaker[Session]) -> None:
    with monaco_sf() as s:
        sid = int(s.scalar(select(Site.id).where(Site.name == "Stade Louis-II")))
    assert client.get(f"{API}/sites/{sid}/facts").status_code == 200
    assert client.get(f"{API}/sites/{sid}/report").status_code == 200
    assert client.get(f"{API}/sites/export", params={"format": "csv"}).status_code == 200
    actions = {(x.actor, x.action, x.object_id) for x in _records(monaco_sf)}
    assert {("user:lead", "read.facts", str(sid)), ("user:lead", "read.report", str(sid)),
            ("user:lead", "read.sites_export.csv", None)} <= actions


def test_cli_writes_and_reads_are_audited(cli_monaco: Path) -> None:
    sf = make_session_factory(make_engine(f"sqlite:///{cli_monaco / 'bastion.db'}"))
    with sf() as s:
        site = s.scalar(select(Site).where(Site.name == "Stade Louis-II"))
        assert site is not None
        sid, v = site.id, site.version
    stale = runner.invoke(cli_app, ["sites", "edit", str(sid), "--notes", "old copy", "--if-version", str(v + 5)])
    assert stale.exit_code == 2 and f"the current version is {v}" in " ".join(stale.output.split())
    r = runner.invoke(cli_app, ["sites", "edit", str(sid), "--notes", "barrier B2 broken", "--capacity", "18000"])
    assert r.exit_code == 0, r.output
    assert f"version {v + 1} (changed the latest version)" in " ".join(r.output.split())
    out = cli_monaco / "sites.csv"
    assert runner.invoke(cli_app, ["sites", "export", str(out), "--region", "Monaco"]).exit_code == 0
    html = cli_monaco / "report.html"
    assert runner.invoke(cli_app, ["report", "site", str(sid), "--html", str(html)]).exit_code == 0
    recs = _records(sf)
    me = cli_actor_name()
    write = next(x for x in recs if x.action == "cli.write")
    assert write.actor == me and write.client == "local" and write.object_type == "sites"
    assert write.details["command"].startswith("sites edit")
    (row,) = [c for c in _changes(write) if c["table"] == "sites"]
    assert row["changes"]["notes"] == [None, "barrier B2 broken"]
    assert row["changes"]["capacity_override"] == [None, 18000]
    reads = {(x.actor, x.action, x.object_id) for x in recs if x.action.startswith("read.")}
    assert reads == {(me, "read.sites_export.csv", None), (me, "read.report", str(sid))}
    verify = runner.invoke(cli_app, ["audit", "verify"])
    assert verify.exit_code == 0 and "intact" in verify.output
    assert json.loads(runner.invoke(cli_app, ["audit", "export", "--format", "json"]).output)[-1]["action"] == \
        "read.report"
