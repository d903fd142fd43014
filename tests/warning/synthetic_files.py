"""SYNTHETIC GTD-format and ACLED-format CSV files (made-up rows; no real GTD or ACLED data, which their licences
forbid redistributing). Every column a real export has that Bastion must never keep (perpetrator group, motive,
target names, actors, notes, sources...) is filled with a MARKER string, so a test can prove none of it is stored.

Rows: weekly Poisson events from 2020-01-06 for ``weeks`` weeks; series (weaptype1 6 explosives -> ied, targtype1
19 transportation) has mean 3 per week and, from week ``rise_from``, 12 per week (a rise); other series are
background noise."""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np

MARKER = "MARKER-PERSON-7f3a"
START = dt.date(2020, 1, 6)  # a Monday

GTD_COLUMNS = ["eventid", "iyear", "imonth", "iday", "approxdate", "extended", "country", "country_txt", "region",
               "region_txt", "provstate", "city", "latitude", "longitude", "summary", "attacktype1",
               "attacktype1_txt", "targtype1", "targtype1_txt", "corp1", "target1", "natlty1", "gname", "gsubname",
               "motive", "nperps", "claimed", "individual", "weaptype1", "weaptype1_txt", "weapdetail", "nkill",
               "nwound", "addnotes", "scite1", "ransomnote"]
GTD_DENY = ("summary", "corp1", "target1", "gname", "gsubname", "motive", "nperps", "claimed", "individual",
            "weapdetail", "addnotes", "scite1", "ransomnote", "city", "latitude", "longitude", "provstate")
ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                 "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                 "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                 "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                 "fatalities", "tags", "timestamp"]
ACLED_DENY = ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "notes", "source", "tags", "location",
              "latitude", "longitude", "admin3")
# (weaptype1, attacktype1, targtype1, mean per week)
GTD_SERIES = ((6, 3, 19, 3.0), (5, 2, 14, 4.0), (8, 7, 1, 1.0), (13, 9, 20, 0.5))


def gtd_csv(*, weeks: int = 320, rise_from: int | None = 316, rise_mean: float = 12.0, seed: int = 20261130,
            rows_target: int | None = None, start: dt.date = START) -> bytes:
    """A GTD-format CSV (ISO-8859-1, like the real export). ``rows_target`` scales the means to about that many
    rows (for the benchmark)."""
    rng = np.random.default_rng(seed)
    scale = 1.0
    if rows_target is not None:
        scale = rows_target / (weeks * sum(m for *_, m in GTD_SERIES))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(GTD_COLUMNS)
    eid = 0
    for week in range(weeks):
        for weapon, attack, target, mean in GTD_SERIES:
            m = rise_mean if (rise_from is not None and week >= rise_from and target == 19) else mean
            for _ in range(int(rng.poisson(m * scale))):
                day = start + dt.timedelta(weeks=week, days=int(rng.integers(7)))
                eid += 1
                row = {c: f"{MARKER} {c} {eid}" for c in GTD_DENY}
                row.update(eventid=str(202000000000 + eid), iyear=day.year, imonth=day.month, iday=day.day,
                           approxdate="", extended=0, country=999, country_txt="Synthland", region=8,
                           region_txt="Western Europe", attacktype1=attack, attacktype1_txt="x", targtype1=target,
                           targtype1_txt="x", natlty1=999, weaptype1=weapon, weaptype1_txt="x",
                           nkill=int(rng.integers(0, 3)), nwound=int(rng.integers(0, 5)))
                w.writerow([row.get(c, "") for c in GTD_COLUMNS])
    return buf.getvalue().encode("iso-8859-1")


def acled_csv(*, weeks: int = 160, seed: int = 7) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(ACLED_COLUMNS)
    eid = 0
    kinds = (("Violence against civilians", "Attack", "Civilian targeting", 2.0),
             ("Explosions/Remote violence", "Remote explosive/landmine/IED", "", 1.0),
             ("Riots", "Mob violence", "", 1.0))
    for week in range(weeks):
        for etype, sub, civ, mean in kinds:
            for _ in range(int(rng.poisson(mean))):
                day = START + dt.timedelta(weeks=week, days=int(rng.integers(7)))
                eid += 1
                row = {c: f"{MARKER} {c} {eid}" for c in ACLED_DENY}
                row.update(event_id_cnty=f"SYN{eid}", event_date=day.strftime("%d %B %Y") if eid % 2 else
                           day.isoformat(), year=day.year, time_precision=1, disorder_type="Political violence",
                           event_type=etype, sub_event_type=sub, inter1=1, inter2=7, interaction=17,
                           civilian_targeting=civ, iso=999, region="Europe", country="Synthland", admin1="North",
                           admin2="", geo_precision=1, source_scale="National", fatalities=int(rng.integers(0, 2)),
                           timestamp=1700000000)
                w.writerow([row.get(c, "") for c in ACLED_COLUMNS])
    return buf.getvalue().encode("utf-8")
