"""The after-action report document (HSEEP AAR/IP) in en and zh-CN, HTML and PDF: every rating, strength, area
for improvement and improvement item (agency, deadline, the task it became) matches the database."""

from __future__ import annotations

from html.parser import HTMLParser

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.preparedness import exercises as ex
from bastion.preparedness.models import Exercise
from bastion.supervision.models import RectificationTask
from tests.preparedness.test_exercises import T0
from tests.preparedness.test_exercises import _exercise

API = "/api/v1"


class _Rows(HTMLParser):
    """The report's rows by class, with their data-* attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, dict[str, str], list[str]]] = []
        self._open: list[tuple[str, dict[str, str], list[str]] | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("tr", "li"):
            row = (a.get("class", ""), {k[5:]: v for k, v in a.items() if k.startswith("data-")}, [])
            self._open.append(row)
            if row[0]:
                self.rows.append(row)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("tr", "li") and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for r in self._open:
            if r is not None:
                r[2].append(data)

    def of(self, cls: str) -> list[tuple[dict[str, str], str]]:
        return [(d, "".join(t).strip()) for c, d, t in self.rows if c == cls]


def _rows(html: str) -> _Rows:
    p = _Rows()
    p.feed(html)
    return p


def test_aar_document_matches_the_database(client: TestClient, monaco_sf: sessionmaker[Session]) -> None:
    e = _exercise(monaco_sf)
    ex.generate_msel(monaco_sf, e.id)
    with monaco_sf() as s:
        msel = s.get(Exercise, e.id).msel  # type: ignore[union-attr]
    unit = next(i["unit"] for i in msel if "unit" in i)
    ex.evaluate(monaco_sf, e.id, ratings={"operational_communications": "M", "planning": "P",
                                          "mass_care_services": "U", "physical_protective_measures": "S"},
                observed_arrivals_s={unit: 9999}, notes=["Stand B radios failed at T+4 min"],
                drills=[{"procedure": "lockdown", "observed_s": 150, "target_s": 120}])
    ex.set_aar(monaco_sf, e.id, strengths=["Stewards knew the lockdown signal", "Gates closed in 90 s"],
               improvements=[{"capability": "operational_communications", "issue": "Radio dead spots under stand B",
                              "corrective_action": "Install a leaky-feeder antenna", "element": "equipment",
                              "owner_agency": "Stade Louis-II operator", "due": "2027-06-30"}], now=T0)
    before = client.get(f"{API}/exercises/{e.id}/aar/print")
    assert before.status_code == 200
    # mass care is rated U without an action: the report says it cannot be finalised
    assert "Mass care services" in before.text and "cannot be finalised" in before.text
    ex.set_aar(monaco_sf, e.id, strengths=["Stewards knew the lockdown signal", "Gates closed in 90 s"],
               improvements=[{"capability": "operational_communications", "issue": "Radio dead spots under stand B",
                              "corrective_action": "Install a leaky-feeder antenna", "element": "equipment",
                              "owner_agency": "Stade Louis-II operator", "due": "2027-06-30"},
                             {"capability": "mass_care_services", "issue": "No reunification point",
                              "corrective_action": "Designate a reunification point", "element": "planning",
                              "owner_agency": "Mairie de Monaco", "due": "2027-04-30"}], now=T0)
    ex.finalise(monaco_sf, e.id, now=T0)

    html = client.get(f"{API}/exercises/{e.id}/aar/print").text
    with monaco_sf() as s:
        row = s.get(Exercise, e.id)
        assert row is not None
        tasks = {t.item_id: t for t in s.scalars(select(RectificationTask).where(
            RectificationTask.item_id.like(f"exercise:{e.id}:%")))}
        ratings, aar, ev = dict(row.evaluation["ratings"]), row.aar, row.evaluation
    r = _rows(html)
    assert {d["capability"]: d["rating"] for d, _ in r.of("rating")} == ratings
    assert len(r.of("rating")) == 4
    assert [t for _, t in r.of("strength")] == aar["strengths"]
    assert len(r.of("area")) == len(aar["improvements"]) == 2
    items = r.of("improvement")
    assert [(d["agency"], d["due"]) for d, _ in items] == [(i["owner_agency"], i["due"]) for i in aar["improvements"]]
    for n, (_d, text) in enumerate(items):
        t = tasks[f"exercise:{e.id}:{n}"]
        assert f"#{t.id} ({t.status})" in text  # the task each item became
    assert len(tasks) == 2 == len(aar["task_ids"])
    arrivals = r.of("arrival")
    assert len(arrivals) == len(ev["arrivals"]) and any("late" in t for _, t in arrivals)
    assert len(r.of("drill")) == 1 and "150 s" in r.of("drill")[0][1]
    assert len(r.of("objective")) == 1
    assert "P: 1 · S: 1 · M: 1 · U: 1" in html and "EXERCISE" in html and "cannot be finalised" not in html
    zh = client.get(f"{API}/exercises/{e.id}/aar/print", params={"lang": "zh-CN"}).text
    assert "演练总结评估报告" in zh and "改进计划" in zh and "行动通信" in zh and "演练" in zh
    assert len(_rows(zh).of("improvement")) == 2
    pdf = client.get(f"{API}/exercises/{e.id}/aar/print", params={"format": "pdf", "lang": "zh-CN"})
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert len(pdf.content) > 5_000 and pdf.content.rstrip().endswith(b"%%EOF")
    assert client.get(f"{API}/exercises/{e.id}/aar/print", params={"lang": "fr"}).status_code == 422
