"""MSEL export: CSV and XLSX round trips (export -> parse -> the same injects), formula-injection safety in both
formats, and bad files refused with the row and column named."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.errors import InvalidInput
from bastion.preparedness import exercises as ex
from bastion.preparedness import msel_io
from bastion.preparedness.models import Exercise
from tests.preparedness.test_exercises import _exercise

API = "/api/v1"


def test_msel_round_trips_through_csv_and_xlsx(client: TestClient, monaco_sf: sessionmaker[Session]) -> None:
    e = _exercise(monaco_sf, threat="vehicle_as_weapon")
    ex.generate_msel(monaco_sf, e.id)
    with monaco_sf() as s:
        msel = s.get(Exercise, e.id).msel  # type: ignore[union-attr]
    assert len(msel) >= 4
    r = client.get(f"{API}/exercises/{e.id}/msel.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert msel_io.from_csv(r.text) == msel
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [x["no"] for x in rows] == [str(i["no"]) for i in msel]
    assert {x["mode"] for x in rows} == {"EXERCISE"}  # every row says EXERCISE
    assert rows[1]["exercise_time"] == msel_io.clock_text(msel[1]["offset_s"])
    x = client.get(f"{API}/exercises/{e.id}/msel.xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert msel_io.from_xlsx(x.content) == msel


def test_cells_cannot_run_as_formulas() -> None:
    from openpyxl import load_workbook

    evil = [{"no": 1, "offset_s": 0, "mode": "EXERCISE", "synopsis": "=HYPERLINK(\"http://x\",\"y\")",
             "from": "controller", "to": "@SUM(1)", "expected_action": "-2+3", "capability": "+cmd",
             "args": {"site": "=1+1"}, "key": "prep.inject.attack", "impact_speed_kph": -7.5},
            {"no": 2, "offset_s": 60, "synopsis": "'=already quoted", "to": "'plain"}]
    text = msel_io.to_csv(evil)
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[4] == "'=HYPERLINK(\"http://x\",\"y\")" and row[6] == "'@SUM(1)" and row[7] == "'-2+3"
    assert row[11] == "-7.5"  # a number stays a number
    assert msel_io.from_csv(text) == evil
    data = msel_io.to_xlsx(evil)
    ws = load_workbook(io.BytesIO(data))[msel_io.SHEET]
    cells = [c for c in ws[2] if c.value is not None]
    assert all(c.data_type != "f" for c in cells)  # no formula cell
    assert ws.cell(2, 5).value == "'=HYPERLINK(\"http://x\",\"y\")"
    assert msel_io.from_xlsx(data) == evil


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries(
    {"no": st.integers(1, 999), "offset_s": st.integers(0, 86_400), "synopsis": _text, "to": _text},
    optional={"impact_speed_kph": st.floats(0, 200, allow_nan=False).map(lambda v: round(v, 1)),
              "people_inside": st.integers(0, 10**6), "args": st.dictionaries(st.sampled_from("ab"), _text)}),
    max_size=6))
def test_any_inject_list_round_trips(msel: list[dict[str, object]]) -> None:
    assert msel_io.from_csv(msel_io.to_csv(msel)) == msel


def test_bad_files_name_the_field() -> None:
    with pytest.raises(InvalidInput) as e:
        msel_io.from_csv("no,offset_s,synopsis\r\n1,soon,x\r\n")
    assert e.value.field == "row 2.offset_s"
    with pytest.raises(InvalidInput) as e:
        msel_io.from_csv("no,offset_s,synopsis,mode\r\n1,0,x,REAL\r\n")
    assert e.value.field == "row 2.mode"  # an MSEL is never real
    with pytest.raises(InvalidInput) as e:
        msel_io.from_csv("no,when,synopsis\r\n")
    assert e.value.field == "header"
    with pytest.raises(InvalidInput) as e:
        msel_io.from_xlsx(b"not a zip")
    assert e.value.field == "file"
