"""Import of GTD/ACLED-format files: only aggregates are stored, no person/actor/note column exists or receives a
value, the aggregates equal a group-by of the source, and importing the same file twice changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import JSON
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.risk.threat import GTD_WEAPON_TO_THREAT
from bastion.kernel.errors import InvalidInput
from bastion.platform.models import load_all
from bastion.regions.models import Region
from bastion.warning import service as svc
from bastion.warning.models import WarningCount
from bastion.warning.models import WarningImport
from bastion.warning.parse import monday
from tests.warning.synthetic_files import ACLED_DENY
from tests.warning.synthetic_files import GTD_DENY
from tests.warning.synthetic_files import MARKER
from tests.warning.synthetic_files import acled_csv
from tests.warning.synthetic_files import gtd_csv

# columns a warning table must never have: GTD/ACLED person, actor, perpetrator, victim, free-text and location
DENY_EXACT = {*GTD_DENY, *ACLED_DENY, "gname2", "gname3", "target2", "target3", "corp2", "corp3", "propcomment",
              "scite2", "scite3", "hostkidoutcome_txt", "nperpcap", "inter1", "inter2", "interaction"}
DENY_PARTS = ("actor", "perp", "gname", "name", "note", "summary", "motive", "person", "victim", "corp", "target1",
              "claim", "source_url", "comment", "latitude", "longitude", "city", "location", "religion", "ethnic",
              "nationality", "natlty", "phone", "email", "address")


def _monaco(sf: sessionmaker[Session]) -> int:
    with sf() as s:
        return int(s.scalar(select(Region.id).where(Region.name == "Monaco")))


def test_no_warning_table_can_hold_a_person_column() -> None:
    """Introspect every column of the domain's tables against the deny list (exact names and name parts)."""
    md = load_all()
    tables = [t for name, t in md.tables.items() if name.startswith("warning_")]
    assert {t.name for t in tables} == {"warning_imports", "warning_counts", "warning_alerts"}
    bad = [f"{t.name}.{c.name}" for t in tables for c in t.columns
           if c.name in DENY_EXACT or any(p in c.name for p in DENY_PARTS)]
    assert bad == []
    # the only free-text columns are the controlled ones (vocabulary codes, checksum, file label, licence note)
    text_cols = {f"{t.name}.{c.name}" for t in tables for c in t.columns if isinstance(c.type, (String, Text))}
    assert text_cols == {
        "warning_imports.dataset", "warning_imports.file_label", "warning_imports.sha256", "warning_imports.licence",
        "warning_counts.dataset", "warning_counts.attack_type", "warning_alerts.dataset", "warning_alerts.attack_type",
        "warning_alerts.method", "warning_alerts.status", "warning_alerts.current_level",
        "warning_alerts.recommended_action", "warning_alerts.recommended_level", "warning_alerts.decision"}


def _all_text_in_db(s: Session) -> str:
    """Every string and JSON value of every table in the database, concatenated."""
    out = []
    for t in load_all().sorted_tables:
        cols = [c for c in t.columns if isinstance(c.type, (String, Text, JSON))]
        if cols:
            for row in s.execute(select(*cols)):
                out.extend(str(v) for v in row if v is not None)
    return "\n".join(out)


def test_an_import_stores_no_value_of_a_person_column(monaco_sf: sessionmaker[Session], tmp_path: Path) -> None:
    rid = _monaco(monaco_sf)
    gtd, acled = tmp_path / "gtd.csv", tmp_path / "acled.csv"
    gtd.write_bytes(gtd_csv(weeks=60, rise_from=None))
    acled.write_bytes(acled_csv(weeks=40))
    assert MARKER.encode() in gtd.read_bytes() and MARKER.encode() in acled.read_bytes()
    g = svc.import_file(monaco_sf, rid, gtd, "gtd")
    a = svc.import_file(monaco_sf, "Monaco", acled, "acled")
    assert g.rows_used > 0 and a.rows_used > 0
    assert g.columns_dropped == 36 - len(g.columns_kept) and "gname" not in g.columns_kept
    assert set(a.columns_kept) == {"event_date", "sub_event_type", "fatalities", "civilian_targeting", "country"}
    with monaco_sf() as s:
        text = _all_text_in_db(s)
    assert "MARKER" not in text  # not one value of a deny-listed column, in any table (audit log included)


def test_aggregates_equal_a_group_by_of_the_source_and_reimport_changes_nothing(
        monaco_sf: sessionmaker[Session], tmp_path: Path) -> None:
    rid = _monaco(monaco_sf)
    data = gtd_csv(weeks=80, rise_from=None, seed=11)
    f = tmp_path / "gtd.csv"
    f.write_bytes(data)
    want: Counter[tuple[dt.date, str, int]] = Counter()
    for row in csv.DictReader(io.StringIO(data.decode("iso-8859-1"))):
        day = dt.date(int(row["iyear"]), int(row["imonth"]), int(row["iday"]))
        want[(monday(day), GTD_WEAPON_TO_THREAT.get(int(row["weaptype1"]), "other"), int(row["targtype1"]))] += 1
    r = svc.import_file(monaco_sf, rid, f, "gtd")
    assert r.sha256 == hashlib.sha256(data).hexdigest() and not r.duplicate
    assert r.rows_read == r.rows_used == sum(want.values()) and r.cells == len(want)

    def snapshot() -> list[tuple[object, ...]]:
        with monaco_sf() as s:
            return [tuple(x) for x in s.execute(select(
                WarningCount.id, WarningCount.week, WarningCount.attack_type, WarningCount.target_type,
                WarningCount.events, WarningCount.fatalities, WarningCount.injured, WarningCount.updated_at)
                .where(WarningCount.region_id == rid).order_by(WarningCount.id))]

    before = snapshot()
    assert {(w, a, t): n for _i, w, a, t, n, *_ in before} == dict(want)
    again = svc.import_file(monaco_sf, rid, f, "gtd")
    assert again.duplicate and again.import_id == r.import_id
    assert snapshot() == before
    with monaco_sf() as s:
        assert s.scalar(select(func.count()).select_from(WarningImport)) == 1


def test_a_newer_file_replaces_the_weeks_it_covers(monaco_sf: sessionmaker[Session]) -> None:
    rid = _monaco(monaco_sf)
    head = "iyear,imonth,iday,targtype1,attacktype1,weaptype1\n"
    svc.import_bytes(monaco_sf, rid, (head + "2024,1,1,19,3,6\n2024,1,1,19,3,6\n2024,2,5,1,2,5\n").encode(), "gtd",
                     "a.csv")
    svc.import_bytes(monaco_sf, rid, (head + "2024,1,2,19,3,6\n").encode(), "gtd", "b.csv")  # covers week 2024-W01
    with monaco_sf() as s:
        rows = {(w.isoformat(), a, t): n for w, a, t, n in s.execute(select(
            WarningCount.week, WarningCount.attack_type, WarningCount.target_type, WarningCount.events)
            .where(WarningCount.region_id == rid))}
    assert rows == {("2024-01-01", "ied", 19): 1, ("2024-02-05", "marauding_attack", 1): 1}


def test_undated_and_filtered_rows_are_counted_not_stored(monaco_sf: sessionmaker[Session]) -> None:
    rid = _monaco(monaco_sf)
    body = ("iyear,imonth,iday,targtype1,attacktype1,country\n2024,0,0,19,3,999\n2024,3,0,19,3,999\n"
            "2024,3,4,19,3,5\n2024,2,30,19,3,999\n")
    r = svc.import_bytes(monaco_sf, rid, body.encode(), "gtd", "x.csv", country="999")
    assert (r.rows_read, r.rows_used, r.rows_undated, r.rows_filtered) == (4, 1, 2, 1)
    assert r.first_week == dt.date(2024, 2, 26)  # iday 0: counted on the 1st of the month (a Friday)


@pytest.mark.parametrize(("body", "field"), [
    ("iyear,imonth,iday,targtype1\n2024,1,1,19\n", "file"),  # attacktype1 missing
    ("iyear,imonth,iday,targtype1,attacktype1\n2024,1,1,99,3\n", "targtype1"),
    ("iyear,imonth,iday,targtype1,attacktype1,nkill\n2024,1,1,19,3,-1\n", "nkill"),
    ("iyear,imonth,iday,targtype1,attacktype1\n2024,x,1,19,3\n", "imonth"),
    ("", "file"),
])
def test_bad_gtd_files_are_refused_naming_the_field(monaco_sf: sessionmaker[Session], body: str, field: str) -> None:
    with pytest.raises(InvalidInput) as e:
        svc.import_bytes(monaco_sf, _monaco(monaco_sf), body.encode(), "gtd", "bad.csv")
    assert e.value.field == field
    with monaco_sf() as s:
        assert s.scalar(select(func.count()).select_from(WarningCount)) == 0


def test_acled_dates_and_mapping(monaco_sf: sessionmaker[Session]) -> None:
    body = ("event_date,sub_event_type,civilian_targeting,fatalities,actor1,notes\n"
            "15 January 2024,Suicide bomb,Civilian targeting,3,MARKER a,MARKER b\n"
            "2024-01-16,Attack,,0,MARKER c,MARKER d\n"
            "2024-01-17,Peaceful protest,,0,MARKER e,MARKER f\n")
    rid = _monaco(monaco_sf)
    svc.import_bytes(monaco_sf, rid, body.encode(), "acled", "acled.csv")
    with monaco_sf() as s:
        rows = sorted((a, t, n, f) for a, t, n, f in s.execute(select(
            WarningCount.attack_type, WarningCount.target_type, WarningCount.events, WarningCount.fatalities)))
    assert rows == [("ied", 14, 1, 3), ("marauding_attack", 20, 1, 0), ("other", 20, 1, 0)]
    with pytest.raises(InvalidInput, match="event_date"):
        svc.import_bytes(monaco_sf, rid, b"event_date,sub_event_type\n31/01/2024,Attack\n", "acled", "d.csv")


def test_manual_counts_are_validated(monaco_sf: sessionmaker[Session]) -> None:
    rid = _monaco(monaco_sf)
    today = dt.date(2026, 11, 30)
    ok = svc.ManualCount(svc.parse_week("2026-W40"), "ied", 19, 4, 1, 2)
    assert svc.enter_counts(monaco_sf, rid, [ok], today=today) == 1
    assert svc.enter_counts(monaco_sf, rid, [svc.ManualCount(ok.week, "ied", 19, 5)], today=today) == 1  # replaces
    with monaco_sf() as s:
        assert s.scalar(select(WarningCount.events).where(WarningCount.dataset == "manual")) == 5
    bad = [
        (svc.ManualCount(dt.date(2026, 12, 14), "ied", 19, 1), "week"),
        (svc.ManualCount(ok.week, "stabbing", 19, 1), "attack_type"),
        (svc.ManualCount(ok.week, "ied", 23, 1), "target_type"),
        (svc.ManualCount(ok.week, "ied", 19, -1), "events"),
    ]
    for c, field in bad:
        with pytest.raises(InvalidInput) as e:
            svc.enter_counts(monaco_sf, rid, [c], today=today)
        assert e.value.field == field
    with pytest.raises(InvalidInput, match="week"):
        svc.parse_week("2026-W60")
    assert svc.parse_week("2026-12-03") == dt.date(2026, 11, 30)
