"""Evidence notes on inspection answers over the API: stored per item with the answers (If-Match kept), shown on
the next read and in the site report (en and zh-CN), bounded in length, and refused when they look like personal
data (Bastion records places, never people) — each refusal names the field notes.<item_id>."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select

from bastion.sites.models import Site
from bastion.supervision.models import EVIDENCE_NOTE_MAX
from tests.api_fixtures import AuthClient
from tests.reports.test_zh_cn_vocabulary import WORD
from tests.reports.test_zh_cn_vocabulary import english_vocabulary
from tests.reports.test_zh_cn_vocabulary import visible_text

API = "/api/v1"
NOTE = "Bollards at the north gate: 2 of 6 missing since the roadworks; gap ≈ 3.5 m wide."


def test_evidence_notes_are_kept_refused_when_personal_and_shown_in_the_report(app: FastAPI,
                                                                                auth_client: AuthClient) -> None:
    with app.state.session_factory() as s:
        sid = s.scalar(select(Site.id).where(Site.name == "Stade Louis-II"))
    lead = auth_client("coordinator", "Monaco", login="notes-inspector")
    insp = lead.post(f"{API}/sites/{sid}/inspections", json={"inspector_agency": "Sûreté Publique"}).json()
    first, second = insp["items"][0]["item_id"], insp["items"][1]["item_id"]
    assert all(i["evidence_note"] is None for i in insp["items"])
    url = f"{API}/inspections/{insp['id']}/answers"

    # a note with its answer; the version moves on, a stale one is refused
    r = lead.put(url, json={"answers": {first: "fail"}, "notes": {first: f"  {NOTE}  "}},
                 headers={"If-Match": f'"{insp["version"]}"'})
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["version"] == insp["version"] + 1
    assert [(i["item_id"], i["answer"], i["evidence_note"]) for i in saved["items"][:2]] == [
        (first, "fail", NOTE), (second, None, None)]
    stale = lead.put(url, json={"notes": {second: "x"}}, headers={"If-Match": f'"{insp["version"]}"'})
    assert stale.status_code == 409

    # refused: personal data of each kind the guard knows, too long, not on the checklist — nothing stored
    for text in ("Steward said call +33 6 12 34 56 78", "Report sent to j.dupont@example.mc",
                 "Van 沪A·12345 parked on the kerb", "Guard's ID 11010519491231002X"):
        r = lead.put(url, json={"notes": {second: text}})
        assert r.status_code == 422, (text, r.text)
        err = r.json()["error"]
        assert err["field"] == f"notes.{second}" and "personal data" in err["message"], err
    r = lead.put(url, json={"notes": {second: "x" * (EVIDENCE_NOTE_MAX + 1)}})
    assert r.status_code == 422 and r.json()["error"]["field"] == f"notes.{second}"
    assert f"at most {EVIDENCE_NOTE_MAX} characters" in r.json()["error"]["message"]
    r = lead.put(url, json={"notes": {"nope:cctv": "fine"}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "notes.nope:cctv"
    # operational text with numbers is not personal data: times, distances, counts, an OSM reference
    ok = "Checked 14:30, 2 cameras down, fence 120 m, see way/123456789"
    r = lead.put(url, json={"notes": {second: ok, first: "x" * EVIDENCE_NOTE_MAX}})
    assert r.status_code == 200, r.text

    got = lead.get(f"{API}/inspections/{insp['id']}").json()
    notes = {i["item_id"]: i["evidence_note"] for i in got["items"]}
    assert notes[first] == "x" * EVIDENCE_NOTE_MAX and notes[second] == ok
    # an empty note clears it
    lead.put(url, json={"notes": {first: NOTE}})
    assert lead.put(url, json={"notes": {second: "  "}}).status_code == 200
    notes = {i["item_id"]: i["evidence_note"] for i in lead.get(f"{API}/inspections/{insp['id']}").json()["items"]}
    assert notes[first] == NOTE and notes[second] is None

    en = lead.get(f"{API}/sites/{sid}/report").text
    assert "Latest inspection" in en and "Evidence note" in en and "Does not meet" in en
    assert "Bollards at the north gate: 2 of 6 missing since the roadworks; gap ≈ 3.5 m wide." in en
    zh = lead.get(f"{API}/sites/{sid}/report", params={"lang": "zh-CN"}).text
    assert "最近一次检查" in zh and "佐证说明" in zh and "不符合" in zh and NOTE in zh
    assert "Latest inspection" not in zh and "Evidence note" not in zh
    section = zh[zh.index('>', zh.index('id="latest-inspection"')) + 1:]
    standards = {i["standard_id"] for i in insp["items"]}
    assert standards and not any(f"({sid})" in section for sid in standards)  # standards named, in Chinese
    words = WORD.findall(visible_text(section).replace(NOTE, " ").replace("Sûreté Publique", " "))
    assert [w for w in words if w.lower() in english_vocabulary()] == []  # none of our English vocabulary
