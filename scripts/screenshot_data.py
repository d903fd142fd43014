"""The data the screenshot views of the newer domains need, made through the REST API of the throw-away server
(scripts/web_live.py) as a planner would: incidents with a cordon, notes and a report schedule; an exercise with
its injects and a drafted emergency plan; a patrol plan; a vehicle assessment; early-warning counts with alerts;
the lead office's duties and a campaign. Each part is made once per run, only for the views asked for."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

NEEDS = {  # view -> the data part it shows
    "incidents": "incidents", "incident-sitreps": "incidents", "preparedness": "exercise",
    "exercise-clock": "exercise", "patrol": "patrol", "patrol-visits": "patrol", "vehicle": "vehicle",
    "warning": "warning", "office-duties": "office", "office-campaigns": "office",
}


class Api:
    def __init__(self, url: str, login: str, password: str) -> None:
        self.url = url
        self.token = str(self.call("POST", "/api/v1/auth/login",
                                   {"login": login, "password": password, "mode": "token"}, auth=False)["token"])
        self.region = int(self.call("GET", "/api/v1/regions")["items"][0]["id"])
        self.made: dict[str, Any] = {}

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, *, auth: bool = True) -> Any:
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.url + path, data=None if body is None else json.dumps(body).encode(),
                                     method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=120) as r:  # noqa: S310 (our own local server)
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: {e.code} {e.read().decode()[:500]}") from None

    def job(self, path: str, body: dict[str, Any]) -> Any:
        job = self.call("POST", path, body)
        deadline = time.monotonic() + 600
        while job["state"] in ("queued", "running"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"job {job['id']} still {job['state']} after 600 s")
            time.sleep(0.2)
            job = self.call("GET", f"/api/v1/jobs/{job['id']}")
        if job["state"] != "succeeded":
            raise RuntimeError(f"job {job['id']} {job['state']}: {job}")
        return job["result"]

    def site(self, name: str) -> int:
        found = self.call("GET", "/api/v1/sites?" + urllib.parse.urlencode({"q": name}))["items"]
        return int(next(s["id"] for s in found if s["name"] == name))

    def ensure(self, part: str) -> Any:
        if part not in self.made:
            self.made[part] = getattr(self, f"_make_{part}")()
        return self.made[part]

    def _make_incidents(self) -> int:
        rid = self.region
        self.call("POST", "/api/v1/incidents", {
            "region_id": rid, "incident_type": "suspicious_item", "severity": "moderate",
            "title": "Unattended bag, Monaco station", "lon": 7.4196, "lat": 43.7389})
        inc = self.call("POST", "/api/v1/incidents", {
            "region_id": rid, "incident_type": "vehicle_borne_ied", "severity": "severe",
            "title": "Suspicious van on the quay", "lon": 7.4246, "lat": 43.7384, "device": "sedan",
            "casualties": {"urgent": 2, "delayed": 5}})
        self.call("PUT", f"/api/v1/incidents/{inc['id']}/cordon", {})
        self.call("POST", f"/api/v1/incidents/{inc['id']}/notes", {"text": "EOD team on scene, quay closed"})
        self.call("PUT", f"/api/v1/incidents/{inc['id']}/sitrep-schedule", {"interval_min": 30, "lang": "en"})
        return int(inc["id"])

    def _make_exercise(self) -> dict[str, int]:
        sid = self.site("Stade Louis-II")
        ex = self.call("POST", f"/api/v1/regions/{self.region}/exercises", {
            "name": "Stadium tabletop", "type": "tabletop", "start": "2031-02-04T10:00:00Z",
            "end": "2031-02-04T12:00:00Z", "site_ids": [sid], "threat": "marauding_attack"})
        self.call("POST", f"/api/v1/exercises/{ex['id']}/msel", {})
        self.call("PUT", f"/api/v1/sites/{sid}/spaces",
                  {"spaces": [{"kind": "protected_space", "label": "Gymnasium", "area_m2": 929}]})
        self.call("POST", f"/api/v1/sites/{sid}/emergency-plans/draft", {"threat": "ied"})
        return {"site": sid, "exercise": int(ex["id"])}

    def _make_patrol(self) -> dict[str, int]:
        """A plan, and the site most teams visit on day 1 (for the site panel's visits)."""
        plan = int(self.job(f"/api/v1/regions/{self.region}/patrol-plans",
                            {"teams": 3, "shift": "09:00-11:00", "days": 2, "seed": 5, "max_sites": 12})["plan_id"])
        day1 = self.call("GET", f"/api/v1/patrol-plans/{plan}/schedules?day=1")["items"]
        visits: dict[int, int] = {}
        for s in day1:
            for st in s["stops"]:
                visits[st["site_id"]] = visits.get(st["site_id"], 0) + 1
        return {"plan": plan, "site": max(visits, key=lambda k: visits[k])}

    def _make_vehicle(self) -> Any:
        return self.job(f"/api/v1/regions/{self.region}/vehicle-assessments", {"vehicles": ["car"]})

    def _make_warning(self) -> Any:
        from tests.warning.synthetic_files import gtd_csv

        self.call("POST", f"/api/v1/regions/{self.region}/warning/imports",
                  {"format": "gtd", "file_label": "synthetic.csv", "csv": gtd_csv().decode("iso-8859-1")})
        return self.job(f"/api/v1/regions/{self.region}/warning/detect", {"weeks": 8})

    def _make_office(self) -> Any:
        self.job(f"/api/v1/regions/{self.region}/office/duties", {})
        return self.job(f"/api/v1/regions/{self.region}/office/campaigns", {
            "name": "Hotel hostile-vehicle check", "categories": ["hotel"], "deadline_days": 10,
            "checklist": ["hvm_barrier", "training", "lockdown_procedure"]})
